import { Client } from 'pg';

/** The local PostgreSQL (trust auth); every test creates and drops its own database in it. */
export const pgUrl = process.env.ASP_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Fails with a clear message instead of skipping: the peers tests need a real PostgreSQL. */
export async function assertPostgresReachable(): Promise<void> {
  const c = new Client({ connectionString: pgUrl, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
  } catch (err) {
    throw new Error(
      `the peers tests need PostgreSQL at ${pgUrl} (set ASP_PG_URL): ${(err as Error).message}`,
    );
  } finally {
    await c.end().catch(() => undefined);
  }
}

export async function databaseExists(name: string): Promise<boolean> {
  const c = new Client({ connectionString: pgUrl });
  await c.connect();
  try {
    return (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1;
  } finally {
    await c.end();
  }
}
