import { EVENTS_STREAM, eventSubject, HEADER_WAL_SEQ, partitionOfSubject } from '@asp/protocol';
import type { JsMsg } from '@nats-io/jetstream';
import { DeliverPolicy, type JetStreamManager, jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import type { Applier } from '../apply/applier.ts';
import type { Position } from '../checkpoint.ts';
import { ProjectorError } from '../errors.ts';
import { Intake, type TakeLimits } from '../intake.ts';
import { type Fresh, sortOut } from '../records.ts';

/** The last WAL seq ASP_EVENTS holds for each partition (0: none). */
export async function lastSeqs(
  jsm: JetStreamManager,
  partitions: readonly string[],
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const p of partitions) {
    const m = await jsm.direct.getMessage(EVENTS_STREAM, { last_by_subj: eventSubject(p) });
    out.set(p, m ? Number(m.header?.get(HEADER_WAL_SEQ)) || 0 : 0);
  }
  return out;
}

/**
 * Reads the partitions' records from the start of ASP_EVENTS with an ordered
 * (ephemeral, unacknowledged) consumer and applies them through `applier`,
 * checking that each partition's records follow one another from seq 1.
 *
 * The records it waits for are known to be in the stream, so a wait without
 * one is a stalled consumer: nats.js recovers a deleted or stalled one only
 * after two missed heartbeats (30 s and more). The replayer does not wait for
 * that: it reopens the consumer where it stands.
 */
export class Replayer {
  readonly positions = new Map<string, Position>();
  records = 0;
  /** Times the consumer was reopened after a stall. */
  reopened = 0;
  #intake: Intake;
  readonly #nc: NatsConnection;
  readonly #partitions: readonly string[];
  readonly #applier: Applier;
  readonly #limits: TakeLimits;

  private constructor(
    nc: NatsConnection,
    intake: Intake,
    applier: Applier,
    partitions: readonly string[],
    limits: TakeLimits,
  ) {
    this.#nc = nc;
    this.#intake = intake;
    this.#applier = applier;
    this.#partitions = partitions;
    this.#limits = limits;
    for (const p of partitions) this.positions.set(p, { seq: 0, streamSeq: 0, ts: 0 });
  }

  static async open(nc: NatsConnection, partitions: readonly string[], applier: Applier, limits: TakeLimits) {
    return new Replayer(nc, await openIntake(nc, partitions, limits, 0), applier, partitions, limits);
  }

  /**
   * Applies records until each partition reached its target seq. After `stallMs` without a
   * record the consumer is reopened; after `idleMs` without one, it fails.
   */
  async until(targets: ReadonlyMap<string, number>, idleMs: number, stallMs = 3_000): Promise<void> {
    let idleSince = Date.now();
    let openedAt = idleSince;
    while (!this.#reached(targets)) {
      const msgs = await this.#intake.take(this.#limits, 200);
      if (!msgs) {
        const why = this.#intake.failure ? `: ${this.#intake.failure.message}` : '';
        throw new ProjectorError('ASP_ERR_PROJECTOR_REBUILD', `the events stream consumer closed${why}`);
      }
      if (msgs.length === 0) {
        const now = Date.now();
        if (now - idleSince > idleMs) {
          throw new ProjectorError(
            'ASP_ERR_PROJECTOR_REBUILD',
            `no record for ${idleMs} ms while ${this.#behind(targets)} (consumer reopened ${this.reopened} times)`,
          );
        }
        if (now - openedAt > stallMs) {
          await this.#reopen();
          openedAt = Date.now();
        }
        continue;
      }
      idleSince = openedAt = Date.now();
      await this.#apply(msgs);
    }
  }

  /** A fresh consumer from the first record some partition still lacks; what it applied already is skipped. */
  async #reopen(): Promise<void> {
    await this.#intake.close().catch(() => {});
    const from = Math.min(...[...this.positions.values()].map((p) => p.streamSeq));
    this.#intake = await openIntake(this.#nc, this.#partitions, this.#limits, from);
    this.reopened++;
  }

  #reached(targets: ReadonlyMap<string, number>): boolean {
    for (const [p, target] of targets) if ((this.positions.get(p)?.seq ?? 0) < target) return false;
    return true;
  }

  #behind(targets: ReadonlyMap<string, number>): string {
    const parts = [...targets].map(([p, t]) => `${p} at ${this.positions.get(p)?.seq ?? 0} of ${t}`);
    return `waiting for ${parts.join(', ')}`;
  }

  async #apply(msgs: JsMsg[]): Promise<void> {
    const byPartition = new Map<string, JsMsg[]>();
    for (const m of msgs) {
      const p = partitionOfSubject(m.subject);
      if (p === undefined || !this.positions.has(p)) continue;
      const list = byPartition.get(p);
      if (list) list.push(m);
      else byPartition.set(p, [m]);
    }
    const fresh: Fresh[] = [];
    for (const [p, ms] of byPartition) {
      const sorted = sortOut(ms, this.positions.get(p)!.seq, p);
      if (sorted.gap) {
        throw new ProjectorError(
          'ASP_ERR_PROJECTOR_REBUILD',
          `ASP_EVENTS lacks record ${sorted.gap.expected} of partition ${p} (next is ${sorted.gap.got}): ` +
            'a rebuild needs every record from seq 1 (were old records removed by the stream limits?)',
        );
      }
      fresh.push(...sorted.fresh);
    }
    if (fresh.length === 0) return;
    await this.#applier.apply(fresh.map((f) => f.record));
    for (const f of fresh) {
      this.positions.set(f.record.partition, { seq: f.record.seq, streamSeq: f.msg.seq, ts: f.record.ts });
    }
    this.records += fresh.length;
  }

  async close(): Promise<void> {
    await this.#intake.close();
  }
}

/** An ordered consumer of the partitions' records after stream seq `after` (0: from the start). */
async function openIntake(
  nc: NatsConnection,
  partitions: readonly string[],
  limits: TakeLimits,
  after: number,
): Promise<Intake> {
  const consumer = await jetstream(nc).consumers.get(EVENTS_STREAM, {
    filter_subjects: partitions.map(eventSubject),
    ...(after > 0
      ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: after + 1 }
      : { deliver_policy: DeliverPolicy.All }),
  });
  return Intake.open(consumer, {
    recordsMax: limits.recordsMax,
    bytesMax: limits.bytesMax * 2,
    payloadMax: nc.info?.max_payload,
  });
}
