import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pidAlive, startPipeline, stopPid } from '@asp/servers';
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
 * Starts nats-server, FerretDB, the sequencer and the projector in the
 * background with data under ASP_HOME (startPipeline: each healthy before the
 * next; a failure stops what was started and says why).
 */
export async function up(cfg: CliConfig, say: Say, opts: { projector: boolean }): Promise<StackFile> {
  const existing = readStack(cfg);
  if (existing && stackRunning(existing)) {
    say(`already up (started ${existing.startedAt}); \`pnpm asp down\` stops it`);
    return existing;
  }
  mkdirSync(cfg.home, { recursive: true });
  const p = await startPipeline({
    dir: cfg.home,
    partition: cfg.ASP_PARTITION,
    mongoDb: cfg.ASP_MONGO_DB,
    projector: opts.projector,
    watchParent: false,
    ports: {
      nats: cfg.ASP_NATS_PORT,
      natsMonitor: cfg.ASP_NATS_MONITOR_PORT,
      mongo: cfg.ASP_MONGO_PORT,
      sequencer: cfg.ASP_SEQUENCER_HTTP_PORT,
      projector: cfg.ASP_PROJECTOR_HTTP_PORT,
    },
  });
  const logs = join(cfg.home, 'logs');
  say(`nats-server   ${p.nats.url}  (monitor ${p.nats.monitorUrl})`);
  say(`ferretdb      ${p.mongo.url}`);
  say(`sequencer     ${p.sequencer.httpUrl}/health  (logs ${join(logs, 'sequencer.log')})`);
  if (p.projector) say(`projector     ${p.projector.httpUrl}/health  (logs ${join(logs, 'projector.log')})`);
  const stack: StackFile = {
    startedAt: new Date().toISOString(),
    partition: cfg.ASP_PARTITION,
    nats: { pid: p.nats.pid, url: p.nats.url, monitorUrl: p.nats.monitorUrl },
    mongo: { pid: p.mongo.pid, url: p.mongo.url },
    sequencer: { pid: p.sequencer.pid, httpUrl: p.sequencer.httpUrl },
    ...(p.projector ? { projector: { pid: p.projector.pid, httpUrl: p.projector.httpUrl } } : {}),
    mongoDb: cfg.ASP_MONGO_DB,
  };
  writeFileSync(stackPath(cfg), `${JSON.stringify(stack, null, 2)}\n`);
  return stack;
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
