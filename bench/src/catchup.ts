import { setTimeout as sleep } from 'node:timers/promises';
import { metricValue } from './prom.ts';
import { scrapeMetrics } from './sampler.ts';
import type { Pipeline } from './stack.ts';

export interface CatchUp {
  caught_up: boolean;
  /** Seconds from the end of the load until the read models held every committed record. */
  catchup_s: number;
  wal_last_seq: number | null;
  projector_applied_seq: number | null;
}

/**
 * Waits until the relay has published every WAL record and the projector has
 * applied them (its applied seq reaches the WAL's last), bounded by `maxMs`:
 * the audit compares the read models with the sequencer, so it needs them level.
 */
export async function waitCaughtUp(p: Pipeline, maxMs: number, pollMs = 250): Promise<CatchUp> {
  const t0 = performance.now();
  let wal: number | undefined;
  let applied: number | undefined;
  for (;;) {
    const [seq, proj] = await Promise.all([
      scrapeMetrics(p.sequencerUrl, 2000),
      scrapeMetrics(p.projectorUrl, 2000),
    ]);
    wal = seq ? metricValue(seq, 'asp_wal_last_seq') : undefined;
    // The published seq, not asp_relay_lag_records: that gauge is only updated when a batch
    // completes, so it still shows the last batch as unpublished once the load is over.
    const published = seq ? metricValue(seq, 'asp_relay_published_seq') : undefined;
    applied = proj ? metricValue(proj, 'asp_projector_applied_seq') : undefined;
    const elapsed = performance.now() - t0;
    const done =
      wal !== undefined &&
      applied !== undefined &&
      published !== undefined &&
      published >= wal &&
      applied >= wal;
    if (done || elapsed > maxMs) {
      return {
        caught_up: done,
        catchup_s: Math.round(elapsed) / 1000,
        wal_last_seq: wal ?? null,
        projector_applied_seq: applied ?? null,
      };
    }
    await sleep(pollMs);
  }
}
