import type { RunResult, ScenarioResult } from '../result.ts';
import { barChart, emptyChart, lineChart } from './svg.ts';

/** One chart of a report: its file suffix, its caption in the Markdown, its SVG. */
export interface Chart {
  key: string;
  caption: string;
  svg: string;
}

/**
 * The report's charts for one run, in the order BENCHMARKS.md lists them, then memory and CPU
 * per process. A metric no service reported (LevelDB health before the sequencer exports it)
 * still gets its frame, saying so, so a reader sees what is missing.
 */
export function runCharts(r: RunResult): Chart[] {
  const s = r.series;
  const markX = { at: r.load_end_s, label: 'load ends' };
  const ld = r.leveldb;
  return [
    {
      key: 'throughput',
      caption:
        "Items per second over time: answered to the producers, decided by the sequencer, and flow control's limit (none where absent)",
      svg: lineChart({
        title: 'Throughput',
        subtitle: `${r.items_per_s.toLocaleString('en-US')} items/s over ${r.duration_s} s`,
        t: s.t_s,
        lines: [
          { name: 'answered (producers)', data: s.items_per_s },
          { name: 'decided (sequencer)', data: s.server_items_per_s },
          // 0 is "no limit": drawn as a gap, not as a limit of nothing.
          { name: 'flow control limit', data: s.flow_rate_limit.map((v) => (v ? v : null)) },
        ],
        yNames: ['items/s'],
        markX,
      }),
    },
    {
      key: 'latency',
      caption: 'Latency percentiles, publish to result, weighted by the commands of each message',
      svg: barChart({
        title: 'Latency',
        categories: ['p50', 'p90', 'p99', 'p99.9', 'max'],
        bars: [{ name: 'ms', data: [r.p50_ms, r.p90_ms, r.p99_ms, r.p999_ms, r.max_ms] }],
        yName: 'ms',
        labels: true,
      }),
    },
    {
      key: 'batches',
      caption: 'Commands per sequencer batch (one WAL fsync each), from asp_sequencer_batch_commands',
      svg: r.batch_sizes
        ? barChart({
            title: 'Batch sizes',
            subtitle: `mean ${r.batch_mean ?? '?'} commands over ${r.batches ?? '?'} batches`,
            categories: r.batch_sizes.map((b) => `≤${b.le}`),
            bars: [{ name: 'batches', data: r.batch_sizes.map((b) => b.count) }],
            yName: 'batches',
            xName: 'commands',
          })
        : emptyChart('Batch sizes', 'not reported by the sequencer'),
    },
    {
      key: 'fsync',
      caption: 'WAL fsyncs per second and the mean batch they made durable',
      svg: lineChart({
        title: 'fsync rate',
        subtitle: `preflight: 4 KiB fdatasync p50 ${r.fsync_p50_us} µs, p99 ${r.fsync_p99_us} µs`,
        t: s.t_s,
        lines: [
          { name: 'fsyncs/s', data: s.fsyncs_per_s },
          { name: 'commands per batch', data: s.batch_mean, axis: 1 },
        ],
        yNames: ['fsyncs/s', 'commands'],
        markX,
      }),
    },
    {
      key: 'lag',
      caption: 'Projector lag: age of the oldest record not in the read models yet, and records behind',
      svg: lineChart({
        title: 'Projector lag',
        t: s.t_s,
        lines: [
          { name: 'lag s', data: s.projector_lag_s },
          { name: 'lag records', data: s.projector_lag_records, axis: 1 },
        ],
        yNames: ['s', 'records'],
        markX,
      }),
    },
    {
      key: 'leveldb',
      caption:
        'LevelDB health: level-0 files (4 start a compaction, 8 slow writes, 12 stop them) and compaction work',
      svg: lineChart({
        title: 'LevelDB',
        subtitle:
          ld.compaction_s === null
            ? undefined
            : `compactions: ${ld.compaction_s} s, ${ld.compaction_mb ?? '?'} MiB written`,
        t: s.t_s,
        lines: [
          { name: 'level-0 files', data: s.leveldb_l0_files },
          { name: 'compaction MiB/s', data: s.leveldb_compaction_mb_per_s, axis: 1 },
        ],
        yNames: ['files', 'MiB/s'],
        markX,
      }),
    },
    {
      key: 'memory',
      caption: 'Resident memory per process',
      svg: lineChart({
        title: 'Memory (RSS)',
        t: s.t_s,
        lines: [
          { name: 'sequencer', data: s.rss_mb.sequencer },
          { name: 'projector', data: s.rss_mb.projector },
          { name: 'bench (producers)', data: s.rss_mb.bench },
        ],
        yNames: ['MiB'],
        markX,
      }),
    },
    {
      key: 'sequencer-memory',
      caption:
        "The sequencer's memory by part: what RSS has beyond the heap and external memory is native (LevelDB, the allocator)",
      svg: lineChart({
        title: 'Sequencer memory',
        t: s.t_s,
        lines: [
          { name: 'RSS', data: s.rss_mb.sequencer },
          { name: 'V8 heap', data: s.sequencer_memory_mb.heap },
          { name: 'external (buffers, the filters too)', data: s.sequencer_memory_mb.external },
          { name: 'LevelDB memtables + cache', data: s.sequencer_memory_mb.leveldb },
          { name: 'absent-key filters', data: s.sequencer_memory_mb.filters },
        ],
        yNames: ['MiB'],
        markX,
      }),
    },
    {
      key: 'cpu',
      caption:
        'CPU per process: cores in use between samples (nats-server and the MongoDB-wire server in a fresh pipeline only)',
      svg: lineChart({
        title: 'CPU',
        subtitle: cpuSubtitle(r),
        t: s.t_s,
        lines: [
          { name: 'sequencer', data: s.cpu_cores.sequencer },
          { name: 'projector', data: s.cpu_cores.projector },
          { name: 'nats-server', data: s.cpu_cores.nats },
          { name: 'MongoDB-wire server', data: s.cpu_cores.mongo },
          { name: 'bench (producers)', data: s.cpu_cores.bench },
          { name: 'machine', data: s.cpu_cores.machine },
        ],
        yNames: ['cores'],
        markX,
      }),
    },
  ];
}

/** The load's mean, as the Markdown gives it: how busy the machine was and what a command cost it. */
function cpuSubtitle(r: RunResult): string | undefined {
  const c = r.cpu_cores_load;
  const u = r.cpu_us_per_item;
  if (c.machine === null) return undefined;
  const perItem = u.machine === null ? '' : `, ${u.machine} µs of CPU per item`;
  return `during the load: ${c.machine} of ${c.cpus} cores busy${perItem}`;
}

/** The peers scenario's extra chart: ours beside each PostgreSQL mode. */
export function peersChart(r: ScenarioResult): Chart | undefined {
  if (!r.peers) return undefined;
  const names = ['ours', ...r.peers.map((p) => `pg ${p.mode}`)];
  return {
    key: 'peers',
    caption: 'The same workload: ours against PostgreSQL in each mode (items/s)',
    svg: barChart({
      title: 'Ours vs PostgreSQL',
      categories: names,
      bars: [{ name: 'items/s', data: [r.items_per_s, ...r.peers.map((p) => p.items_per_s)] }],
      yName: 'items/s',
      labels: true,
    }),
  };
}
