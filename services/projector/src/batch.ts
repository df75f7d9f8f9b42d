import type { Logger } from '@asp/service';
import type { JsMsg } from '@nats-io/jetstream';
import type { Applier } from './apply/applier.ts';
import type { Checkpoints, Position } from './checkpoint.ts';
import { ProjectorError } from './errors.ts';
import type { ProjectorMetrics } from './metrics.ts';
import { type DecodeAhead, sortOut } from './records.ts';
import { backoffMs, isTransientMongoError, pause } from './retry.ts';

export interface BatchDeps {
  partition: string;
  applier: Applier;
  checkpoints: Checkpoints;
  /** The records decoded as they arrived (see DecodeAhead); the rest are decoded here. */
  ahead?: DecodeAhead;
  metrics: ProjectorMetrics;
  log: Logger;
  signal: AbortSignal;
  ackWaitMs: number;
  retryDelayMsMax: number;
  /** Told while a transient failure is being retried, and once it is over (undefined). */
  onRetry: (err: unknown) => void;
}

/** Where the batch left the projector; `fenced` makes it reload from its checkpoint. */
export type BatchOutcome = { kind: 'ok' | 'fenced'; applied: Position };

/**
 * Applies one batch: records already applied are acknowledged, the fresh
 * ones are written and then checkpointed, and only then acknowledged. A
 * record missing before the fresh ones stops the batch there (the projector
 * reloads from its checkpoint); nothing after it is acknowledged.
 */
export async function applyBatch(
  d: BatchDeps,
  msgs: JsMsg[],
  applied: Position,
  epoch: number,
): Promise<BatchOutcome> {
  const sorted = sortOut(msgs, applied.seq, d.partition, d.ahead);
  for (const m of sorted.stale) m.ack();
  d.metrics.duplicates.inc(sorted.stale.length);
  let at = applied;
  if (sorted.fresh.length > 0) {
    const records = sorted.fresh.map((f) => f.record);
    const inFlight = sorted.fresh.map((f) => f.msg);
    const endWrite = d.metrics.writeSeconds.startTimer();
    const stats = await retrying(d, inFlight, () => d.applier.apply(records));
    endWrite();
    const last = sorted.fresh[sorted.fresh.length - 1]!;
    const next: Position = { seq: last.record.seq, streamSeq: last.msg.seq, ts: last.record.ts };
    const endCheckpoint = d.metrics.checkpointSeconds.startTimer();
    const advanced = await retrying(d, inFlight, () => d.checkpoints.advance(d.partition, epoch, next));
    endCheckpoint();
    if (!advanced) {
      // A rebuild holds the partition (or swapped the read models): what this batch wrote
      // may have gone to collections about to be replaced, so nothing is acknowledged.
      d.metrics.errors.inc({ kind: 'fenced' });
      d.log.info({ seq: next.seq }, 'checkpoint refused: a rebuild holds this partition; reloading');
      return { kind: 'fenced', applied };
    }
    for (const m of inFlight) m.ack();
    at = next;
    d.metrics.records.inc(records.length);
    d.metrics.events.inc(stats.events);
    d.metrics.docsWritten.inc(stats.written);
    d.metrics.batchRecords.observe(records.length);
    d.metrics.appliedSeq.set(at.seq);
    d.log.debug({ seq: at.seq, records: records.length, ...stats }, 'batch applied');
  }
  if (sorted.gap) {
    throw new ProjectorError(
      'ASP_ERR_PROJECTOR_RECORD',
      `record ${sorted.gap.got} arrived before record ${sorted.gap.expected}: reloading from the checkpoint`,
    );
  }
  return { kind: 'ok', applied: at };
}

/**
 * Retries `fn` while MongoDB is unreachable, with backoff, forever (until
 * stopped): nothing is acknowledged meanwhile, and the in-flight records are
 * kept from being redelivered. Any other failure is thrown at once.
 */
async function retrying<T>(d: BatchDeps, inFlight: JsMsg[], fn: () => Promise<T>): Promise<T> {
  let lastWorking = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      const r = await fn();
      // MongoDB answered: whatever failed before (here or in an earlier session) is over.
      d.onRetry(undefined);
      return r;
    } catch (err) {
      if (!isTransientMongoError(err) || d.signal.aborted) throw err;
      d.metrics.errors.inc({ kind: 'mongo' });
      d.onRetry(err);
      if (attempt === 0 || attempt % 10 === 0) {
        d.log.warn({ err: String(err), attempt }, 'MongoDB unavailable; retrying, nothing acknowledged');
      }
      if (Date.now() - lastWorking > d.ackWaitMs / 3) {
        for (const m of inFlight) m.working();
        lastWorking = Date.now();
      }
      if (!(await pause(backoffMs(attempt, d.retryDelayMsMax), d.signal))) throw err;
    }
  }
}
