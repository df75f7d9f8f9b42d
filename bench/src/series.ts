import { metricValue, type PromSample } from './prom.ts';

/** One sampling tick: cumulative counters and gauges as read, before any rate is taken. */
export interface Point {
  t_s: number;
  /** Commands answered to the producers so far (the bench's own count). */
  items: number;
  seq_commands?: number | undefined;
  seq_batches?: number | undefined;
  batch_commands_sum?: number | undefined;
  fsyncs?: number | undefined;
  l0_files?: number | undefined;
  compaction_seconds?: number | undefined;
  compaction_bytes?: number | undefined;
  relay_lag_records?: number | undefined;
  projector_lag_records?: number | undefined;
  projector_lag_s?: number | undefined;
  /** Flow control: the commands a second the sequencer may take (0: no limit), and its waits so far. */
  flow_rate_limit?: number | undefined;
  flow_wait_seconds?: number | undefined;
  rss_sequencer?: number | undefined;
  /** The sequencer's memory by part, bytes: V8's heap, external (buffers), LevelDB's memtables and block cache, the absent-key filters. */
  mem_sequencer_heap?: number | undefined;
  mem_sequencer_external?: number | undefined;
  mem_sequencer_leveldb?: number | undefined;
  mem_sequencer_filters?: number | undefined;
  rss_projector?: number | undefined;
  rss_bench?: number | undefined;
  /**
   * CPU seconds used so far (process_cpu_seconds_total; nats-server's and the MongoDB-wire
   * server's from /proc, fresh pipelines only; the bench's own; the whole machine's busy time).
   */
  cpu_sequencer?: number | undefined;
  cpu_projector?: number | undefined;
  cpu_nats?: number | undefined;
  cpu_mongo?: number | undefined;
  cpu_bench?: number | undefined;
  cpu_machine?: number | undefined;
}

export type Column = (number | null)[];

/** The time series of a run, by column (JSON-friendly; null = not reported at that tick). */
export interface Series {
  t_s: number[];
  items_per_s: Column;
  server_items_per_s: Column;
  fsyncs_per_s: Column;
  batch_mean: Column;
  relay_lag_records: Column;
  projector_lag_s: Column;
  projector_lag_records: Column;
  /** Flow control's rate limit at each tick, commands/s (0: none), and the share of time the committer waited. */
  flow_rate_limit: Column;
  flow_wait_share: Column;
  leveldb_l0_files: Column;
  leveldb_compaction_s_per_s: Column;
  leveldb_compaction_mb_per_s: Column;
  rss_mb: { sequencer: Column; projector: Column; bench: Column };
  /**
   * Parts of the sequencer's resident memory, MiB: V8's heap (total), external memory (buffers,
   * the "certainly absent" filters among them), and within what is left, LevelDB's memtables and
   * block cache. The rest is native: LevelDB's open tables, the allocator's free lists, code.
   */
  sequencer_memory_mb: { heap: Column; external: Column; leveldb: Column; filters: Column };
  /** Cores in use between ticks; `machine` is every process (the OS and anything else running too). */
  cpu_cores: {
    sequencer: Column;
    projector: Column;
    nats: Column;
    mongo: Column;
    bench: Column;
    machine: Column;
  };
}

/** What one tick reads of this process and machine besides the services' /metrics. */
export interface LocalFigures {
  rssBench: number;
  cpuBench: number;
  /** Undefined where the bench did not start the server or /proc cannot tell. */
  cpuNats: number | undefined;
  cpuMongo: number | undefined;
  cpuMachine: number | undefined;
}

/** Reads the figures of one tick from each service's parsed /metrics (either may be missing). */
export function pointOf(
  t_s: number,
  items: number,
  seq: readonly PromSample[] | undefined,
  proj: readonly PromSample[] | undefined,
  local: LocalFigures,
): Point {
  const s = (name: string, labels?: Record<string, string>) =>
    seq ? metricValue(seq, name, labels) : undefined;
  const p = (name: string) => (proj ? metricValue(proj, name) : undefined);
  return {
    t_s,
    items,
    seq_commands: s('asp_sequencer_commands_total'),
    seq_batches: s('asp_sequencer_batches_total'),
    batch_commands_sum: s('asp_sequencer_batch_commands_sum'),
    fsyncs: s('asp_wal_fsync_seconds_count'),
    l0_files: s('asp_leveldb_files', { level: '0' }),
    compaction_seconds: s('asp_leveldb_compaction_seconds_total'),
    compaction_bytes: s('asp_leveldb_compaction_bytes_total'),
    relay_lag_records: s('asp_relay_lag_records'),
    projector_lag_records: p('asp_projector_lag_records'),
    projector_lag_s: p('asp_projector_lag_seconds'),
    flow_rate_limit: s('asp_sequencer_flow_rate_limit'),
    flow_wait_seconds: s('asp_sequencer_flow_wait_seconds_total'),
    rss_sequencer: s('asp_sequencer_process_resident_memory_bytes'),
    mem_sequencer_heap: s('asp_sequencer_nodejs_heap_size_total_bytes'),
    mem_sequencer_external: s('asp_sequencer_nodejs_external_memory_bytes'),
    mem_sequencer_leveldb: s('asp_leveldb_memory_bytes'),
    mem_sequencer_filters: s('asp_state_filter_bytes'),
    rss_projector: p('asp_projector_process_resident_memory_bytes'),
    rss_bench: local.rssBench,
    cpu_sequencer: s('asp_sequencer_process_cpu_seconds_total'),
    cpu_projector: p('asp_projector_process_cpu_seconds_total'),
    cpu_nats: local.cpuNats,
    cpu_mongo: local.cpuMongo,
    cpu_bench: local.cpuBench,
    cpu_machine: local.cpuMachine,
  };
}

type Key = Exclude<keyof Point, 't_s'>;

/** Per-second rate of a counter between ticks; null at the first tick, across a gap or a reset. */
export function rate(points: readonly Point[], key: Key, scale = 1): Column {
  return points.map((pt, i) => {
    const prev = points[i - 1];
    const a = prev?.[key];
    const b = pt[key];
    if (prev === undefined || a === undefined || b === undefined) return null;
    const dt = pt.t_s - prev.t_s;
    if (dt <= 0 || b < a) return null;
    return ((b - a) / dt) * scale;
  });
}

/** Ratio of two counters' increments per tick (e.g. commands per batch). */
export function ratioOfDeltas(points: readonly Point[], num: Key, den: Key): Column {
  return points.map((pt, i) => {
    const prev = points[i - 1];
    const dn = (pt[num] ?? Number.NaN) - (prev?.[num] ?? Number.NaN);
    const dd = (pt[den] ?? Number.NaN) - (prev?.[den] ?? Number.NaN);
    return dd > 0 && dn >= 0 ? dn / dd : null;
  });
}

export function gauge(points: readonly Point[], key: Key, scale = 1): Column {
  return points.map((pt) => (pt[key] === undefined ? null : pt[key] * scale));
}

const MB = 1024 * 1024;

export function deriveSeries(points: readonly Point[]): Series {
  return {
    t_s: points.map((p) => Math.round(p.t_s * 1000) / 1000),
    items_per_s: rate(points, 'items'),
    server_items_per_s: rate(points, 'seq_commands'),
    fsyncs_per_s: rate(points, 'fsyncs'),
    batch_mean: ratioOfDeltas(points, 'batch_commands_sum', 'seq_batches'),
    relay_lag_records: gauge(points, 'relay_lag_records'),
    projector_lag_s: gauge(points, 'projector_lag_s'),
    projector_lag_records: gauge(points, 'projector_lag_records'),
    flow_rate_limit: gauge(points, 'flow_rate_limit'),
    flow_wait_share: rate(points, 'flow_wait_seconds'),
    leveldb_l0_files: gauge(points, 'l0_files'),
    leveldb_compaction_s_per_s: rate(points, 'compaction_seconds'),
    leveldb_compaction_mb_per_s: rate(points, 'compaction_bytes', 1 / MB),
    rss_mb: {
      sequencer: gauge(points, 'rss_sequencer', 1 / MB),
      projector: gauge(points, 'rss_projector', 1 / MB),
      bench: gauge(points, 'rss_bench', 1 / MB),
    },
    sequencer_memory_mb: {
      heap: gauge(points, 'mem_sequencer_heap', 1 / MB),
      external: gauge(points, 'mem_sequencer_external', 1 / MB),
      leveldb: gauge(points, 'mem_sequencer_leveldb', 1 / MB),
      filters: gauge(points, 'mem_sequencer_filters', 1 / MB),
    },
    cpu_cores: {
      sequencer: rate(points, 'cpu_sequencer'),
      projector: rate(points, 'cpu_projector'),
      nats: rate(points, 'cpu_nats'),
      mongo: rate(points, 'cpu_mongo'),
      bench: rate(points, 'cpu_bench'),
      machine: rate(points, 'cpu_machine'),
    },
  };
}

/** A column's reported values at times in (from, to], with their times. */
function between(t: readonly number[], col: Column, from: number, to: number): { at: number[]; v: number[] } {
  const out: { at: number[]; v: number[] } = { at: [], v: [] };
  for (let i = 0; i < col.length; i++) {
    const v = col[i];
    const at = t[i]!;
    if (v === null || v === undefined || at <= from || at > to) continue;
    out.at.push(at);
    out.v.push(v);
  }
  return out;
}

const mean = (xs: readonly number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;

/** The mean of a column's values at times in (from, to], null when there is none. */
export function meanBetween(t: readonly number[], col: Column, from: number, to: number): number | null {
  const { v } = between(t, col, from, to);
  return v.length === 0 ? null : mean(v);
}

/**
 * The least-squares slope of a column over the times in (from, to], per second; null with
 * fewer than `pointsMin` values (too few to tell a trend from the garbage collector's swings).
 */
export function slopeBetween(
  t: readonly number[],
  col: Column,
  from: number,
  to: number,
  pointsMin = 10,
): number | null {
  const { at, v } = between(t, col, from, to);
  if (at.length < pointsMin) return null;
  const mt = mean(at);
  const mv = mean(v);
  let stv = 0;
  let stt = 0;
  for (let i = 0; i < at.length; i++) {
    stv += (at[i]! - mt) * (v[i]! - mv);
    stt += (at[i]! - mt) ** 2;
  }
  return stt === 0 ? null : stv / stt;
}

/** The largest value of a column, or null when nothing was reported. */
export function maxOf(col: Column): number | null {
  let m: number | null = null;
  for (const v of col) if (v !== null && (m === null || v > m)) m = v;
  return m;
}
