import { describe, expect, it } from 'vitest';
import { ev, given } from '../spec.ts';

const noFlags = { debitsMustNotExceedCredits: false, creditsMustNotExceedDebits: false };
const opened = (id: string, flags = noFlags, ledger = 0) =>
  ev('account', id, 'ledger.AccountOpened', { ledger, flags });
const twoAccounts = [opened('a'), opened('b')];
const transferred = (id: string, amount: number, pending: boolean, debit = 'a', credit = 'b') => [
  ev('transfer', id, 'ledger.TransferCreated', {
    debitAccountId: debit,
    creditAccountId: credit,
    amount,
    pending,
  }),
  ev('account', debit, 'ledger.AccountDebited', { transferId: id, amount, pending }),
  ev('account', credit, 'ledger.AccountCredited', { transferId: id, amount, pending }),
];
const t1 = { transferId: 't1', debitAccountId: 'a', creditAccountId: 'b' };

describe('ledger', () => {
  it('opens an account once, filling in defaults', () => {
    given([])
      .when('ledger.openAccount', { accountId: 'a' })
      .thenEmits([opened('a')]);
    given([opened('a')])
      .when('ledger.openAccount', { accountId: 'a' })
      .thenRejects('ASP_REJ_ALREADY_EXISTS');
  });

  it('refuses contradictory flags in the schema', () => {
    const flags = { debitsMustNotExceedCredits: true, creditsMustNotExceedDebits: true };
    given([]).when('ledger.openAccount', { accountId: 'a', flags }).thenRejects('ASP_REJ_SCHEMA');
  });

  it('transfers between two accounts of one ledger', () => {
    given(twoAccounts)
      .when('ledger.transfer', { ...t1, amount: 7 })
      .thenEmits(transferred('t1', 7, false));
    given(twoAccounts)
      .when('ledger.transfer', { ...t1, amount: 7, pending: true })
      .thenEmits(transferred('t1', 7, true));
    given([opened('a'), opened('b', noFlags, 2)])
      .when('ledger.transfer', { ...t1, amount: 7 })
      .thenRejects('ASP_REJ_INVALID_STATE');
    given([opened('a')])
      .when('ledger.transfer', { ...t1, amount: 7 })
      .thenRejects('ASP_REJ_NOT_FOUND');
    given([...twoAccounts, ...transferred('t1', 1, false)])
      .when('ledger.transfer', { ...t1, amount: 7 })
      .thenRejects('ASP_REJ_ALREADY_EXISTS');
    given(twoAccounts)
      .when('ledger.transfer', { ...t1, creditAccountId: 'a', amount: 7 })
      .thenRejects('ASP_REJ_SCHEMA');
  });

  it('never overdraws an account with debits_must_not_exceed_credits', () => {
    const guarded = { ...noFlags, debitsMustNotExceedCredits: true };
    const history = [opened('a', guarded), opened('b'), ...transferred('t0', 10, false, 'b', 'a')];
    given(history)
      .when('ledger.transfer', { ...t1, amount: 10 })
      .thenEmits(transferred('t1', 10, false));
    const rejected = given([...history, ...transferred('t1', 4, true)])
      .when('ledger.transfer', { ...t1, transferId: 't2', amount: 7 })
      .thenRejects('ASP_REJ_INVARIANT', 'ledger.account.debits_must_not_exceed_credits');
    expect(rejected.message).toBe('account a cannot be debited 7: 6 available');
  });

  it('never lets credits exceed debits with credits_must_not_exceed_debits', () => {
    const guarded = { ...noFlags, creditsMustNotExceedDebits: true };
    given([opened('a'), opened('b', guarded)])
      .when('ledger.transfer', { ...t1, amount: 1 })
      .thenRejects('ASP_REJ_INVARIANT', 'ledger.account.credits_must_not_exceed_debits');
  });

  it('posts and voids pending transfers exactly once', () => {
    const pending = [...twoAccounts, ...transferred('t1', 5, true)];
    const amount = { transferId: 't1', amount: 5 };
    given(pending)
      .when('ledger.postPending', t1)
      .thenEmits([
        ev('transfer', 't1', 'ledger.TransferPosted', {}),
        ev('account', 'a', 'ledger.PendingDebitPosted', amount),
        ev('account', 'b', 'ledger.PendingCreditPosted', amount),
      ]);
    given(pending)
      .when('ledger.voidPending', t1)
      .thenEmits([
        ev('transfer', 't1', 'ledger.TransferVoided', {}),
        ev('account', 'a', 'ledger.PendingDebitVoided', amount),
        ev('account', 'b', 'ledger.PendingCreditVoided', amount),
      ]);
    given([...twoAccounts, ...transferred('t1', 5, false)])
      .when('ledger.voidPending', t1)
      .thenRejects('ASP_REJ_INVALID_STATE');
    given(pending)
      .when('ledger.postPending', { ...t1, debitAccountId: 'b', creditAccountId: 'a' })
      .thenRejects('ASP_REJ_INVALID_STATE');
    given(twoAccounts).when('ledger.postPending', t1).thenRejects('ASP_REJ_NOT_FOUND');
  });

  it('refuses totals past the safe integer range', () => {
    const max = Number.MAX_SAFE_INTEGER;
    given([...twoAccounts, ...transferred('t0', max, false)])
      .when('ledger.transfer', { ...t1, amount: 1 })
      .thenRejects('ASP_REJ_INVARIANT', 'ledger.account.totals_in_range');
  });
});
