import { describe, expect, it } from 'vitest';
import { bucketCounts, histogramDelta, histogramQuantile } from '../src/histo.ts';
import { parsePrometheus } from '../src/prom.ts';
import { deriveSeries, maxOf, meanBetween, type Point, pointOf, rate } from '../src/series.ts';

const pt = (t_s: number, items: number, extra: Partial<Point> = {}): Point => ({ t_s, items, ...extra });

describe('time-series math', () => {
  it('takes per-second rates between ticks, null at the first tick and across a reset', () => {
    const points = [pt(0, 0), pt(1, 1000), pt(3, 5000), pt(4, 10)];
    expect(rate(points, 'items')).toEqual([null, 1000, 2000, null]);
  });

  it('leaves a gap where a service did not answer', () => {
    const points = [pt(0, 0, { fsyncs: 0 }), pt(1, 0), pt(2, 0, { fsyncs: 20 })];
    const s = deriveSeries(points);
    expect(s.fsyncs_per_s).toEqual([null, null, null]);
    expect(s.leveldb_l0_files).toEqual([null, null, null]);
  });

  it('derives the mean batch from the increments of the histogram sum and the batch counter', () => {
    const points = [
      pt(0, 0, { seq_batches: 10, batch_commands_sum: 1000 }),
      pt(1, 0, { seq_batches: 14, batch_commands_sum: 5000 }),
      pt(2, 0, { seq_batches: 14, batch_commands_sum: 5000 }),
    ];
    expect(deriveSeries(points).batch_mean).toEqual([null, 1000, null]);
  });

  it('converts memory to MiB and finds the maximum', () => {
    const s = deriveSeries([pt(0, 0, { rss_sequencer: 2 ** 20 }), pt(1, 0, { rss_sequencer: 3 * 2 ** 20 })]);
    expect(s.rss_mb.sequencer).toEqual([1, 3]);
    expect(maxOf(s.rss_mb.sequencer)).toBe(3);
    expect(maxOf(s.rss_mb.projector)).toBeNull();
    expect(s.sequencer_memory_mb.heap).toEqual([null, null]);
  });

  it('reads a point from scraped metrics, tolerating the LevelDB metrics being absent', () => {
    const seq = parsePrometheus(
      'asp_sequencer_commands_total{outcome="accepted"} 7\nasp_wal_fsync_seconds_count 3\n',
    );
    const p = pointOf(1.5, 9, seq, undefined, {
      rssBench: 100,
      cpuBench: 2,
      cpuNats: 0.5,
      cpuMongo: undefined,
      cpuMachine: undefined,
    });
    expect(p).toMatchObject({
      t_s: 1.5,
      items: 9,
      seq_commands: 7,
      fsyncs: 3,
      rss_bench: 100,
      cpu_nats: 0.5,
    });
    expect(p.cpu_mongo).toBeUndefined();
    expect(p.l0_files).toBeUndefined();
    expect(p.projector_lag_s).toBeUndefined();
  });
});

describe('flow control', () => {
  it("reads the sequencer's rate limit and the share of time it waited for the read models", () => {
    const seq = parsePrometheus(
      'asp_sequencer_flow_rate_limit 12000\nasp_sequencer_flow_wait_seconds_total 0.25\n',
    );
    const local = {
      rssBench: 0,
      cpuBench: 0,
      cpuNats: undefined,
      cpuMongo: undefined,
      cpuMachine: undefined,
    };
    expect(pointOf(1, 0, seq, undefined, local)).toMatchObject({
      flow_rate_limit: 12000,
      flow_wait_seconds: 0.25,
    });
    const s = deriveSeries([
      pt(0, 0, { flow_rate_limit: 0, flow_wait_seconds: 0 }),
      pt(2, 0, { flow_rate_limit: 9000, flow_wait_seconds: 0.5 }),
      pt(3, 0, {}),
    ]);
    expect(s.flow_rate_limit).toEqual([0, 9000, null]);
    // Waited 0.5 s of the 2 s between the first two ticks.
    expect(s.flow_wait_share).toEqual([null, 0.25, null]);
  });
});

describe('histograms over a run', () => {
  const scrape = (c: number[]) =>
    parsePrometheus(
      [1, 10, 100, '+Inf'].map((le, i) => `h_bucket{le="${le}"} ${c[i]}`).join('\n') +
        `\nh_count ${c[3]}\nh_sum ${c[3]! * 10}`,
    );

  it('subtracts the first scrape from the last', () => {
    const d = histogramDelta(scrape([1, 2, 3, 3]), scrape([1, 6, 13, 13]), 'h')!;
    expect(d.cumulative).toEqual([0, 4, 10, 10]);
    expect(d.count).toBe(10);
    expect(bucketCounts(d)).toEqual([
      { le: '1', count: 0 },
      { le: '10', count: 4 },
      { le: '100', count: 6 },
      { le: '+Inf', count: 0 },
    ]);
  });

  it('interpolates quantiles inside a bucket, as Prometheus does', () => {
    const h = { le: [1, 10, 100, Number.POSITIVE_INFINITY], cumulative: [0, 4, 10, 10], count: 10, sum: 0 };
    expect(histogramQuantile(h, 0.2)).toBeCloseTo(5.5);
    expect(histogramQuantile(h, 0.7)).toBeCloseTo(55);
    expect(histogramQuantile({ ...h, count: 0 }, 0.5)).toBeNull();
  });
});

describe('CPU per process', () => {
  it('takes cores from CPU-second counters and averages them over the load only', () => {
    const machine = [0, 1.9, 3.8, 3.9, 4.0];
    const points = machine.map((m, t) => pt(t, 0, { cpu_sequencer: t * 0.8, cpu_machine: m }));
    const s = deriveSeries(points);
    expect(s.cpu_cores.sequencer[0]).toBeNull();
    expect(s.cpu_cores.sequencer[4]).toBeCloseTo(0.8);
    // The load ended at t = 2: the machine was 1.9 cores busy until then, 0.1 after.
    expect(meanBetween(s.t_s, s.cpu_cores.machine, 0, 2)).toBeCloseTo(1.9);
    expect(meanBetween(s.t_s, s.cpu_cores.machine, 0, 4)).toBeCloseTo(1.0);
    expect(meanBetween(s.t_s, s.cpu_cores.bench, 0, 2)).toBeNull();
  });

  it("takes the servers' cores from their CPU seconds, null where the bench could not read them", () => {
    const points = [0, 1, 2].map((t) =>
      pt(t, 0, { cpu_nats: t * 0.25, ...(t === 1 ? {} : { cpu_mongo: t * 0.6 }) }),
    );
    const s = deriveSeries(points);
    expect(s.cpu_cores.nats).toEqual([null, 0.25, 0.25]);
    expect(s.cpu_cores.mongo).toEqual([null, null, null]);
  });
});
