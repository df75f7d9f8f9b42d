/**
 * The projector alone under the broker scenario's records: CPU seconds per
 * document of the projector, FerretDB and nats-server, measured from
 * /proc/<pid>/stat (less noisy than wall time on a shared machine).
 *
 *   node services/projector/bench/apply.ts [--commands 200000] [--plan broker|single] [--rate 13000]
 *     [--profile] [--perf] [--keep] [--projector <another checkout's src/main.ts>] [--memory 10]
 *
 * FerretDB and nats-server are the ones @asp/servers finds (ASP_TOOLS_DIR
 * picks another build). Records are made once per plan and cached in the
 * temp dir: their timestamps are old, so the lag is measured from when each
 * was published.
 * Without --rate every record is published first and the projector catches
 * up (batches as large as the limits allow: a lagging projector). With
 * --rate the records are published at that many commands per second while
 * the projector runs, and the lag is sampled. Extra projector settings:
 * ASP_* variables in the environment are passed on. With --memory <s>, the
 * projector's resident memory, V8 heap and external memory are printed every
 * <s> seconds, and their trend over the second half of the run (a leak keeps
 * rising after the warm-up; heaps and caches filling do not).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { eventSubject, HEADER_WAL_SEQ } from '@asp/protocol';
import { freePort, startFerretDb, startNatsServer } from '@asp/servers';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, headers } from '@nats-io/transport-node';
import { ensureEventsStream } from '../test/support/source.ts';
import { cpuOf, serverPid } from './proc.ts';
import { PLANS, recordsOf } from './records.ts';

const { values: args } = parseArgs({
  options: {
    commands: { type: 'string', default: '200000' },
    /** The scenario whose records are applied (records.ts). */
    plan: { type: 'string', default: 'broker' },
    rate: { type: 'string' },
    profile: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    /** perf record FerretDB while the projector works (a Go binary with symbols). */
    perf: { type: 'boolean', default: false },
    /** Another projector's main.ts to run (to compare versions); default this checkout's. */
    projector: { type: 'string' },
    /** Print the projector's memory every this many seconds, and its trend at the end. */
    memory: { type: 'string' },
  },
});

/**
 * The projector as a process of its own (its CPU time apart): this checkout's, or the
 * `main.ts` given with --projector (a copy of another version, to compare).
 */
async function startProjector(env: Record<string, string>, nodeArgs: string[]) {
  const port = await freePort();
  const httpUrl = `http://127.0.0.1:${port}`;
  const log = openSync(join(dir, 'projector.log'), 'a');
  const child = spawn(
    process.execPath,
    [...nodeArgs, args.projector ?? join(import.meta.dirname, '../src/main.ts')],
    {
      env: { ...process.env, ...env, ASP_HTTP_PORT: String(port), ASP_HTTP_HOST: '127.0.0.1' },
      stdio: ['ignore', log, log],
    },
  );
  const exited = new Promise((r) => child.once('exit', r));
  for (const deadline = Date.now() + 60_000; ; ) {
    const ok = await fetch(`${httpUrl}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline || child.exitCode !== null)
      throw new Error(`the projector did not start (${dir})`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    pid: child.pid!,
    httpUrl,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Least-squares slope of each series over the second half of the samples, in MiB per minute. */
function memoryTrend(samples: { s: number; rss: number; heap: number; external: number }[]) {
  const half = samples.slice(Math.floor(samples.length / 2));
  const slope = (y: (m: (typeof samples)[number]) => number) => {
    const n = half.length;
    const mx = half.reduce((a, m) => a + m.s, 0) / n;
    const my = half.reduce((a, m) => a + y(m), 0) / n;
    const num = half.reduce((a, m) => a + (m.s - mx) * (y(m) - my), 0);
    const den = half.reduce((a, m) => a + (m.s - mx) ** 2, 0);
    return den === 0 ? 0 : Number(((num / den) * 60).toFixed(2));
  };
  return { rss: slope((m) => m.rss), heap: slope((m) => m.heap), external: slope((m) => m.external) };
}

async function metric(url: string, name: string): Promise<number> {
  return valueIn(await (await fetch(`${url}/metrics`)).text(), name);
}

/** A metric's value in a Prometheus text page (NaN when absent). */
function valueIn(text: string, name: string): number {
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : Number.NaN;
}

if (!(args.plan in PLANS)) throw new Error(`--plan: one of ${Object.keys(PLANS).join(', ')}`);
const plan = PLANS[args.plan as keyof typeof PLANS](Number(args.commands));
const t0 = Date.now();
const { bytes } = recordsOf(plan);
console.log(`${bytes.length} records, ${plan.commands} load commands (${Date.now() - t0} ms to make/load)`);

const dir = mkdtempSync(join(tmpdir(), 'asp-pjbench-'));
const nats = await startNatsServer({ dataDir: join(dir, 'nats') });
const mongo = await startFerretDb({ dataDir: join(dir, 'ferretdb') });
const nc = await connect({ servers: nats.url, maxReconnectAttempts: -1 });
await ensureEventsStream(await jetstreamManager(nc));
const js = jetstream(nc);

/** When each record was published (by index), for the lag in --rate mode. */
const publishedAt: number[] = [];
let publishedCount = 0;

async function publish(from: number, to: number): Promise<void> {
  for (let i = from; i < to; i++) {
    publishedAt[i] = Date.now();
    const h = headers();
    h.set(HEADER_WAL_SEQ, String(i + 1));
    await js.publish(eventSubject(plan.partition), bytes[i]!, { headers: h });
    publishedCount = i + 1;
  }
}

const rate = args.rate === undefined ? undefined : Number(args.rate);
if (rate === undefined) await publish(0, bytes.length);
else await publish(0, 2); // the set-up records, so the projector starts with its documents

const projectorEnv: Record<string, string> = {
  NATS_URL: nats.url,
  MONGO_URL: mongo.url,
  ASP_MONGO_DB: 'bench',
  ASP_PARTITION: plan.partition,
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
};
for (const [k, v] of Object.entries(process.env)) if (k.startsWith('ASP_') && v) projectorEnv[k] = v;
const profDir = join(dir, 'prof');
const cpuBefore = { nats: cpuOf(serverPid(nats.pid)), mongo: cpuOf(serverPid(mongo.pid)) };
const start = Date.now();
const projector = await startProjector(
  projectorEnv,
  args.profile ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [],
);
const pids = { projector: projector.pid, nats: serverPid(nats.pid), mongo: serverPid(mongo.pid) };
const perf = args.perf
  ? spawn('perf', ['record', '-F', '499', '-g', '-p', String(pids.mongo), '-o', join(dir, 'perf.data')], {
      stdio: 'ignore',
    })
  : undefined;

let lagMax = 0;
const publisher =
  rate === undefined
    ? Promise.resolve()
    : (async () => {
        const perRecordMs = (plan.recordCommands / rate) * 1000;
        const began = Date.now();
        for (let i = 2; i < bytes.length; i++) {
          const due = began + (i - 2) * perRecordMs;
          if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
          await publish(i, i + 1);
        }
      })();
let published = rate === undefined;
void publisher.then(() => {
  published = true;
});
let loadEnd = 0;
const memoryEveryMs = args.memory === undefined ? undefined : Number(args.memory) * 1000;
const memory: { s: number; rss: number; heap: number; external: number }[] = [];
let nextMemoryAt = start;
for (;;) {
  await new Promise((r) => setTimeout(r, 250));
  const page = await (await fetch(`${projector.httpUrl}/metrics`)).text();
  if (memoryEveryMs !== undefined && Date.now() >= nextMemoryAt) {
    nextMemoryAt += memoryEveryMs;
    const mb = (name: string) => valueIn(page, name) / 2 ** 20;
    const m = {
      s: Math.round((Date.now() - start) / 1000),
      rss: mb('asp_projector_process_resident_memory_bytes'),
      heap: mb('asp_projector_nodejs_heap_size_used_bytes'),
      external: mb('asp_projector_nodejs_external_memory_bytes'),
    };
    memory.push(m);
    console.log(
      `${m.s} s: rss ${m.rss.toFixed(0)} MiB, heap used ${m.heap.toFixed(0)} MiB, external ${m.external.toFixed(0)} MiB`,
    );
  }
  const applied = valueIn(page, 'asp_projector_applied_seq');
  // The records' own timestamps are from when they were made: the lag is from their publication.
  const lag = applied < publishedCount ? (Date.now() - publishedAt[applied]!) / 1000 : 0;
  if (!published) lagMax = Math.max(lagMax, lag);
  else if (loadEnd === 0) loadEnd = Date.now();
  if (applied >= bytes.length) break;
  if (Date.now() - start > 600_000) throw new Error(`stuck at ${applied} of ${bytes.length}`);
}
const wallS = (Date.now() - start) / 1000;
const docs = await metric(projector.httpUrl, 'asp_projector_docs_written_total');
const batches = await metric(projector.httpUrl, 'asp_projector_batch_records_count');
const cpu = {
  projector: cpuOf(pids.projector),
  mongo: cpuOf(pids.mongo) - cpuBefore.mongo,
  nats: cpuOf(pids.nats) - cpuBefore.nats,
};
/** Peak resident memory, in MB. */
const peakMb = (pid: number) =>
  Math.round(Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024);
const peak = { projector: peakMb(pids.projector), ferretdb: peakMb(pids.mongo) };
const perK = (s: number) => ((s / docs) * 1000 * 1000).toFixed(1);
console.log(
  JSON.stringify({
    mode: rate === undefined ? 'catchup' : `rate ${rate}/s`,
    records: bytes.length,
    docs,
    batches,
    wall_s: wallS,
    catchup_after_load_s: loadEnd ? (Date.now() - loadEnd) / 1000 : undefined,
    lag_max_s: rate === undefined ? undefined : lagMax,
    cpu_s: Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, Number(v.toFixed(2))])),
    peak_rss_mb: peak,
    cpu_ms_per_1000_docs: { projector: perK(cpu.projector), ferretdb: perK(cpu.mongo), nats: perK(cpu.nats) },
    ...(memory.length >= 4 ? { memory_trend_mib_per_min: memoryTrend(memory) } : {}),
  }),
);
perf?.kill('SIGINT');
if (perf) await new Promise((r) => perf.once('exit', r));
await projector.stop();
if (args.profile) console.log(`profile: ${join(profDir, readdirSync(profDir)[0] ?? '')}`);
await nc.close();
await Promise.all([nats.stop(), mongo.stop()]);
if (!args.keep && !args.profile && !args.perf) rmSync(dir, { recursive: true, force: true });
else console.log(`kept ${dir}`);
