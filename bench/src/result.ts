import type { LoadReport } from '@asp/loadgen';
import type { CatchUp } from './catchup.ts';
import type { FsyncPreflight } from './fsync.ts';
import { bucketCounts, histogramDelta, histogramQuantile } from './histo.ts';
import { type MachineInfo, machineInfo } from './machine.ts';
import type { PeerResult } from './peers-contract.ts';
import type { RunProfiles } from './profile/load.ts';
import type { Scrape } from './sampler.ts';
import type { RunPlan } from './scenarios.ts';
import {
  type Column,
  deriveSeries,
  maxOf,
  meanBetween,
  type Point,
  type Series,
  slopeBetween,
} from './series.ts';

export const RESULT_SCHEMA = 'asp-bench/1';

/** The processes whose CPU a run reports, in the order the JSON lists them. */
const CPU_PROCESSES = ['sequencer', 'projector', 'nats', 'mongo', 'bench', 'machine'] as const;
type CpuProcess = (typeof CPU_PROCESSES)[number];

/**
 * A CPU figure per process: the two services, nats-server, the MongoDB-wire server, the
 * bench itself, and the whole machine; null where it was not reported.
 */
export type CpuPerProcess = Record<CpuProcess, number | null>;

/** One load run. Every field is documented in bench/README.md; renaming one is a breaking change. */
export interface RunResult {
  schema: typeof RESULT_SCHEMA;
  scenario: string;
  date: string;
  pipeline: 'fresh' | 'given';
  duration_s: number;
  items: number;
  items_per_s: number;
  accepted: number;
  rejected: number;
  rejected_by_code: Record<string, number>;
  unanswered: number;
  p50_ms: number;
  p90_ms: number;
  p99_ms: number;
  p999_ms: number;
  max_ms: number;
  batch: number;
  producers: number;
  payload_bytes: number;
  aggregates: number;
  hot: string | null;
  note: string;
  setup_commands: number;
  fsyncs: number | null;
  fsync_p50_us: number;
  fsync_p99_us: number;
  preflight: FsyncPreflight;
  wal_fsync_p50_us: number | null;
  wal_fsync_p99_us: number | null;
  batches: number | null;
  batch_mean: number | null;
  batch_sizes: { le: string; count: number }[] | null;
  projector_lag_end_s: number | null;
  projector_lag_max_s: number | null;
  catchup: CatchUp;
  rss_max_mb: { sequencer: number | null; projector: number | null; bench: number | null };
  /**
   * Resident memory's trend over the second half of the load, MiB per minute (least squares;
   * null for a load under two minutes, or with fewer than ten samples there): the first half
   * is warm-up (heaps and caches filling), a leak keeps rising after it.
   */
  rss_trend_mb_per_min: { sequencer: number | null; projector: number | null; bench: number | null };
  /** Mean cores in use during the load; `machine` counts every process, `cpus` how many there are. */
  cpu_cores_load: CpuPerProcess & { cpus: number };
  /**
   * CPU microseconds per answered command, per process: the mean cores during the load over
   * items per second. Where the two cores go, in a figure that does not move with the rate.
   */
  cpu_us_per_item: CpuPerProcess;
  leveldb: { l0_files_max: number | null; compaction_s: number | null; compaction_mb: number | null };
  integrity: string;
  /** With `--profile`: each Node process's CPU profile of the load, summarized; null otherwise. */
  profiles: RunProfiles | null;
  machine: MachineInfo;
  load_end_s: number;
  series: Series;
}

/** A scenario's file: its main run, plus the comparison the scenario exists for. */
export interface ScenarioResult extends RunResult {
  ceiling?: {
    batch: number;
    items_per_s: number;
    p50_ms: number;
    p99_ms: number;
    gain_pct: number;
    run: RunResult;
  };
  peers?: PeerResult[];
  ratio?: Partial<Record<PeerResult['mode'], number | null>>;
}

const r1 = (n: number) => Math.round(n * 10) / 10;
const r3 = (n: number) => Math.round(n * 1000) / 1000;
const opt = (n: number | null | undefined, f = r1) => (n === null || n === undefined ? null : f(n));

export interface RunParts {
  plan: RunPlan;
  date: Date;
  fresh: boolean;
  load: LoadReport;
  setupCommands: number;
  preflight: FsyncPreflight;
  first: Scrape | undefined;
  last: Scrape | undefined;
  points: Point[];
  loadEndS: number;
  lagEndS: number | undefined;
  catchup: CatchUp;
  integrity: string;
  profiles?: RunProfiles | null;
}

/** The run's figures from what the producers saw, the services' counters and the sampled series. */
export function buildRunResult(x: RunParts): RunResult {
  const series = deriveSeries(x.points);
  const lat = x.load.latency;
  const fsyncH = histogramDelta(x.first?.seq, x.last?.seq, 'asp_wal_fsync_seconds');
  const batchH = histogramDelta(x.first?.seq, x.last?.seq, 'asp_sequencer_batch_commands');
  const firstPt = x.points[0];
  const lastPt = x.points[x.points.length - 1];
  const delta = (k: 'compaction_seconds' | 'compaction_bytes') =>
    firstPt?.[k] !== undefined && lastPt?.[k] !== undefined ? lastPt[k] - firstPt[k] : null;
  const compactionBytes = delta('compaction_bytes');
  const q = (p: number) => (fsyncH ? histogramQuantile(fsyncH, p) : null);
  const machine = machineInfo();
  return {
    schema: RESULT_SCHEMA,
    scenario: x.plan.scenario,
    date: x.date.toISOString(),
    pipeline: x.fresh ? 'fresh' : 'given',
    duration_s: r3(x.load.elapsedMs / 1000),
    items: x.load.answered,
    items_per_s: Math.round(x.load.itemsPerSecond),
    accepted: x.load.accepted,
    rejected: x.load.rejected,
    rejected_by_code: x.load.rejectedByCode,
    unanswered: x.load.errors,
    p50_ms: r1(lat.percentile(0.5)),
    p90_ms: r1(lat.percentile(0.9)),
    p99_ms: r1(lat.percentile(0.99)),
    p999_ms: r1(lat.percentile(0.999)),
    max_ms: r1(lat.maxMs),
    batch: x.plan.batch,
    producers: x.plan.producers,
    payload_bytes: x.plan.payloadBytes,
    aggregates: x.plan.aggregates,
    hot: x.plan.hot ?? null,
    note: x.plan.note,
    setup_commands: x.setupCommands,
    fsyncs: fsyncH ? fsyncH.count : null,
    fsync_p50_us: x.preflight.p50_us,
    fsync_p99_us: x.preflight.p99_us,
    preflight: x.preflight,
    wal_fsync_p50_us: opt(q(0.5), (s) => Math.round(s * 1e6)),
    wal_fsync_p99_us: opt(q(0.99), (s) => Math.round(s * 1e6)),
    batches: batchH ? batchH.count : null,
    batch_mean: batchH && batchH.count > 0 ? r1(batchH.sum / batchH.count) : null,
    batch_sizes: batchH ? bucketCounts(batchH) : null,
    projector_lag_end_s: opt(x.lagEndS, r3),
    projector_lag_max_s: opt(maxOf(series.projector_lag_s), r3),
    catchup: x.catchup,
    rss_max_mb: {
      sequencer: opt(maxOf(series.rss_mb.sequencer)),
      projector: opt(maxOf(series.rss_mb.projector)),
      bench: opt(maxOf(series.rss_mb.bench)),
    },
    rss_trend_mb_per_min: {
      sequencer: rssTrend(series, series.rss_mb.sequencer, x.loadEndS),
      projector: rssTrend(series, series.rss_mb.projector, x.loadEndS),
      bench: rssTrend(series, series.rss_mb.bench, x.loadEndS),
    },
    cpu_cores_load: cpuDuringLoad(series, x.loadEndS, machine.cpus),
    cpu_us_per_item: cpuPerItem(series, x.loadEndS, x.load.itemsPerSecond),
    leveldb: {
      l0_files_max: maxOf(series.leveldb_l0_files),
      compaction_s: opt(delta('compaction_seconds'), r3),
      compaction_mb: opt(compactionBytes === null ? null : compactionBytes / 2 ** 20),
    },
    integrity: x.integrity,
    profiles: x.profiles ?? null,
    machine,
    load_end_s: r3(x.loadEndS),
    series,
  };
}

/**
 * Shorter halves say nothing: in a 30 s run the second half is still warm-up (the `all`
 * scenarios' 15 s halves gave -240 to +410 MiB/min).
 */
const TREND_HALF_S_MIN = 60;

function rssTrend(series: Series, col: Column, loadEndS: number): number | null {
  if (loadEndS / 2 < TREND_HALF_S_MIN) return null;
  const perS = slopeBetween(series.t_s, col, loadEndS / 2, loadEndS);
  return perS === null ? null : Math.round(perS * 60 * 10) / 10;
}

function perProcess(f: (p: CpuProcess) => number | null): CpuPerProcess {
  return Object.fromEntries(CPU_PROCESSES.map((p) => [p, f(p)])) as CpuPerProcess;
}

/** Mean cores per process over the load (ticks after the first and up to its end), unrounded. */
function meanCores(series: Series, loadEndS: number): CpuPerProcess {
  return perProcess((p) => meanBetween(series.t_s, series.cpu_cores[p], 0, loadEndS));
}

/** Mean cores per process over the load, to 0.01 core. */
export function cpuDuringLoad(series: Series, loadEndS: number, cpus: number): RunResult['cpu_cores_load'] {
  const cores = meanCores(series, loadEndS);
  return { ...perProcess((p) => opt(cores[p], (c) => Math.round(c * 100) / 100)), cpus };
}

/**
 * CPU µs per answered command, per process, to 0.1 µs. From the unrounded mean cores and
 * rate, not the JSON's rounded ones: a core rounded to 0.01 would move it by ~0.3 µs at 15k
 * items/s. Null where the cores are unknown or nothing was answered.
 */
export function cpuPerItem(series: Series, loadEndS: number, itemsPerS: number): CpuPerProcess {
  const cores = meanCores(series, loadEndS);
  return perProcess((p) => {
    const c = cores[p];
    return c === null || !(itemsPerS > 0) ? null : r1((c * 1e6) / itemsPerS);
  });
}
