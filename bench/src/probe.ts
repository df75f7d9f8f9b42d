/**
 * The sequencer alone, for profiling its hot path: nats-server + sequencer
 * (no projector, no FerretDB, no audit), the broker load for a few seconds,
 * then the CPU the sequencer process used per answered command. CPU time is
 * what an optimisation changes; items/s on a shared 2-core machine moves with
 * the neighbours. Not a benchmark result: `pnpm bench` is.
 *
 *   node bench/src/probe.ts [--duration s] [--producers n] [--batch n] [--payload bytes] [--cpu-prof dir] [--every s]
 *
 * `--every s` also prints, every s seconds, that interval's commands per second, the bytes
 * LevelDB's compactions wrote and the sequencer's CPU per command by thread: how a sustained
 * run changes as the store grows (docs/state.md, "What compaction costs").
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { AspClient } from '@asp/client';
import { runLoad, runSetup } from '@asp/loadgen';
import { startPipeline } from '@asp/servers';
import { metricValue, parsePrometheus } from './prom.ts';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    producers: { type: 'string', default: '8' },
    batch: { type: 'string', default: '1000' },
    payload: { type: 'string', default: '1024' },
    aggregates: { type: 'string', default: '1000' },
    'cpu-prof': { type: 'string' },
    'node-options': { type: 'string', default: '' },
    keep: { type: 'boolean', default: false },
    every: { type: 'string', default: '0' },
  },
});
const num = (s: string | undefined) => Number(s);

/** utime + stime per thread name of a process, in seconds (Linux /proc; 100 clock ticks a second). */
async function cpuSeconds(pid: number): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const tid of await readdir(`/proc/${pid}/task`)) {
    const stat = await readFile(`/proc/${pid}/task/${tid}/stat`, 'utf8').catch(() => '');
    if (!stat) continue;
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replace(/[0-9]+$/, '');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    out.set(name, (out.get(name) ?? 0) + (Number(fields[11]) + Number(fields[12])) / 100);
  }
  return out;
}
const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);

/** "<thread> <µs per command>, …" for the threads that used more than 0.05 s between two readings, busiest first. */
function perCommandByThread(
  before: Map<string, number>,
  after: Map<string, number>,
  commands: number,
): string {
  return [...after]
    .map(([name, s]) => [name, s - (before.get(name) ?? 0)] as const)
    .filter(([, s]) => s > 0.05)
    .sort((a, b) => b[1] - a[1])
    .map(([name, s]) => `${name} ${((s / commands) * 1e6).toFixed(1)}`)
    .join(', ');
}

interface Tick {
  at: number;
  commands: number;
  compactionBytes: number;
  cpu: Map<string, number>;
}

/** Every `seconds`, one line on the interval just past (--every). */
function everyInterval(metricsUrl: string, pid: number, seconds: number): () => void {
  // A failed read (the sequencer stopping) only leaves out a line.
  const read = async (): Promise<Tick | undefined> => {
    try {
      const samples = parsePrometheus(await (await fetch(metricsUrl)).text());
      return {
        at: Date.now(),
        commands: metricValue(samples, 'asp_sequencer_commands_total') ?? 0,
        compactionBytes: metricValue(samples, 'asp_leveldb_compaction_bytes_total') ?? 0,
        cpu: await cpuSeconds(pid),
      };
    } catch {
      return undefined;
    }
  };
  const start = Date.now();
  let last = read();
  const timer = setInterval(() => {
    const previous = last;
    last = read();
    void Promise.all([previous, last]).then(([a, b]) => {
      if (a === undefined || b === undefined || b.commands <= a.commands) return;
      const n = b.commands - a.commands;
      console.log(
        `  ${Math.round((b.at - start) / 1000)} s: ${Math.round((n * 1000) / (b.at - a.at))} commands/s, ` +
          `compaction ${Math.round((b.compactionBytes - a.compactionBytes) / n)} B/command, µs/command ${perCommandByThread(a.cpu, b.cpu, n)}`,
      );
    });
  }, seconds * 1000);
  return () => clearInterval(timer);
}

const dir = await mkdtemp(join(tmpdir(), 'asp-probe-'));
const prof = values['cpu-prof'];
const p = await startPipeline({
  dir,
  partition: 'p0',
  mongoDb: 'probe',
  projector: false,
  watchParent: true,
  serviceEnv: {
    LOG_LEVEL: 'warn',
    NODE_OPTIONS: `${values['node-options']} ${prof ? `--cpu-prof --cpu-prof-dir=${prof}` : ''}`.trim(),
  },
});
// The watchdog shell's child is the sequencer's node process.
const children = await readFile(`/proc/${p.sequencer.pid}/task/${p.sequencer.pid}/children`, 'utf8');
const pid = Number(children.trim().split(' ')[0] ?? p.sequencer.pid);
try {
  const client = await AspClient.connect({ servers: p.nats.url, partition: 'p0', name: 'asp-probe' });
  const spec = {
    runId: `pr${Date.now().toString(36)}`,
    aggregates: num(values.aggregates),
    payloadBytes: num(values.payload),
    producers: num(values.producers),
  };
  await runSetup(client, spec);
  const every = num(values.every);
  const stopEvery = every > 0 ? everyInterval(`${p.sequencer.httpUrl}/metrics`, pid, every) : () => {};
  const cpu0 = await cpuSeconds(pid);
  const r = await runLoad({
    client,
    spec,
    seed: 1,
    producers: num(values.producers),
    batch: num(values.batch),
    durationMs: num(values.duration) * 1000,
  });
  stopEvery();
  const cpu1 = await cpuSeconds(pid);
  const metrics = await (await fetch(`${p.sequencer.httpUrl}/metrics`)).text();
  const memory = metrics
    .split('\n')
    .filter((l) =>
      /^asp_(sequencer_(process_resident_memory_bytes|nodejs_heap_size_used_bytes|nodejs_external_memory_bytes|nodejs_gc_duration_seconds_(sum|count)|batch_seconds_(sum|count)|batch_commands_sum)|wal_fsync_seconds_sum|state_filter_(skipped_total|false_positives_total|keys)|wal_bytes_total|relay_bytes_total|relay_published_seq|leveldb_compaction_(seconds|bytes)_total)/.test(
        l,
      ),
    )
    .join('\n  ');
  const cpu = sum(cpu1) - sum(cpu0);
  await client.close();
  const q = (x: number) => r.latency.percentile(x).toFixed(1);
  console.log(
    `probe ${Math.round(r.itemsPerSecond)} items/s  ${r.answered} items  p50 ${q(0.5)} ms  p99 ${q(0.99)} ms  ` +
      `sequencer ${cpu.toFixed(2)} CPU s = ${((cpu / r.answered) * 1e6).toFixed(1)} µs/command, ` +
      `${(cpu / (r.elapsedMs / 1000)).toFixed(2)} cores\n  µs/command by thread: ${perCommandByThread(cpu0, cpu1, r.answered)}\n  ${memory}`,
  );
} finally {
  for (const s of p.processes.reverse()) await s.stop();
  if (values.keep) console.log(`kept ${dir}`);
  else await rm(dir, { recursive: true, force: true });
}
