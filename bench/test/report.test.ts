import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { peersChart, runCharts } from '../src/report/charts.ts';
import { renderMarkdown } from '../src/report/markdown.ts';
import { writeReport } from '../src/report/write.ts';
import { cpuDuringLoad, cpuPerItem, type ScenarioResult } from '../src/result.ts';
import { slopeBetween } from '../src/series.ts';
import { assertWellFormedSvg, fixture } from './report-fixture.ts';

describe('the report', () => {
  const dir = mkdtempSync(join(tmpdir(), 'asp-bench-report-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('computes the run figures from the load, the scrapes and the series', () => {
    const r = fixture(true);
    expect(r).toMatchObject({
      items: 100_000,
      items_per_s: 10_000,
      rejected: 5_000,
      fsyncs: 111,
      batches: 111,
    });
    expect(r.batch_mean).toBe(900);
    expect(r.p50_ms).toBeGreaterThan(40);
    expect(r.p99_ms).toBeGreaterThan(r.p50_ms);
    expect(r.rss_max_mb.sequencer).toBe(111);
    // A 10 s load: too short for a trend.
    expect(r.rss_trend_mb_per_min).toEqual({ sequencer: null, projector: null, bench: null });
    expect(r.leveldb).toEqual({ l0_files_max: 3, compaction_s: 1.1, compaction_mb: 11 });
  });

  it('gives CPU per process during the load, in cores and in µs per answered command', () => {
    const r = fixture(true);
    // The machine's 0.1 cores after the load are not in its mean.
    expect(r.cpu_cores_load).toEqual({
      sequencer: 0.5,
      projector: null,
      nats: 0.25,
      mongo: 0.3,
      bench: null,
      machine: 1.8,
      cpus: r.machine.cpus,
    });
    // 10,000 items/s: one core is 100 µs per item.
    expect(r.cpu_us_per_item).toEqual({
      sequencer: 50,
      projector: null,
      nats: 25,
      mongo: 30,
      bench: null,
      machine: 180,
    });
    expect(Object.keys(r.cpu_us_per_item)).toEqual([
      'sequencer',
      'projector',
      'nats',
      'mongo',
      'bench',
      'machine',
    ]);
    const md = renderMarkdown(r, { command: 'x', charts: [] });
    expect(md).toContain('nats-server 0.25 (25 µs), the MongoDB-wire server 0.3 (30 µs)');
    expect(md).toContain('projector not reported (not reported)');
    expect(md).toContain('the whole machine 1.8 (180 µs)');
  });

  it('has no CPU per item when nothing was answered or the cores are unknown', () => {
    const { series, load_end_s } = fixture(true);
    expect(Object.values(cpuPerItem(series, load_end_s, 0))).toEqual(Array(6).fill(null));
    expect(cpuPerItem(series, load_end_s, 20_000)).toMatchObject({ sequencer: 25, projector: null });
    // A load that ended before the second tick has no mean yet.
    expect(cpuDuringLoad(series, 0.5, 2)).toEqual({
      sequencer: null,
      projector: null,
      nats: null,
      mongo: null,
      bench: null,
      machine: null,
      cpus: 2,
    });
  });

  it('draws every chart as a well-formed SVG, and says when LevelDB health is not reported', () => {
    for (const withLevelDb of [true, false]) {
      const charts = runCharts(fixture(withLevelDb));
      expect(charts.map((c) => c.key)).toEqual([
        'throughput',
        'latency',
        'batches',
        'fsync',
        'lag',
        'leveldb',
        'memory',
        'sequencer-memory',
        'cpu',
      ]);
      for (const c of charts) assertWellFormedSvg(c.svg);
      const leveldb = charts.find((c) => c.key === 'leveldb')!.svg;
      expect(leveldb.includes('not reported')).toBe(!withLevelDb);
    }
  });

  it('writes the Markdown, the JSON and the SVGs; peers add their table and chart', () => {
    const r: ScenarioResult = {
      ...fixture(false),
      scenario: 'peers',
      peers: [
        {
          mode: 'serializable',
          items: 900,
          items_per_s: 90,
          p50_ms: 20,
          p99_ms: 80,
          retries: 40,
          violations: 0,
          duration_s: 10,
        },
        {
          mode: 'naive',
          items: 3000,
          items_per_s: 300,
          p50_ms: 5,
          p99_ms: 9,
          retries: 0,
          violations: 12,
          duration_s: 10,
        },
      ],
      ratio: { serializable: 111.11, naive: 33.33 },
    };
    assertWellFormedSvg(peersChart(r)!.svg);
    const w = writeReport(dir, r, 'pnpm bench peers --duration 10');
    expect(w.svgs).toHaveLength(10);
    for (const f of w.svgs) assertWellFormedSvg(readFileSync(f, 'utf8'));
    const md = readFileSync(w.markdown, 'utf8');
    expect(md).toContain('| PostgreSQL naive | 300 | 5 ms | 9 ms | 0 | 12 | 33.33 |');
    expect(md).toContain('Command: `pnpm bench peers --duration 10`');
    for (const f of w.svgs) expect(md).toContain(`](${f.slice(dir.length + 1)})`);
    expect(JSON.parse(readFileSync(w.json, 'utf8')).integrity).toBe('INTEGRITY_OK');
  });

  it('renders the ceiling comparison', () => {
    const base = fixture(true);
    const run = { ...base, batch: 2000, items_per_s: 10_280 };
    const md = renderMarkdown(
      { ...base, ceiling: { batch: 2000, items_per_s: 10_280, p50_ms: 1, p99_ms: 2, gain_pct: 2.8, run } },
      { command: 'x', charts: [] },
    );
    expect(md).toContain('Batch 2000 gives **+2.8%** items/s');
  });
});

describe('slopeBetween', () => {
  const t = Array.from({ length: 40 }, (_, i) => i);
  it('is the least-squares slope per second over (from, to], ignoring missing values', () => {
    const line = t.map((x) => (x === 7 ? null : 100 + 0.5 * x));
    expect(slopeBetween(t, line, 0, 39)).toBeCloseTo(0.5, 9);
    const sawtooth = t.map((x) => 100 + (x % 2 === 0 ? 30 : -30));
    expect(slopeBetween(t, sawtooth, 19, 38)).toBeCloseTo(0, 9); // swings, no trend
  });

  it('says nothing with fewer than pointsMin values', () => {
    expect(slopeBetween(t, t, 30, 39)).toBeNull();
    expect(slopeBetween(t, t, 30, 39, 9)).toBeCloseTo(1, 9);
  });
});
