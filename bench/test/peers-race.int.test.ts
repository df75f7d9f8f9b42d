import type { WireCommand } from '@asp/protocol';
import type { Pool, PoolClient } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRunDatabase, openPool, type RunDatabase } from '../src/peers/database.ts';
import { transfer } from '../src/peers/ledger.ts';
import type { PeerMode } from '../src/peers/options.ts';
import { loadSchema } from '../src/peers/schema.ts';
import { changeSeats } from '../src/peers/seats.ts';
import { type Attempt, type Outcome, transact } from '../src/peers/tx.ts';
import { countViolations, totalViolations } from '../src/peers/violations.ts';
import { assertPostgresReachable, pgUrl } from './peers-pg.ts';

// Two transactions race on purpose, so each mode's answer to the two classic anomalies is
// shown deterministically rather than left to the load's luck.
const c = (type: string, data: object): WireCommand => ({
  id: `s-${type}-${JSON.stringify(data)}`,
  type,
  data,
});
const flagged = { debitsMustNotExceedCredits: true };
const setup: WireCommand[] = [
  c('seats.createOrg', { orgId: 'o', cap: 10 }),
  c('seats.createTeam', { orgId: 'o', teamId: 't1' }),
  c('seats.createTeam', { orgId: 'o', teamId: 't2' }),
  c('ledger.openAccount', { accountId: 'src' }),
  ...['a1', 'a2', 'a3'].map((accountId) => c('ledger.openAccount', { accountId, flags: flagged })),
  c('ledger.transfer', { transferId: 'f1', debitAccountId: 'src', creditAccountId: 'a1', amount: 100 }),
  c('ledger.transfer', { transferId: 'f2', debitAccountId: 'src', creditAccountId: 'a2', amount: 100 }),
];

type Body = (client: PoolClient) => Promise<Outcome>;
let db: RunDatabase;
let pool: Pool;

beforeAll(async () => {
  await assertPostgresReachable();
  db = await createRunDatabase(pgUrl);
  pool = openPool(db.url, 3);
});

afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

/**
 * A third session holds a lock on the row both transactions write (or lock), so both have read
 * before either writes — the interleaving of the write-skew story — then it lets go.
 */
async function race(mode: PeerMode, lockSql: string, id: string, bodies: [Body, Body]): Promise<Attempt[]> {
  await loadSchema(pool, setup);
  const clients = [await pool.connect(), await pool.connect(), await pool.connect()];
  const [blocker, c1, c2] = clients as [PoolClient, PoolClient, PoolClient];
  try {
    await blocker.query('BEGIN');
    await blocker.query(lockSql, [id]);
    const runs = [transact(c1, mode, 5, bodies[0]), transact(c2, mode, 5, bodies[1])];
    await waitForLockWaiters(blocker, 2);
    await blocker.query('COMMIT');
    return await Promise.all(runs);
  } finally {
    for (const client of clients) client.release();
  }
}

async function waitForLockWaiters(client: PoolClient, n: number): Promise<void> {
  const sql = `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'`;
  for (const deadline = Date.now() + 5000; Date.now() < deadline; ) {
    if ((await client.query<{ n: number }>(sql, [db.name])).rows[0]!.n >= n) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`the two racing transactions never both waited for the lock`);
}

const outcomes = (a: Attempt[]) => a.map((x) => x.outcome).sort();
const retries = (a: Attempt[]) => a.reduce((n, x) => n + x.retries, 0);

describe('write skew: two teams of one org, 6 seats each, cap 10', () => {
  const lockOrg = 'SELECT 1 FROM orgs WHERE id = $1 FOR UPDATE';
  const add =
    (mode: PeerMode, teamId: string): Body =>
    (cl) =>
      changeSeats(cl, mode, { orgId: 'o', teamId, seats: 6 }, 1);
  const both = (mode: PeerMode) => race(mode, lockOrg, 'o', [add(mode, 't1'), add(mode, 't2')]);

  it('naive: both read 0 used, both are accepted, the org holds 12 seats of 10', async () => {
    expect(outcomes(await both('naive'))).toEqual(['accepted', 'accepted']);
    const v = await countViolations(pool);
    expect(v['seats.org.used_within_cap']).toBe(1);
    expect(v['seats.audit']).toBe(1); // and used lost one of the two updates
  });

  it('serializable: the second fails to serialise, retries, and is rejected', async () => {
    const a = await both('serializable');
    expect(outcomes(a)).toEqual(['accepted', 'rejected']);
    expect(retries(a)).toBeGreaterThan(0);
    expect(totalViolations(await countViolations(pool))).toBe(0);
  });

  it('for_update: the second waits for the org lock, then sees 6 used and is rejected', async () => {
    const a = await both('for_update');
    expect(outcomes(a)).toEqual(['accepted', 'rejected']);
    expect(retries(a)).toBe(0);
    expect(totalViolations(await countViolations(pool))).toBe(0);
  });
});

describe('lost update: a1 → a3 30 and a2 → a3 40 at once', () => {
  const lockAccount = 'SELECT 1 FROM accounts WHERE id = $1 FOR UPDATE';
  const pay =
    (mode: PeerMode, from: string, amount: number): Body =>
    (cl) =>
      transfer(cl, mode, { transferId: `t-${from}`, debitAccountId: from, creditAccountId: 'a3', amount });
  const both = (mode: PeerMode) => race(mode, lockAccount, 'a3', [pay(mode, 'a1', 30), pay(mode, 'a2', 40)]);

  it('naive: both are accepted, a3 keeps only one credit, the ledger no longer balances', async () => {
    expect(outcomes(await both('naive'))).toEqual(['accepted', 'accepted']);
    const v = await countViolations(pool);
    expect(v['ledger.audit.account_totals']).toBe(1);
    expect(v['ledger.audit.balanced']).toBe(1);
  });

  for (const mode of ['serializable', 'for_update'] as const) {
    it(`${mode}: both are accepted and a3 has both credits`, async () => {
      const a = await both(mode);
      expect(outcomes(a)).toEqual(['accepted', 'accepted']);
      expect(retries(a) > 0).toBe(mode === 'serializable');
      expect(totalViolations(await countViolations(pool))).toBe(0);
      const r = await pool.query<{ credits_posted: string }>(
        "SELECT credits_posted FROM accounts WHERE id = 'a3'",
      );
      expect(Number(r.rows[0]!.credits_posted)).toBe(70);
    });
  }
});
