import { Histogram, type LoadReport } from '@asp/loadgen';
import { expect } from 'vitest';
import { parsePrometheus } from '../src/prom.ts';
import { buildRunResult, type ScenarioResult } from '../src/result.ts';
import { plansOf } from '../src/scenarios.ts';
import type { Point } from '../src/series.ts';

/** Well-formed enough for a browser: one root <svg>, every element closed in order. */
export function assertWellFormedSvg(svg: string): void {
  expect(svg.startsWith('<svg')).toBe(true);
  expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
  const stack: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([a-zA-Z][\w:-]*)[^>]*?(\/?)>/g)) {
    if (m[3] === '/') continue;
    if (m[1] === '/') expect(stack.pop()).toBe(m[2]);
    else stack.push(m[2]!);
  }
  expect(stack).toEqual([]);
}

/** A broker run of 10 s as buildRunResult makes it, with or without the LevelDB metrics. */
export function fixture(withLevelDb: boolean): ScenarioResult {
  const latency = new Histogram();
  for (let i = 1; i <= 1000; i++) latency.record(i / 10, 100);
  const load: LoadReport = {
    answered: 100_000,
    accepted: 95_000,
    rejected: 5_000,
    rejectedByCode: { ASP_REJ_INVARIANT: 5_000 },
    errors: 0,
    elapsedMs: 10_000,
    itemsPerSecond: 10_000,
    latency,
  };
  const metrics = (batches: number) =>
    parsePrometheus(
      [1, 1000, 4000, '+Inf']
        .map((le, i) => `asp_sequencer_batch_commands_bucket{le="${le}"} ${i === 0 ? 0 : batches}`)
        .join('\n') +
        `\nasp_sequencer_batch_commands_count ${batches}\nasp_sequencer_batch_commands_sum ${batches * 900}` +
        `\nasp_wal_fsync_seconds_bucket{le="0.001"} ${batches}\nasp_wal_fsync_seconds_bucket{le="+Inf"} ${batches}` +
        `\nasp_wal_fsync_seconds_count ${batches}\nasp_wal_fsync_seconds_sum ${batches * 0.0005}`,
    );
  const points: Point[] = Array.from({ length: 12 }, (_, i) => ({
    t_s: i,
    items: Math.min(i, 10) * 10_000,
    seq_commands: Math.min(i, 10) * 10_000,
    fsyncs: i * 11,
    projector_lag_s: i < 10 ? 0.2 : 0,
    rss_sequencer: (100 + i) * 2 ** 20,
    mem_sequencer_heap: (60 + i) * 2 ** 20,
    mem_sequencer_external: 20 * 2 ** 20,
    mem_sequencer_leveldb: (5 + i / 2) * 2 ** 20,
    mem_sequencer_filters: 4 * 2 ** 20,
    rss_bench: 50 * 2 ** 20,
    // Cores during the load (t ≤ 10): sequencer 0.5, nats-server 0.25, the MongoDB-wire server
    // 0.3, the machine 1.8 then 0.1 after it; the projector and the bench report none.
    cpu_sequencer: i * 0.5,
    cpu_nats: i * 0.25,
    cpu_mongo: i * 0.3,
    cpu_machine: i <= 10 ? i * 1.8 : 18 + (i - 10) * 0.1,
    ...(withLevelDb ? { l0_files: i % 4, compaction_seconds: i / 10, compaction_bytes: i * 2 ** 20 } : {}),
  }));
  return buildRunResult({
    plan: plansOf('broker')[0]!,
    date: new Date('2026-01-02T03:04:05Z'),
    fresh: true,
    load,
    setupCommands: 3001,
    preflight: {
      dir: '/tmp',
      samples: 200,
      p50_us: 50,
      p99_us: 120,
      max_us: 300,
      limit_us: 5000,
      forced: false,
    },
    first: { seq: metrics(0), proj: undefined },
    last: { seq: metrics(111), proj: undefined },
    points,
    loadEndS: 10,
    lagEndS: 0.2,
    catchup: { caught_up: true, catchup_s: 0.5, wal_last_seq: 115, projector_applied_seq: 115 },
    integrity: 'INTEGRITY_OK',
  });
}
