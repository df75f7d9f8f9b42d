import { randomBytes } from 'node:crypto';
import { Client, escapeIdentifier, Pool } from 'pg';

/** The durability settings a run was measured with, as PostgreSQL reported them. */
export interface PgSettings {
  server_version: string;
  fsync: string;
  synchronous_commit: string;
  wal_sync_method: string;
  random_page_cost: string;
}

/**
 * A throw-away database for one run, so the peers never touch a shared database's tables.
 * `drop()` is safe to call more than once and after a failed create.
 */
export interface RunDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

export async function createRunDatabase(adminUrl: string): Promise<RunDatabase> {
  const name = `asp_peers_${randomBytes(6).toString('hex')}`;
  await withAdmin(adminUrl, (c) => c.query(`CREATE DATABASE ${escapeIdentifier(name)}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    name,
    url: url.toString(),
    async drop() {
      if (dropped) return;
      dropped = true;
      // FORCE ends sessions a failed run may have left behind (PostgreSQL 13+).
      await withAdmin(adminUrl, (c) =>
        c.query(`DROP DATABASE IF EXISTS ${escapeIdentifier(name)} WITH (FORCE)`),
      );
    },
  };
}

async function withAdmin<T>(adminUrl: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
  try {
    await c.connect();
  } catch (err) {
    throw new Error(`PostgreSQL is not reachable at ${redact(adminUrl)}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

const RANDOM_PAGE_COST = 1.1;
// Every statement here takes milliseconds: one stuck for this long means a stuck server, and
// the run fails instead of hanging.
const STATEMENT_TIMEOUT_MS = 30_000;

/**
 * One connection per producer. synchronous_commit is forced on per session (a server default
 * of off would make PostgreSQL acknowledge commits before they are durable, unlike our engine).
 * random_page_cost 1.1 is the usual SSD setting, and what PostgreSQL's manual advises for
 * SERIALIZABLE: on these small tables the default (4) picks sequential scans, and a sequential
 * scan predicate-locks the whole table, so every transfer would conflict with every other one.
 */
export function openPool(url: string, size: number): Pool {
  const pool = new Pool({
    connectionString: url,
    max: size,
    connectionTimeoutMillis: 10_000,
    options: [
      '-c synchronous_commit=on',
      `-c random_page_cost=${RANDOM_PAGE_COST}`,
      `-c statement_timeout=${STATEMENT_TIMEOUT_MS}`,
    ].join(' '),
  });
  // An idle session that dies (a restart, a terminated backend) must not crash the process:
  // the next query on it fails and the run reports that error instead.
  pool.on('error', () => undefined);
  return pool;
}

/** Reads the durability settings through the pool's sessions and refuses a run without fsync. */
export async function checkSettings(pool: Pool): Promise<PgSettings> {
  const show = async (name: string) =>
    (await pool.query<Record<string, string>>(`SHOW ${name}`)).rows[0]![name]!;
  const settings: PgSettings = {
    server_version: await show('server_version'),
    fsync: await show('fsync'),
    synchronous_commit: await show('synchronous_commit'),
    wal_sync_method: await show('wal_sync_method'),
    random_page_cost: await show('random_page_cost'),
  };
  if (settings.fsync !== 'on') {
    throw new Error('PostgreSQL runs with fsync off: its commits are not durable, a comparison would lie');
  }
  if (settings.synchronous_commit !== 'on') {
    throw new Error(`synchronous_commit is ${settings.synchronous_commit}, expected on`);
  }
  return settings;
}

function redact(url: string): string {
  const u = new URL(url);
  if (u.password !== '') u.password = '***';
  return u.toString();
}
