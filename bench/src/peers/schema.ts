import type { WireCommand } from '@asp/protocol';
import type { Pool } from 'pg';

/** accounts.flags bits, as in the ledger domain's AccountFlags. */
export const DEBITS_MUST_NOT_EXCEED_CREDITS = 1;
export const CREDITS_MUST_NOT_EXCEED_DEBITS = 2;

// No CHECK constraints on purpose: the invariants are checked by the application, like the
// engine's deciders, so the three modes differ only in isolation and locking. `used`
// materialises Σ team seats as org.used does in the seats domain.
const DDL = `
DROP TABLE IF EXISTS transfers, teams, orgs, accounts;
CREATE TABLE orgs (id text PRIMARY KEY, cap bigint NOT NULL, used bigint NOT NULL);
CREATE TABLE teams (id text PRIMARY KEY, org_id text NOT NULL REFERENCES orgs, seats bigint NOT NULL);
CREATE INDEX teams_org_id ON teams (org_id);
CREATE TABLE accounts (
  id text PRIMARY KEY, flags int NOT NULL, debits_posted bigint NOT NULL, credits_posted bigint NOT NULL
);
CREATE TABLE transfers (
  id text PRIMARY KEY,
  debit_account_id text NOT NULL REFERENCES accounts,
  credit_account_id text NOT NULL REFERENCES accounts,
  amount bigint NOT NULL
);`;

interface Rows {
  orgs: Map<string, { cap: number }>;
  teams: Map<string, { orgId: string }>;
  accounts: Map<string, { flags: number; debits: number; credits: number }>;
  transfers: { id: string; debit: string; credit: string; amount: number }[];
}

/**
 * Recreates the tables and loads the state `setup` (the workload's setupCommands) produces:
 * the same orgs, teams, accounts and funding transfers the engine starts from.
 */
export async function loadSchema(pool: Pool, setup: readonly WireCommand[]): Promise<void> {
  const r = rowsOf(setup);
  await pool.query(DDL);
  const orgs = [...r.orgs];
  const teams = [...r.teams];
  const accounts = [...r.accounts];
  await pool.query('INSERT INTO orgs SELECT id, cap, 0 FROM unnest($1::text[], $2::bigint[]) AS u(id, cap)', [
    orgs.map(([id]) => id),
    orgs.map(([, o]) => o.cap),
  ]);
  await pool.query(
    'INSERT INTO teams SELECT id, org_id, 0 FROM unnest($1::text[], $2::text[]) AS u(id, org_id)',
    [teams.map(([id]) => id), teams.map(([, t]) => t.orgId)],
  );
  await pool.query(
    'INSERT INTO accounts SELECT * FROM unnest($1::text[], $2::int[], $3::bigint[], $4::bigint[])',
    [
      accounts.map(([id]) => id),
      accounts.map(([, a]) => a.flags),
      accounts.map(([, a]) => a.debits),
      accounts.map(([, a]) => a.credits),
    ],
  );
  const t = r.transfers;
  await pool.query(
    'INSERT INTO transfers SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[])',
    [t.map((x) => x.id), t.map((x) => x.debit), t.map((x) => x.credit), t.map((x) => x.amount)],
  );
  // Fresh statistics so the Σ seats query uses the org_id index as it would in production, and
  // a checkpoint so one mode's dirty pages are not flushed during the next mode's run.
  await pool.query('ANALYZE');
  await pool.query('CHECKPOINT').catch((err: unknown) => {
    // Without the privilege (superuser or pg_checkpoint) the run goes on, only a little noisier.
    if ((err as { code?: string }).code !== INSUFFICIENT_PRIVILEGE) throw err;
  });
}

const INSUFFICIENT_PRIVILEGE = '42501';

type Data = Record<string, unknown>;

/** The rows the setup commands create: a tiny applier for the four command types setup uses. */
function rowsOf(setup: readonly WireCommand[]): Rows {
  const r: Rows = { orgs: new Map(), teams: new Map(), accounts: new Map(), transfers: [] };
  for (const c of setup) {
    const d = c.data as Data;
    if (c.type === 'seats.createOrg') r.orgs.set(String(d.orgId), { cap: Number(d.cap) });
    else if (c.type === 'seats.createTeam') r.teams.set(String(d.teamId), { orgId: String(d.orgId) });
    else if (c.type === 'ledger.openAccount') {
      const f = (d.flags ?? {}) as Data;
      const flags =
        (f.debitsMustNotExceedCredits === true ? DEBITS_MUST_NOT_EXCEED_CREDITS : 0) |
        (f.creditsMustNotExceedDebits === true ? CREDITS_MUST_NOT_EXCEED_DEBITS : 0);
      r.accounts.set(String(d.accountId), { flags, debits: 0, credits: 0 });
    } else if (c.type === 'ledger.transfer' && d.pending !== true) {
      const t = {
        id: String(d.transferId),
        debit: String(d.debitAccountId),
        credit: String(d.creditAccountId),
      };
      const amount = Number(d.amount);
      r.transfers.push({ ...t, amount });
      r.accounts.get(t.debit)!.debits += amount;
      r.accounts.get(t.credit)!.credits += amount;
    } else throw new Error(`the peers cannot set up ${c.type} (${c.id})`);
  }
  return r;
}
