import type { RunResult, ScenarioResult } from '../result.ts';
import type { Chart } from './charts.ts';

const n = (v: number | null | undefined, unit = ''): string =>
  v === null || v === undefined ? 'not reported' : `${v.toLocaleString('en-US')}${unit}`;

function headline(r: RunResult): string[] {
  const pct = r.items > 0 ? ((100 * r.rejected) / r.items).toFixed(1) : '0.0';
  return [
    '| items/s | items | duration | p50 | p99 | rejected | commands per message | producers | payload | integrity |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    `| ${n(r.items_per_s)} | ${n(r.items)} | ${r.duration_s} s | ${r.p50_ms} ms | ${r.p99_ms} ms | ${pct}% | ${r.batch} | ${r.producers} | ${r.payload_bytes} B | ${r.integrity} |`,
  ];
}

/** Cores per process and CPU µs per answered command: where the machine's cores go. */
function cpuLine(r: RunResult): string {
  const c = r.cpu_cores_load;
  const u = r.cpu_us_per_item;
  const per = (k: keyof RunResult['cpu_us_per_item']) => `${n(c[k])} (${n(u[k], ' µs')})`;
  return (
    `- CPU during the load, mean cores of ${c.cpus} (CPU µs per answered command): sequencer ${per('sequencer')}, ` +
    `projector ${per('projector')}, nats-server ${per('nats')}, the MongoDB-wire server ${per('mongo')}, ` +
    `bench ${per('bench')}; the whole machine ${per('machine')} (the OS and anything else running are the rest; ` +
    'nats-server and the MongoDB-wire server are read from /proc in a fresh pipeline only).'
  );
}

function details(r: RunResult): string[] {
  const pf = r.preflight;
  const ld = r.leveldb;
  return [
    `- ${r.note}.`,
    `- fsync preflight of \`${pf.dir}\`: ${pf.samples} × (4 KiB write + fdatasync): p50 ${pf.p50_us} µs, p99 ${pf.p99_us} µs, max ${pf.max_us} µs (limit ${pf.limit_us} µs${pf.forced ? ', **over the limit, run forced**' : ''}).`,
    `- WAL fsyncs during the run: ${n(r.fsyncs)} (p50 ≈ ${n(r.wal_fsync_p50_us, ' µs')}, p99 ≈ ${n(r.wal_fsync_p99_us, ' µs')}, from the sequencer's histogram); batches ${n(r.batches)}, mean ${n(r.batch_mean)} commands.`,
    `- Projector: lag at the end of the load ${n(r.projector_lag_end_s, ' s')}, max ${n(r.projector_lag_max_s, ' s')}; read models ${r.catchup.caught_up ? `caught up ${r.catchup.catchup_s} s after the load` : `**not caught up** after ${r.catchup.catchup_s} s`} (WAL seq ${n(r.catchup.wal_last_seq)}).`,
    `- Memory max: sequencer ${n(r.rss_max_mb.sequencer, ' MiB')}, projector ${n(r.rss_max_mb.projector, ' MiB')}, bench ${n(r.rss_max_mb.bench, ' MiB')}; trend over the second half of the load: sequencer ${n(r.rss_trend_mb_per_min.sequencer, ' MiB/min')}, projector ${n(r.rss_trend_mb_per_min.projector, ' MiB/min')}, bench ${n(r.rss_trend_mb_per_min.bench, ' MiB/min')}.`,
    cpuLine(r),
    `- LevelDB: level-0 files max ${n(ld.l0_files_max)}; compactions ${n(ld.compaction_s, ' s')}, ${n(ld.compaction_mb, ' MiB')} written.`,
    `- Answered ${n(r.items)} = accepted ${n(r.accepted)} + rejected ${n(r.rejected)} (${
      Object.entries(r.rejected_by_code)
        .map(([c, k]) => `${c} ${k.toLocaleString('en-US')}`)
        .join(', ') || 'none'
    }); unanswered ${n(r.unanswered)}; set-up ${n(r.setup_commands)} commands before the timed load.`,
  ];
}

function chartSection(charts: { chart: Chart; file: string }[]): string[] {
  return charts.flatMap(({ chart, file }) => [`![${chart.key}](${file})`, '', `*${chart.caption}.*`, '']);
}

function ceilingSection(r: ScenarioResult): string[] {
  if (!r.ceiling) return [];
  const c = r.ceiling;
  return [
    '## Ceiling: batch 1000 vs 2000',
    '',
    '| commands per message | items/s | p50 | p99 |',
    '|---:|---:|---:|---:|',
    `| ${r.batch} | ${n(r.items_per_s)} | ${r.p50_ms} ms | ${r.p99_ms} ms |`,
    `| ${c.batch} | ${n(c.items_per_s)} | ${c.p50_ms} ms | ${c.p99_ms} ms |`,
    '',
    `Batch ${c.batch} gives **${c.gain_pct >= 0 ? '+' : ''}${c.gain_pct}%** items/s (reference: +2.8%). Audit of the ${c.batch} run: ${c.run.integrity}.`,
    '',
  ];
}

function peersSection(r: ScenarioResult): string[] {
  if (!r.peers) return [];
  return [
    '## Peers: the same workload on PostgreSQL',
    '',
    '| system | items/s | p50 | p99 | retries | invariant violations | ours × |',
    '|---|---:|---:|---:|---:|---:|---:|',
    `| ours | ${n(r.items_per_s)} | ${r.p50_ms} ms | ${r.p99_ms} ms | 0 | 0 (audit: ${r.integrity}) | 1 |`,
    ...r.peers.map(
      (p) =>
        `| PostgreSQL ${p.mode} | ${n(p.items_per_s)} | ${p.p50_ms} ms | ${p.p99_ms} ms | ${n(p.retries)} | ${n(p.violations)} | ${r.ratio?.[p.mode] ?? '∞'} |`,
    ),
    '',
  ];
}

/** `|` would end a table cell; a function name or a path may hold one. */
const cell = (s: string) => s.replace(/\|/g, '\\|');

/**
 * With `--profile`: each process's busy share, where its busy samples went by owner and by
 * function, and its flame graph. The profilers' own cost is in the run's figures.
 */
export function profileSection(r: RunResult, heading = '## Where the CPU went (profiled run)'): string[] {
  if (!r.profiles) return [];
  const lines = [
    heading,
    '',
    'Sampled during the load only (the set-up, the catch-up and the audit are not in it). ' +
      "The profilers cost the profiled processes CPU: this run's throughput is not a result. " +
      "Shares are of each process's busy samples: for the Node processes V8's, of the main thread " +
      "(LevelDB's and the WAL's work on libuv's pool is not on it); for FerretDB and nats-server Go's, " +
      "of every thread (FerretDB's C code, SQLite, is one frame: Go cannot unwind it; nats-server's " +
      'system calls are the kernel time they took, its writes to the page cache most of it).',
    '',
  ];
  for (const [name, p] of Object.entries(r.profiles)) {
    if (!p) continue;
    lines.push(
      `### ${name}: busy ${p.busy_pct}% of ${p.duration_s} s, GC ${p.gc_pct}% of busy`,
      '',
      `By owner: ${p.by_package.map((x) => `${x.pkg} ${x.pct}%`).join(', ')}.`,
      '',
      '| function (self time) | owner | % of busy |',
      '|---|---|---:|',
      ...p.top_self.map((t) => `| \`${cell(t.name)}\` | ${cell(t.pkg)} | ${t.pct} |`),
      '',
      `![${name} flame graph](${p.flame_file})`,
      '',
      `*Flame graph of the ${name} (hover a frame for its share); the profile itself: [${p.profile_file}](${p.profile_file}), ${
        p.profile_file.endsWith('.pb.gz')
          ? 'for `go tool pprof`'
          : "for Chrome DevTools' Performance panel or speedscope"
      }.*`,
      '',
    );
  }
  return lines;
}

/** The human report of one scenario: the figures, how they were measured, the charts. */
export function renderMarkdown(
  r: ScenarioResult,
  o: {
    command: string;
    charts: { chart: Chart; file: string }[];
    secondCharts?: { chart: Chart; file: string }[];
  },
): string {
  const m = r.machine;
  const lines = [
    `# Atomic State benchmark: \`${r.scenario}\``,
    '',
    `${r.date} · ${m.cpus} CPUs (${m.cpu_model}) · ${m.mem_gb} GiB · Node ${m.node} · ${m.os} · ${r.pipeline} pipeline`,
    '',
    `Command: \`${o.command}\``,
    '',
    ...headline(r),
    '',
    `**Integrity audit: ${r.integrity}**`,
    '',
    ...details(r),
    '',
    ...ceilingSection(r),
    ...peersSection(r),
    ...profileSection(r),
    '## Charts',
    '',
    ...chartSection(o.charts),
  ];
  if (r.ceiling && o.secondCharts) {
    lines.push(`## Charts of the batch ${r.ceiling.batch} run`, '', ...chartSection(o.secondCharts));
    lines.push(
      ...profileSection(
        r.ceiling.run,
        `## Where the CPU went in the batch ${r.ceiling.batch} run (profiled)`,
      ),
    );
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
