import { hostname } from 'node:os';
import type { Engine } from '@asp/domain';
import { EVENTS_STREAM } from '@asp/protocol';
import type { Logger, YoungCollector } from '@asp/service';
import { type JetStreamManager, jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import type { Db } from 'mongodb';
import { Applier } from './apply/applier.ts';
import type { DocCache } from './apply/cache.ts';
import { Intents } from './apply/intents.ts';
import { applyBatch, type BatchDeps } from './batch.ts';
import { type CheckpointDoc, Checkpoints, type Lease, type Position } from './checkpoint.ts';
import type { ProjectorConfig } from './config.ts';
import { alignConsumer, consumerName, waitForStream } from './consumer.ts';
import { ProjectorError } from './errors.ts';
import { Intake } from './intake.ts';
import type { ProjectorMetrics } from './metrics.ts';
import { ensureReadModels } from './readmodels/collections.ts';
import { type WriteGuard, writeGuardOf } from './readmodels/server.ts';
import { DecodeAhead } from './records.ts';
import { pause } from './retry.ts';

export type Phase = 'starting' | 'waiting' | 'held' | 'standby' | 'serving' | 'stopping' | 'stopped';

export interface SessionDeps {
  cfg: ProjectorConfig;
  log: Logger;
  engine: Engine;
  cache: DocCache;
  /** Run between batches (ASP_YOUNG_GC_PERCENT). */
  youngGc: YoungCollector;
  db: Db;
  nc: NatsConnection;
  jsm: JetStreamManager;
  metrics: ProjectorMetrics;
  signal: AbortSignal;
  /** False once the projector is stopping: waits end, no new batch starts. */
  running: () => boolean;
  phase: (p: Phase) => void;
  /** A transient failure being retried (err), or over (undefined). */
  retrying: (err: unknown) => void;
  /** This process's claim on the partition (see Checkpoints.claim). */
  lease: Lease;
}

/**
 * One stretch of projecting, from the checkpoint to the next reason to
 * reload it: a rebuild's fence, a record out of order, a failure, a stop.
 */
export class Session {
  readonly #d: SessionDeps;
  readonly #checkpoints: Checkpoints;
  #intake?: Intake;
  #ahead?: DecodeAhead;
  #epoch = 0;
  #guard: WriteGuard = 'atomic';
  #intents: Intents | undefined;
  /** When the lease was last renewed for sure (a batch's start, when the batch then advanced). */
  #renewedAt = 0;
  applied: Position = { seq: 0, streamSeq: 0, ts: 0 };

  constructor(d: SessionDeps) {
    this.#d = d;
    this.#checkpoints = new Checkpoints(d.db, d.lease);
  }

  /** Holds while fenced, creates the read models, aligns the consumer; false when stopped meanwhile. */
  async open(fromStart: boolean): Promise<boolean> {
    const { cfg, log, jsm } = this.#d;
    const p = cfg.ASP_PARTITION;
    this.#d.phase('waiting');
    if (!(await waitForStream(jsm, log, this.#d.signal))) return false;
    let cp: CheckpointDoc;
    for (;;) {
      // The claim first: only the owner may tell a rebuild that the partition's writer holds.
      await this.#checkpoints.load(p);
      if (!(await this.#standBy())) return false;
      cp = await this.#holdWhileFenced(await this.#checkpoints.load(p));
      if (!this.#d.running()) return false;
      // A heartbeat conditional on no fence (and on owning the partition): a rebuild that
      // fences after it sees this projector alive and waits for it to hold; one that fenced
      // before makes it fail.
      const started = Date.now();
      if (await this.#checkpoints.heartbeat(p, cp.epoch)) {
        this.#renewedAt = started;
        break;
      }
    }
    this.#guard = await writeGuardOf(this.#d.db);
    // A delete-then-insert step a crash cut short (FerretDB) is finished before anything is read.
    this.#intents = this.#guard === 'id-only' ? new Intents(this.#d.db, p, cp.epoch) : undefined;
    if (await this.#intents?.redo(this.#d.db)) log.warn('redid the write step a crash had interrupted');
    await ensureReadModels(
      this.#d.db,
      this.#d.engine.domains.flatMap((d) => d.aggregates.map((a) => a.type)),
      this.#guard,
    );
    // The cache may hold documents of collections a rebuild replaced: start cold.
    this.#d.cache.clear();
    this.#epoch = cp.epoch;
    this.applied = { seq: cp.seq, streamSeq: cp.streamSeq, ts: cp.recordTs?.getTime() ?? 0 };
    this.#d.metrics.appliedSeq.set(cp.seq);
    const after = fromStart ? 0 : cp.streamSeq;
    const limits = {
      ackWaitMs: cfg.ASP_ACK_WAIT_MS,
      ackPendingMax: Math.max(cfg.ASP_PULL_RECORDS_MAX * 4, 1024),
    };
    await alignConsumer(jsm, p, after, limits, log);
    const consumer = await jetstream(this.#d.nc).consumers.get(EVENTS_STREAM, consumerName(p));
    // One batch's worth decoded ahead: what the next batch takes first.
    this.#ahead = new DecodeAhead(p, cfg.ASP_BATCH_BYTES_MAX, () => this.applied.seq);
    this.#intake = await Intake.open(
      consumer,
      {
        recordsMax: cfg.ASP_PULL_RECORDS_MAX,
        bytesMax: cfg.ASP_PULL_BYTES_MAX,
        payloadMax: this.#d.nc.info?.max_payload,
        // A durable consumer nobody else recreates: deleted, the session ends and the next
        // one recreates it (the ordered consumer of a rebuild recreates itself).
        endWhenGone: true,
      },
      this.#ahead,
    );
    this.#d.phase('serving');
    log.info({ partition: p, seq: cp.seq, afterStreamSeq: after, epoch: cp.epoch }, 'projecting');
    return true;
  }

  /**
   * Claims the partition; while another projector owns it, stands by (polling). True once
   * claimed, false when stopped meanwhile.
   */
  async #standBy(): Promise<boolean> {
    const { cfg, log } = this.#d;
    let told = false;
    while (this.#d.running()) {
      const claim = await this.#checkpoints.claim(cfg.ASP_PARTITION);
      if (claim.ok) {
        if (told) log.info({ partition: cfg.ASP_PARTITION }, 'took over the partition');
        return true;
      }
      if (
        ownerGone(claim.owner.id) &&
        (await this.#checkpoints.takeOver(cfg.ASP_PARTITION, claim.owner.id))
      ) {
        log.warn(
          { partition: cfg.ASP_PARTITION, owner: claim.owner.id },
          'took over from a projector of this host that is gone',
        );
        return true;
      }
      this.#d.phase('standby');
      if (!told) {
        const { id, until } = claim.owner;
        log.info(
          { partition: cfg.ASP_PARTITION, owner: id, until },
          'standing by: another projector owns the partition',
        );
        told = true;
      }
      await pause(cfg.ASP_POLL_MS, this.#d.signal);
    }
    return false;
  }

  /** While a rebuild holds the partition: acknowledge once, lift the fence if it lapsed, poll. */
  async #holdWhileFenced(first: CheckpointDoc): Promise<CheckpointDoc> {
    const { cfg, log } = this.#d;
    let cp = first;
    while (cp.fence && this.#d.running()) {
      this.#d.phase('held');
      const { by, until, heldAt } = cp.fence;
      if (!heldAt) {
        // Nothing is in flight here (no batch runs while opening): the rebuild may swap.
        await this.#checkpoints.acknowledge(cfg.ASP_PARTITION, by);
        log.info({ rebuild: by, until }, 'holding: a rebuild is swapping the read models');
      }
      if (until.getTime() < Date.now() && (await this.#checkpoints.breakLapsed(cfg.ASP_PARTITION, by))) {
        log.warn({ rebuild: by, until }, 'lifted a lapsed rebuild fence (did the rebuild stop?)');
      }
      await pause(cfg.ASP_POLL_MS, this.#d.signal);
      cp = await this.#checkpoints.load(cfg.ASP_PARTITION);
    }
    return cp;
  }

  /** Batches until the session must end: fenced, closed (stopping), or a failure (thrown). */
  async serve(): Promise<void> {
    const { cfg, metrics, cache } = this.#d;
    const deps: BatchDeps = {
      partition: cfg.ASP_PARTITION,
      applier: new Applier({
        db: this.#d.db,
        engine: this.#d.engine,
        cache,
        guard: this.#guard,
        ...(this.#intents ? { intents: this.#intents } : {}),
      }),
      checkpoints: this.#checkpoints,
      ...(this.#ahead ? { ahead: this.#ahead } : {}),
      metrics,
      log: this.#d.log,
      signal: this.#d.signal,
      ackWaitMs: cfg.ASP_ACK_WAIT_MS,
      retryDelayMsMax: cfg.ASP_RETRY_DELAY_MS_MAX,
      onRetry: this.#d.retrying,
    };
    const limits = { recordsMax: cfg.ASP_BATCH_RECORDS_MAX, bytesMax: cfg.ASP_BATCH_BYTES_MAX, lingerMs: 0 };
    while (this.#d.running()) {
      const msgs = await this.#intake!.take(limits, cfg.ASP_POLL_MS);
      if (!msgs) {
        // Ended by the client, not by us: the consumer was deleted, or a record does not fit
        // the window. The projector reloads after its backoff, and the new session recreates
        // the consumer at the checkpoint (alignConsumer).
        const failure = this.#intake!.failure;
        if (failure) {
          const message = `the events consumer ended: ${failure.message}`;
          throw new ProjectorError('ASP_ERR_PROJECTOR_CONSUMER', message, { cause: failure });
        }
        return;
      }
      metrics.intakeRecords.set(this.#intake!.queued);
      metrics.intakeBytes.set(this.#intake!.queuedBytes);
      if (msgs.length === 0 || Date.now() - this.#renewedAt > this.#d.lease.ms / 3) {
        // Idle, or the lease is a third used: renew before writing anything more.
        const started = Date.now();
        if (!(await this.#checkpoints.heartbeat(cfg.ASP_PARTITION, this.#epoch))) {
          this.#d.log.warn('fenced or no longer the owner: reloading from the checkpoint');
          return;
        }
        this.#renewedAt = started;
        if (msgs.length === 0) {
          // Caught up and MongoDB answers: whatever failed before is over.
          this.#d.retrying(undefined);
          continue;
        }
      }
      const began = Date.now();
      const out = await applyBatch(deps, msgs, this.applied, this.#epoch);
      if (out.kind === 'ok') this.#renewedAt = began;
      // The next batch may wait for more records as long as this one took (see ASP_BATCH_LINGER_MS).
      limits.lingerMs = Math.min(cfg.ASP_BATCH_LINGER_MS, Date.now() - began);
      this.applied = out.applied;
      // The batch's records, plans and buffers are garbage now: collect them before the next
      // batch allocates, not in the middle of it (see youngCollector).
      if (this.#d.youngGc.collectIfFull()) metrics.youngGcs.inc();
      metrics.cacheDocs.set(cache.size);
      if (out.kind === 'fenced') return;
    }
  }

  /** Stops pulling; what was delivered and not acknowledged comes again. */
  async close(): Promise<void> {
    await this.#intake?.close().catch(() => {});
  }

  /** Gives the partition up once nothing is in hand: a projector standing by takes it at once. */
  async resign(): Promise<void> {
    await this.#checkpoints.resign(this.#d.cfg.ASP_PARTITION).catch((err: unknown) => {
      this.#d.log.warn(
        { err },
        'could not give the partition up; another projector takes it when the lease lapses',
      );
    });
  }
}

/** The lease ids of the projectors running in this process (tests run several). */
export const runningHere = new Set<string>();

/**
 * Whether an owner id (`host:pid:suffix`, see Projector) names a projector of this host that no
 * longer runs: one that was killed and restarted must not wait out its own lease. Its pid is
 * ours but no projector of this process has that id (a container restarted under the same pid),
 * or no process has that pid.
 */
export function ownerGone(id: string, host = hostname(), pid = process.pid): boolean {
  const [h, p, suffix] = id.split(':');
  const owner = Number(p);
  if (h !== host || suffix === undefined || !Number.isSafeInteger(owner) || owner <= 0) return false;
  if (owner === pid) return !runningHere.has(id);
  try {
    process.kill(owner, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
