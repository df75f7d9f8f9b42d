import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './ports.ts';
import { type ServerProcess, spawnServer } from './process.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export type ServiceName = 'sequencer' | 'projector';

export interface ServiceOptions {
  name: ServiceName;
  /** Environment for the service (its config); ASP_HTTP_PORT is set here. */
  env: Record<string, string>;
  logFile: string;
  httpPort?: number;
  watchParent?: boolean;
  startTimeoutMs?: number;
  /** Extra node flags, e.g. `--cpu-prof`. */
  nodeArgs?: string[];
}

export interface ServiceProcess extends ServerProcess {
  readonly httpUrl: string;
}

async function healthy(url: string): Promise<boolean> {
  const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
  return res.ok;
}

/** Starts one of the project's services as a Node process and waits for its /health. */
export async function startService(o: ServiceOptions): Promise<ServiceProcess> {
  const port = o.httpPort ?? (await freePort());
  const httpUrl = `http://127.0.0.1:${port}`;
  mkdirSync(dirname(o.logFile), { recursive: true });
  const proc = await spawnServer({
    name: o.name,
    binary: process.execPath,
    args: [...(o.nodeArgs ?? []), join(repoRoot, 'services', o.name, 'src', 'main.ts')],
    logFile: o.logFile,
    watchParent: o.watchParent ?? true,
    ready: () => healthy(httpUrl),
    startTimeoutMs: o.startTimeoutMs ?? 60_000,
    env: { ...process.env, ...o.env, ASP_HTTP_PORT: String(port), ASP_HTTP_HOST: '127.0.0.1' },
  });
  return Object.assign(proc, { httpUrl });
}

/** Sends `signal` to a pid that is not our child (a stack started by another command) and waits for it to go. */
export async function stopPid(pid: number, graceMs = 15_000): Promise<boolean> {
  const alive = () => pidAlive(pid);
  if (!alive()) return false;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (alive() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (alive()) process.kill(pid, 'SIGKILL');
  return true;
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
