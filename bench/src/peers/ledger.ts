import type { PoolClient } from 'pg';
import type { PeerMode } from './options.ts';
import { CREDITS_MUST_NOT_EXCEED_DEBITS, DEBITS_MUST_NOT_EXCEED_CREDITS } from './schema.ts';
import type { Outcome } from './tx.ts';

export interface TransferData {
  transferId: string;
  debitAccountId: string;
  creditAccountId: string;
  amount: number;
}

const READ = 'SELECT id, flags, debits_posted, credits_posted FROM accounts WHERE id = ANY($1)';
// Both accounts are locked, in id order: the canonical order is what keeps two transfers
// between the same accounts in opposite directions from deadlocking.
const LOCK = `${READ} ORDER BY id FOR UPDATE`;

// Read-modify-write with the totals computed by the application, the same in every mode.
// The two accounts are updated in id order, like the locks: updating the debit then the credit
// deadlocks when transfers cross (A→B while B→A), and every deadlock costs deadlock_timeout
// (1 s). `second` waits for `first` because its EXISTS is a one-time filter, evaluated (and
// `first` run) before the second row is touched. Transfer ids are unique per command, so the
// primary key never rejects one in a run.
const SET = `SET debits_posted = CASE WHEN id = $2 THEN $5::bigint ELSE debits_posted END,
  credits_posted = CASE WHEN id = $3 THEN $6::bigint ELSE credits_posted END`;
const WRITE = `WITH t AS (INSERT INTO transfers VALUES ($1, $2, $3, $4)),
  first AS (UPDATE accounts ${SET} WHERE id = least($2::text, $3::text) RETURNING id)
UPDATE accounts ${SET} WHERE id = greatest($2::text, $3::text) AND EXISTS (SELECT FROM first)`;

interface AccountRow {
  id: string;
  flags: number;
  debits_posted: string;
  credits_posted: string;
}

/** ledger.transfer (posted), deciding as the ledger domain does with its account flags. */
export async function transfer(c: PoolClient, mode: PeerMode, d: TransferData): Promise<Outcome> {
  const ids = [d.debitAccountId, d.creditAccountId];
  const r =
    mode === 'for_update'
      ? await c.query<AccountRow>({ name: 'peers_accounts_lock', text: LOCK, values: [ids] })
      : await c.query<AccountRow>({ name: 'peers_accounts_read', text: READ, values: [ids] });
  const debit = r.rows.find((a) => a.id === d.debitAccountId);
  const credit = r.rows.find((a) => a.id === d.creditAccountId);
  if (debit === undefined || credit === undefined || debit === credit) return 'rejected';
  const debits = Number(debit.debits_posted) + d.amount;
  const credits = Number(credit.credits_posted) + d.amount;
  if (debit.flags & DEBITS_MUST_NOT_EXCEED_CREDITS && debits > Number(debit.credits_posted))
    return 'rejected';
  if (credit.flags & CREDITS_MUST_NOT_EXCEED_DEBITS && credits > Number(credit.debits_posted))
    return 'rejected';
  await c.query({
    name: 'peers_transfer_write',
    text: WRITE,
    values: [d.transferId, d.debitAccountId, d.creditAccountId, d.amount, debits, credits],
  });
  return 'accepted';
}
