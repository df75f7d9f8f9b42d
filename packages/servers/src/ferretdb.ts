import { mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { findBinary } from './binaries.ts';
import { assertPortFree, freePort } from './ports.ts';
import { type ServerProcess, spawnServer } from './process.ts';

export interface FerretDbOptions {
  dataDir: string;
  port?: number;
  watchParent?: boolean;
  startTimeoutMs?: number;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** A loopback port for Go's profiles (`/debug/pprof/`); none when left out. */
  debugPort?: number;
}

export interface FerretDbServer extends ServerProcess {
  /** A MongoDB connection string; FerretDB has no transactions, so retryable writes are off. */
  readonly url: string;
  readonly port: number;
}

function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** Starts FerretDB (SQLite backend), the MongoDB-wire server used where no Docker engine runs. */
export async function startFerretDb(opts: FerretDbOptions): Promise<FerretDbServer> {
  const binary = findBinary('ferretdb-asp');
  const port = opts.port ?? (await freePort());
  await assertPortFree(port);
  mkdirSync(opts.dataDir, { recursive: true });
  const proc = await spawnServer({
    name: 'ferretdb',
    binary,
    args: [
      '-listen',
      `127.0.0.1:${port}`,
      '-data',
      join(opts.dataDir, 'sqlite'),
      '-log-level',
      opts.logLevel ?? 'warn',
      ...(opts.debugPort === undefined ? [] : ['-debug-listen', `127.0.0.1:${opts.debugPort}`]),
    ],
    logFile: join(opts.dataDir, 'ferretdb.log'),
    watchParent: opts.watchParent ?? true,
    ready: () => tcpOpen(port),
    startTimeoutMs: opts.startTimeoutMs ?? 20_000,
  });
  return Object.assign(proc, {
    url: `mongodb://127.0.0.1:${port}/?retryWrites=false&directConnection=true`,
    port,
  });
}
