import type { AllState } from '../../types.ts';
import { type AccountState, account } from './account.ts';
import { type TransferState, transfer } from './transfer.ts';

type Totals = Pick<AccountState, 'debitsPosted' | 'creditsPosted' | 'debitsPending' | 'creditsPending'>;
const fields = ['debitsPosted', 'creditsPosted', 'debitsPending', 'creditsPending'] as const;

/**
 * Double entry: Σ debits = Σ credits (posted and pending). And every account's totals must
 * equal what its transfers say, which proves each transfer's status is reflected exactly once.
 */
export function auditLedger(all: AllState): string[] {
  const violations: string[] = [];
  const accounts = all.ofType<AccountState>(account.type);
  const expected = new Map<string, Totals>();
  const totalsOf = (id: string): Totals => {
    let t = expected.get(id);
    if (!t) {
      t = { debitsPosted: 0, creditsPosted: 0, debitsPending: 0, creditsPending: 0 };
      expected.set(id, t);
    }
    return t;
  };
  for (const [id, { state }] of all.ofType<TransferState>(transfer.type)) {
    for (const side of [state.debitAccountId, state.creditAccountId]) {
      if (!accounts.has(side)) violations.push(`transfer ${id} names account ${side}, which does not exist`);
    }
    if (state.status === 'voided') continue;
    const posted = state.status === 'posted';
    const debit = totalsOf(state.debitAccountId);
    const credit = totalsOf(state.creditAccountId);
    if (posted) debit.debitsPosted += state.amount;
    else debit.debitsPending += state.amount;
    if (posted) credit.creditsPosted += state.amount;
    else credit.creditsPending += state.amount;
  }
  const sums: Totals = { debitsPosted: 0, creditsPosted: 0, debitsPending: 0, creditsPending: 0 };
  for (const [id, { state }] of accounts) {
    const want = totalsOf(id);
    for (const f of fields) {
      sums[f] += state[f];
      if (state[f] !== want[f])
        violations.push(`account ${id}: ${f} is ${state[f]}, its transfers say ${want[f]}`);
    }
  }
  if (sums.debitsPosted !== sums.creditsPosted) {
    violations.push(`Σ debits posted ${sums.debitsPosted} ≠ Σ credits posted ${sums.creditsPosted}`);
  }
  if (sums.debitsPending !== sums.creditsPending) {
    violations.push(`Σ debits pending ${sums.debitsPending} ≠ Σ credits pending ${sums.creditsPending}`);
  }
  return violations;
}
