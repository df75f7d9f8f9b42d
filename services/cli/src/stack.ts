import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pidAlive, startFerretDb, startNatsServer, startService, stopPid } from '@asp/servers';
import type { CliConfig } from './config.ts';

/** What `asp up` started, saved so `down` and `status` find it from another process. */
export interface StackFile {
  startedAt: string;
  partition: string;
  nats: { pid: number; url: string; monitorUrl: string };
  mongo: { pid: number; url: string };
  sequencer: { pid: number; httpUrl: string };
  projector?: { pid: number; httpUrl: string };
  mongoDb: string;
}

const stackPath = (cfg: CliConfig) => join(cfg.home, 'stack.json');

export function readStack(cfg: CliConfig): StackFile | undefined {
  const p = stackPath(cfg);
  if (!existsSync(p)) return undefined;
  return JSON.parse(readFileSync(p, 'utf8')) as StackFile;
}

export function stackRunning(s: StackFile): boolean {
  return pidAlive(s.nats.pid) || pidAlive(s.sequencer.pid) || pidAlive(s.mongo.pid);
}

type Say = (line: string) => void;

/**
 * Starts nats-server, FerretDB and the sequencer (the projector too, once it
 * exists) in the background with data under ASP_HOME. Each is healthy before
 * the next starts; a failure stops what was started and says why.
 */
export async function up(cfg: CliConfig, say: Say, opts: { projector: boolean }): Promise<StackFile> {
  const existing = readStack(cfg);
  if (existing && stackRunning(existing)) {
    say(`already up (started ${existing.startedAt}); \`pnpm asp down\` stops it`);
    return existing;
  }
  mkdirSync(cfg.home, { recursive: true });
  const started: number[] = [];
  try {
    const nats = await startNatsServer({
      dataDir: join(cfg.home, 'nats'),
      port: cfg.ASP_NATS_PORT,
      monitorPort: cfg.ASP_NATS_MONITOR_PORT,
      watchParent: false,
    });
    started.push(nats.pid);
    say(`nats-server   ${nats.url}  (monitor ${nats.monitorUrl})`);
    const mongo = await startFerretDb({
      dataDir: join(cfg.home, 'ferretdb'),
      port: cfg.ASP_MONGO_PORT,
      watchParent: false,
    });
    started.push(mongo.pid);
    say(`ferretdb      ${mongo.url}`);
    const sequencer = await startService({
      name: 'sequencer',
      env: {
        NATS_URL: nats.url,
        ASP_PARTITION: cfg.ASP_PARTITION,
        ASP_DATA_DIR: join(cfg.home, `sequencer-${cfg.ASP_PARTITION}`),
      },
      logFile: join(cfg.home, 'logs', 'sequencer.log'),
      httpPort: cfg.ASP_SEQUENCER_HTTP_PORT,
      watchParent: false,
    });
    started.push(sequencer.pid);
    say(`sequencer     ${sequencer.httpUrl}/health  (logs ${join(cfg.home, 'logs', 'sequencer.log')})`);
    let projector: StackFile['projector'];
    if (opts.projector) {
      const p = await startService({
        name: 'projector',
        env: {
          NATS_URL: nats.url,
          MONGO_URL: mongo.url,
          ASP_MONGO_DB: cfg.ASP_MONGO_DB,
          ASP_PARTITION: cfg.ASP_PARTITION,
        },
        logFile: join(cfg.home, 'logs', 'projector.log'),
        httpPort: cfg.ASP_PROJECTOR_HTTP_PORT,
        watchParent: false,
      });
      started.push(p.pid);
      projector = { pid: p.pid, httpUrl: p.httpUrl };
      say(`projector     ${p.httpUrl}/health`);
    }
    const stack: StackFile = {
      startedAt: new Date().toISOString(),
      partition: cfg.ASP_PARTITION,
      nats: { pid: nats.pid, url: nats.url, monitorUrl: nats.monitorUrl },
      mongo: { pid: mongo.pid, url: mongo.url },
      sequencer: { pid: sequencer.pid, httpUrl: sequencer.httpUrl },
      ...(projector ? { projector } : {}),
      mongoDb: cfg.ASP_MONGO_DB,
    };
    writeFileSync(stackPath(cfg), `${JSON.stringify(stack, null, 2)}\n`);
    return stack;
  } catch (err) {
    for (const pid of started.reverse()) await stopPid(pid);
    throw err;
  }
}

/** Stops the services first (they drain), then the servers they need. */
export async function down(cfg: CliConfig, say: Say): Promise<void> {
  const s = readStack(cfg);
  if (!s) {
    say(`nothing to stop: no stack.json in ${cfg.home}`);
    return;
  }
  const order: [string, number | undefined][] = [
    ['projector', s.projector?.pid],
    ['sequencer', s.sequencer.pid],
    ['ferretdb', s.mongo.pid],
    ['nats-server', s.nats.pid],
  ];
  for (const [name, pid] of order) {
    if (pid === undefined) continue;
    say(`${name.padEnd(12)} ${(await stopPid(pid)) ? 'stopped' : 'was not running'}`);
  }
  rmSync(stackPath(cfg), { force: true });
}
