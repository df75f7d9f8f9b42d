import { connect, type NatsConnection } from '@nats-io/transport-node';
import { NatsError } from './errors.ts';

/**
 * The oldest nats-server we run against. 2.10 brought multi-filter consumers
 * and message metadata the JetStream client relies on; Debian's 2.9 is older.
 */
export const NATS_SERVER_MIN = '2.10.0';

function parse(version: string): number[] {
  return version
    .split(/[.-]/)
    .slice(0, 3)
    .map((p) => Number.parseInt(p, 10) || 0);
}

export function versionAtLeast(version: string, min: string): boolean {
  const a = parse(version);
  const b = parse(min);
  for (let i = 0; i < 3; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x > y;
  }
  return true;
}

/** Fails fast with a clear message when the server is too old or has no JetStream. */
export function assertNatsServer(nc: NatsConnection, min = NATS_SERVER_MIN): void {
  const info = nc.info;
  const version = info?.version ?? '0.0.0';
  if (!versionAtLeast(version, min)) {
    throw new NatsError(
      'ASP_ERR_NATS_TOO_OLD',
      `nats-server ${version} is too old: Atomic State needs ${min} or newer (run scripts/bootstrap.sh to build 2.12)`,
    );
  }
  if (info && info.jetstream !== true) {
    throw new NatsError(
      'ASP_ERR_NATS_NO_JETSTREAM',
      `nats-server ${version} at ${nc.getServer()} has JetStream off`,
    );
  }
}

export interface ConnectOptions {
  servers: string;
  name: string;
  /** Keep reconnecting forever (services) or give up (CLI, tests). */
  reconnect?: boolean;
  timeoutMs?: number;
}

export async function connectNats(opts: ConnectOptions): Promise<NatsConnection> {
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers: opts.servers,
      name: opts.name,
      timeout: opts.timeoutMs ?? 5000,
      reconnect: opts.reconnect ?? true,
      maxReconnectAttempts: opts.reconnect === false ? 0 : -1,
      reconnectTimeWait: 250,
      pingInterval: 10_000,
      // Without it every request (each JetStream publish is one) builds two Errors up front,
      // a stack capture each, to keep the caller's stack for a failure that almost never comes:
      // work for nothing on every publish (small: patches/README.md). Our errors carry codes and
      // context of their own.
      noAsyncTraces: true,
    });
  } catch (err) {
    throw new NatsError('ASP_ERR_NATS_CONNECT', `cannot connect to NATS at ${opts.servers}: ${String(err)}`, {
      cause: err,
    });
  }
  try {
    assertNatsServer(nc);
  } catch (err) {
    await nc.close();
    throw err;
  }
  return nc;
}
