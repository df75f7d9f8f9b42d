import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { cpuSecondsOf, freePort, type ServerProcess, serverPid, startPipeline } from '@asp/servers';
import type { BenchConfig } from './config.ts';
import { BenchError } from './errors.ts';

/** Where the run's services are, however they were started. */
export interface Pipeline {
  fresh: boolean;
  natsUrl: string;
  mongoUrl: string;
  mongoDb: string;
  partition: string;
  /** HTTP bases of the services' /health and /metrics. */
  sequencerUrl: string;
  projectorUrl: string;
  /** The fresh pipeline's folder (WAL, LevelDB, JetStream, SQLite, logs); undefined when given. */
  dir: string | undefined;
  /**
   * CPU seconds nats-server and the MongoDB-wire server have used so far, where the bench
   * started them (a figure is missing where /proc cannot tell); given services have none.
   */
  serverCpuSeconds?: () => ServerCpuSeconds;
  /** With `--profile`: the loopback port of each service's inspector, and of FerretDB's and nats-server's Go profiles. */
  inspectPorts?: { sequencer: number; projector: number; mongo: number; nats: number };
  /** Stops what the bench started; `keepLogs` leaves the logs (only) for a look after a failure. */
  stop(keepLogs?: boolean): Promise<void>;
}

export interface ServerCpuSeconds {
  nats?: number | undefined;
  mongo?: number | undefined;
}

type Say = (line: string) => void;

/** Every server a fresh pipeline started and has not stopped yet: what an interrupt must not leave behind. */
const running = new Set<ServerProcess>();

/** Ctrl-C or a test's timeout: SIGKILL every server at once (through its watchdog). */
export async function killAllServers(): Promise<void> {
  await Promise.all([...running].map((p) => p.kill()));
  running.clear();
}

/** A service draining for longer than this is killed: the run is over, its data is thrown away. */
const STOP_GRACE_MS = 20_000;

/**
 * SIGTERM, then SIGKILL through the watchdog after the grace period. Not
 * `stop(grace)` alone: its SIGKILL goes to the watchdog shell and leaves the
 * server running as an orphan, which then eats the next run's CPU.
 */
async function stopServer(p: ServerProcess): Promise<void> {
  const stopping = p.stop(STOP_GRACE_MS * 4);
  const timer = new AbortController();
  const grace = sleep(STOP_GRACE_MS, false, { signal: timer.signal }).catch(() => true);
  const gone = await Promise.race([p.exited.then(() => true), grace]);
  timer.abort();
  if (!gone) await p.kill();
  await stopping;
  running.delete(p);
}

/** A fresh pipeline on free ports in its own folder, or the services the configuration names. */
export async function openPipeline(cfg: BenchConfig, label: string, say: Say): Promise<Pipeline> {
  return cfg.given ? givenPipeline(cfg) : freshPipeline(cfg, label, say);
}

async function givenPipeline(cfg: BenchConfig): Promise<Pipeline> {
  const g = cfg.given!;
  for (const [name, url] of [
    ['sequencer', g.sequencerUrl],
    ['projector', g.projectorUrl],
  ] as const) {
    const ok = await fetch(`${url}/health`, { signal: AbortSignal.timeout(5000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (!ok) throw new BenchError('ASP_ERR_BENCH_STACK', `the ${name} at ${url}/health is not healthy`);
  }
  return {
    fresh: false,
    natsUrl: g.natsUrl,
    mongoUrl: g.mongoUrl,
    mongoDb: cfg.mongoDb,
    partition: cfg.partition,
    sequencerUrl: g.sequencerUrl,
    projectorUrl: g.projectorUrl,
    dir: undefined,
    stop: async () => {},
  };
}

/**
 * nats-server, FerretDB, the sequencer and the projector, each healthy before
 * the next starts, logging at warn so the logs cost the run nothing. A failure
 * stops what was started and keeps the folder, so its logs can be read.
 */
async function freshPipeline(cfg: BenchConfig, label: string, say: Say): Promise<Pipeline> {
  const dir = mkdtempSync(join(cfg.dataDir, `asp-bench-${label}-`));
  const started: ServerProcess[] = [];
  const track = <P extends ServerProcess>(p: P): P => {
    started.push(p);
    running.add(p);
    return p;
  };
  const stopAll = async () => {
    for (const p of started.reverse()) await stopServer(p);
  };
  try {
    const inspectPorts = cfg.profile
      ? {
          sequencer: await freePort(),
          projector: await freePort(),
          mongo: await freePort(),
          nats: await freePort(),
        }
      : undefined;
    // Loopback only, and only for this run's own processes.
    const inspect = (port: number) => ({
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --inspect=127.0.0.1:${port}`.trim(),
    });
    const { nats, mongo, sequencer, projector } = await startPipeline({
      dir,
      partition: cfg.partition,
      mongoDb: cfg.mongoDb,
      projector: true,
      watchParent: true,
      serviceEnv: { LOG_LEVEL: 'warn' },
      ...(inspectPorts
        ? {
            envOf: { sequencer: inspect(inspectPorts.sequencer), projector: inspect(inspectPorts.projector) },
            mongoDebugPort: inspectPorts.mongo,
            natsProfPort: inspectPorts.nats,
          }
        : {}),
      onStarted: (_name, p) => track(p),
    });
    // Looked up once, now that both answer: the pids under the watchdog shells do not change.
    const natsPid = serverPid(nats.pid);
    const mongoPid = serverPid(mongo.pid);
    const cpuOf = (pid: number | undefined) => (pid === undefined ? undefined : cpuSecondsOf(pid));
    return {
      fresh: true,
      natsUrl: nats.url,
      mongoUrl: mongo.url,
      mongoDb: cfg.mongoDb,
      partition: cfg.partition,
      sequencerUrl: sequencer.httpUrl,
      projectorUrl: projector!.httpUrl,
      dir,
      serverCpuSeconds: () => ({ nats: cpuOf(natsPid), mongo: cpuOf(mongoPid) }),
      ...(inspectPorts ? { inspectPorts } : {}),
      stop: async (keepLogs = false) => {
        await stopAll();
        if (!keepLogs) return rmSync(dir, { recursive: true, force: true });
        // The data of a long run is gigabytes: keep what explains a failure, not the data.
        for (const d of [`sequencer-${cfg.partition}`, 'nats/jetstream', 'ferretdb/sqlite']) {
          rmSync(join(dir, d), { recursive: true, force: true });
        }
        say(`logs kept in ${dir}`);
      },
    };
  } catch (err) {
    await stopAll();
    throw new BenchError('ASP_ERR_BENCH_STACK', `could not start the pipeline (folder kept: ${dir})`, {
      cause: err,
    });
  }
}
