import type { Engine } from '@asp/domain';
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
import { assemble, decodeBatch, type InboundMessage, planBatch } from './plan.ts';
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
 * Commits one batch: decode → dedupe → decide → WAL append + ONE fsync →
 * LevelDB → acks and results → relay. Nothing of a batch (no result, no ack,
 * no event) leaves before its fsync returned. An error thrown from here is
 * fatal: the caller stops the sequencer without acknowledging anything.
 */
export async function commitBatch(d: CommitterDeps, msgs: readonly JsMsg[]): Promise<void> {
  const started = performance.now();
  const live = await dropPoison(d, msgs);
  if (live.length === 0) return;
  const cts = live.map((m) => contentTypeOf(m.headers?.get(HEADER_CONTENT_TYPE)));
  const inbound: InboundMessage[] = live.map((m, i) => ({
    data: m.data,
    contentType: cts[i]!.ok ? cts[i]!.value : 'application/json',
  }));
  const decoded = decodeBatch(d.engine, inbound);
  cts.forEach((ct, i) => {
    if (!ct.ok) decoded.messages[i] = { ok: false, error: ct.error };
  });

  const stored = await storedResults(d.state, decoded.ids);
  const plan = planBatch(decoded, stored);
  const view = await prefetch(d.state, d.engine.keysOf(plan.items));
  const outcome = d.engine.decideBatch(plan.items, view);
  const seq = d.wal.lastSeq + 1;
  const asm = assemble(plan, outcome, { partition: d.partition, seq, ts: Date.now() });

  if (asm.record) {
    const bytes = encodeCommitRecord(asm.record);
    const t = performance.now();
    await d.wal.append([bytes]);
    d.metrics.fsyncSeconds.observe((performance.now() - t) / 1000);
    d.metrics.walBytes.inc(bytes.length);
    d.metrics.walSeq.set(seq);
    await d.state.applyBatch({ seq, aggregates: outcome.changed, results: asm.results });
    d.metrics.appliedSeq.set(seq);
    d.relay.offer(seq, bytes);
  }
  await release(d, live, inbound, asm.replies);
  count(d.metrics, asm.results, asm.replies);
  d.metrics.batches.inc();
  d.metrics.batchCommands.observe(plan.items.length);
  d.metrics.batchSeconds.observe((performance.now() - started) / 1000);
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

async function storedResults(state: StateStore, ids: string[]): Promise<Map<string, CommandResult>> {
  const found = new Map<string, CommandResult>();
  if (ids.length === 0) return found;
  const results = await state.getResults(ids);
  results.forEach((r, i) => {
    if (r) found.set(ids[i]!, r);
  });
  return found;
}

/** After the fsync: results to each producer, then the acks. */
async function release(
  d: CommitterDeps,
  live: readonly JsMsg[],
  inbound: readonly InboundMessage[],
  replies: ReturnType<typeof assemble>['replies'],
): Promise<void> {
  for (let i = 0; i < live.length; i++) {
    const m = live[i]!;
    const r = replies[i]!;
    const ct: ContentType = inbound[i]!.contentType;
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

function count(
  metrics: SequencerMetrics,
  fresh: readonly CommandResult[],
  replies: Assembled['replies'],
): void {
  let accepted = 0;
  for (const r of fresh) if (r.status === 'accepted') accepted++;
  let answered = 0;
  for (const r of replies) if ('results' in r) answered += r.results.length;
  metrics.commands.inc({ outcome: 'accepted' }, accepted);
  metrics.commands.inc({ outcome: 'rejected' }, fresh.length - accepted);
  metrics.commands.inc({ outcome: 'duplicate' }, Math.max(0, answered - fresh.length));
}

type Assembled = ReturnType<typeof assemble>;
