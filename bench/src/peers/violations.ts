import type { Pool } from 'pg';
import { CREDITS_MUST_NOT_EXCEED_DEBITS, DEBITS_MUST_NOT_EXCEED_CREDITS } from './schema.ts';

/**
 * The invariants and audits the engine enforces (docs/domains.md), checked over the final
 * state: one count per rule, the number of orgs, teams or accounts that break it (the ledger's
 * balance is one global rule, 0 or 1). Named after the engine's invariants and audits.
 */
export type ViolationCounts = Record<(typeof RULES)[number], number>;

const RULES = [
  'seats.org.used_within_cap',
  'seats.audit',
  'seats.team.seats_not_negative',
  'ledger.account.debits_must_not_exceed_credits',
  'ledger.account.credits_must_not_exceed_debits',
  'ledger.audit.account_totals',
  'ledger.audit.balanced',
] as const;

// Sums are grouped once, not correlated per row: transfers grows by the thousands per second.
const SQL = `
WITH team_sums AS (SELECT org_id AS id, sum(seats) AS seats FROM teams GROUP BY org_id),
  orgs_sums AS (SELECT o.cap, o.used, coalesce(s.seats, 0) AS seats FROM orgs o LEFT JOIN team_sums s USING (id)),
  debits AS (SELECT debit_account_id AS id, sum(amount) AS s FROM transfers GROUP BY 1),
  credits AS (SELECT credit_account_id AS id, sum(amount) AS s FROM transfers GROUP BY 1)
SELECT
  (SELECT count(*) FROM orgs_sums WHERE seats > cap) AS "seats.org.used_within_cap",
  (SELECT count(*) FROM orgs_sums WHERE seats <> used) AS "seats.audit",
  (SELECT count(*) FROM teams WHERE seats < 0) AS "seats.team.seats_not_negative",
  (SELECT count(*) FROM accounts WHERE flags & ${DEBITS_MUST_NOT_EXCEED_CREDITS} <> 0
     AND debits_posted > credits_posted) AS "ledger.account.debits_must_not_exceed_credits",
  (SELECT count(*) FROM accounts WHERE flags & ${CREDITS_MUST_NOT_EXCEED_DEBITS} <> 0
     AND credits_posted > debits_posted) AS "ledger.account.credits_must_not_exceed_debits",
  (SELECT count(*) FROM accounts a LEFT JOIN debits d USING (id) LEFT JOIN credits c USING (id)
     WHERE a.debits_posted <> coalesce(d.s, 0) OR a.credits_posted <> coalesce(c.s, 0)
  ) AS "ledger.audit.account_totals",
  (SELECT (coalesce(sum(debits_posted), 0) <> coalesce(sum(credits_posted), 0))::int FROM accounts
  ) AS "ledger.audit.balanced"`;

export async function countViolations(pool: Pool): Promise<ViolationCounts> {
  const row = (await pool.query<Record<string, string | number>>(SQL)).rows[0]!;
  const out = {} as ViolationCounts;
  for (const rule of RULES) out[rule] = Number(row[rule]);
  return out;
}

export function totalViolations(v: ViolationCounts): number {
  return Object.values(v).reduce((a, b) => a + b, 0);
}
