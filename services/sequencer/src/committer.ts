import type { Engine, Versioned } from '@asp/domain';
import {
  type CommandResult,
  type ContentType,
  contentTypeOf,
  encodeCommitRecord,
  HEADER_CONTENT_TYPE,
} from '@asp/protocol';
import type { Logger } from '@asp/service';
import type { StateStore } from '@asp/state';
import type { Wal } from '@asp/wal';
import type { JetStreamClient, JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { deadLetter, reply } from './deliver.ts';
import type { SequencerMetrics } from './metrics.ts';
import { keysToRead, layered, type PendingBatch } from './pending.ts';
import {
  type Assembled,
  assemble,
  decodeBatch,
  type InboundMessage,
  planBatch,
  validatedItems,
} from './plan.ts';
import { prefetch } from './prefetch.ts';
import type { Relay } from './relay.ts';

export interface CommitterDeps {
  partition: string;
  engine: Engine;
  wal: Wal;
  state: StateStore;
  relay: Relay;
  nc: NatsConnection;
  js: JetStreamClient;
  metrics: SequencerMetrics;
  log: Logger;
  deliveriesMax: number;
}

/**
 * A decided batch whose record is being appended; `complete` finishes it.
 * Only what completing needs: not the decoded commands, the plan or the
 * record's events. Those hold every command's data (the benchmark's 1 KB
 * memos); kept until the batch completes they would outlive a young-
 * generation GC and be promoted, and GC is about a fifth of the sequencer's
 * CPU (V8's GC threads ~10 of ~45 µs per command in bench/src/probe.ts).
 */
export interface Prepared {
  started: number;
  live: JsMsg[];
  contentTypes: ContentType[];
  /** The record's WAL seq and bytes; undefined when the batch decided nothing new. */
  seq: number | undefined;
  bytes: Uint8Array | undefined;
  results: CommandResult[];
  replies: Assembled['replies'];
  changed: Map<string, Versioned>;
  counts: { items: number; retried: number; refused: number };
  /** The WAL append + fsync, started by prepare (appends are queued in order). */
  durable: Promise<void> | undefined;
  pending: PendingBatch | undefined;
}

/**
 * Step one of a batch, all on the event loop: decode → dedupe → decide
 * against the store plus the batch still in flight (`inFlight`) → encode,
 * then start the WAL append. Nothing leaves the sequencer here.
 */
export async function prepare(
  d: CommitterDeps,
  msgs: readonly JsMsg[],
  inFlight: PendingBatch | undefined,
  seq: number,
): Promise<Prepared | undefined> {
  const started = performance.now();
  const live = await dropPoison(d, msgs);
  if (live.length === 0) return undefined;
  const cts = live.map((m) => contentTypeOf(m.headers?.get(HEADER_CONTENT_TYPE)));
  const inbound: InboundMessage[] = live.map((m, i) => ({
    data: m.data,
    contentType: cts[i]!.ok ? cts[i]!.value : 'application/json',
  }));
  const decoded = decodeBatch(d.engine, inbound);
  cts.forEach((ct, i) => {
    if (!ct.ok) decoded.messages[i] = { ok: false, error: ct.error };
  });

  // The result index and the aggregates are read at once, not one after the other: the keys
  // are those of every validated command, retries included (a superset of the plan's; a retry
  // is rare and its extra read harmless), since which are retries is known only after the first.
  const keys = d.engine.keysOf(validatedItems(decoded));
  const [stored, base] = await Promise.all([
    storedResults(d.state, decoded.ids, inFlight),
    prefetch(d.state, keysToRead(inFlight, keys)),
  ]);
  const plan = planBatch(decoded, stored);
  const view = layered(inFlight, base);
  const outcome = d.engine.decideBatch(plan.items, view);
  const asm = assemble(plan, outcome, { partition: d.partition, seq, ts: Date.now() });
  let durable: Promise<void> | undefined;
  let pending: PendingBatch | undefined;
  let bytes: Uint8Array | undefined;
  if (asm.record) {
    bytes = encodeCommitRecord(asm.record);
    durable = append(d, bytes, seq);
    pending = { changed: outcome.changed, results: new Map(asm.results.map((r) => [r.id, r])) };
  }
  return {
    started,
    live,
    contentTypes: inbound.map((m) => m.contentType),
    seq: asm.record ? seq : undefined,
    bytes,
    results: asm.results,
    replies: asm.replies,
    changed: outcome.changed,
    counts: { items: plan.items.length, retried: plan.retried, refused: plan.refused },
    durable,
    pending,
  };
}

async function append(d: CommitterDeps, bytes: Uint8Array, seq: number): Promise<void> {
  const t = performance.now();
  const { lastSeq } = await d.wal.append([bytes]);
  // The seq was predicted when the record was built; the WAL assigned it. A
  // mismatch is a programmer error (appends out of order) and must not pass.
  if (lastSeq !== seq) throw new Error(`assertion failed: WAL assigned seq ${lastSeq}, record says ${seq}`);
  d.metrics.fsyncSeconds.observe((performance.now() - t) / 1000);
  d.metrics.walBytes.inc(bytes.length);
  d.metrics.walSeq.set(seq);
}

/**
 * Step two, after the record's fsync: apply to LevelDB and, while LevelDB
 * writes, results to each producer and acks; then the record to the relay.
 * Batches complete one at a time, in order. The answers need not wait for
 * LevelDB: the fsynced WAL record is the durable copy (recovery replays it
 * into LevelDB), and the store shows the batch's values and results to every
 * reader (the next batch, result lookups) from the call on. A producer that
 * waits for its result before its next command saves the LevelDB write on
 * every round trip. An error thrown here is fatal: the caller fails closed.
 */
export async function complete(d: CommitterDeps, p: Prepared): Promise<void> {
  const { durable, seq, bytes } = p;
  const record = durable && seq !== undefined && bytes ? { durable, seq, bytes } : undefined;
  let applied: Promise<void> | undefined;
  if (record) {
    await record.durable;
    applied = d.state.applyBatch({ seq: record.seq, aggregates: p.changed, results: p.results });
    // Awaited below; this only keeps a failure during the replies from counting as unhandled.
    applied.catch(() => {});
  }
  await release(d, p.live, p.contentTypes, p.replies);
  if (record) {
    await applied;
    d.metrics.appliedSeq.set(record.seq);
    d.relay.offer(record.seq, record.bytes);
  }
  count(d.metrics, p.results, p.counts);
  d.metrics.batches.inc();
  d.metrics.batchCommands.observe(p.counts.items);
  d.metrics.batchSeconds.observe((performance.now() - p.started) / 1000);
}

/** Messages delivered too often have likely crashed us before: they go to the DLQ unread. */
async function dropPoison(d: CommitterDeps, msgs: readonly JsMsg[]): Promise<JsMsg[]> {
  const live: JsMsg[] = [];
  for (const m of msgs) {
    if (m.info.deliveryCount < d.deliveriesMax) {
      live.push(m);
      continue;
    }
    d.log.warn(
      { streamSeq: m.seq, deliveries: m.info.deliveryCount },
      'dead-lettering a message delivered too often',
    );
    await deadLetter(d.js, d.partition, m, `delivered ${m.info.deliveryCount} times without being committed`);
    d.metrics.deadLettered.inc();
  }
  return live;
}

/** Results of earlier batches: the one in flight first (not yet in the store), then the store. */
async function storedResults(
  state: StateStore,
  ids: string[],
  inFlight: PendingBatch | undefined,
): Promise<Map<string, CommandResult>> {
  const found = new Map<string, CommandResult>();
  const ask: string[] = [];
  for (const id of ids) {
    const r = inFlight?.results.get(id);
    if (r) found.set(id, r);
    else ask.push(id);
  }
  if (ask.length === 0) return found;
  const results = await state.getResults(ask);
  results.forEach((r, i) => {
    if (r) found.set(ask[i]!, r);
  });
  return found;
}

/** After the fsync: results to each producer, then the acks. */
async function release(
  d: CommitterDeps,
  live: readonly JsMsg[],
  contentTypes: readonly ContentType[],
  replies: Assembled['replies'],
): Promise<void> {
  for (let i = 0; i < live.length; i++) {
    const m = live[i]!;
    const r = replies[i]!;
    const ct = contentTypes[i]!;
    const answered = reply(d.nc, m, ct, r);
    if ('error' in r) {
      d.metrics.messageErrors.inc({ code: r.error.code });
      if (!answered) {
        // Nobody can be told: keep the message for an operator instead of dropping it.
        await deadLetter(d.js, d.partition, m, `${r.error.code}: ${r.error.message}`);
        d.metrics.deadLettered.inc();
        continue;
      }
    }
    m.ack();
  }
  d.metrics.messages.inc(live.length);
}

function count(metrics: SequencerMetrics, fresh: readonly CommandResult[], plan: Prepared['counts']): void {
  let accepted = 0;
  for (const r of fresh) if (r.status === 'accepted') accepted++;
  metrics.commands.inc({ outcome: 'accepted' }, accepted);
  metrics.commands.inc({ outcome: 'rejected' }, fresh.length - accepted + plan.refused);
  metrics.commands.inc({ outcome: 'duplicate' }, plan.retried);
}
