import { unknownEvent } from '../../decision.ts';
import type { AggregateDef, DomainEvent } from '../../types.ts';

export interface AccountFlags {
  /** The account may not be overdrawn: debits (posted and pending) ≤ posted credits. */
  debitsMustNotExceedCredits: boolean;
  /** The mirror, for accounts whose balance is on the debit side. */
  creditsMustNotExceedDebits: boolean;
}

/** Double-entry totals in the style of TigerBeetle: balances are derived, never stored. */
export interface AccountState {
  ledger: number;
  flags: AccountFlags;
  debitsPosted: number;
  creditsPosted: number;
  debitsPending: number;
  creditsPending: number;
}

type Amount = { transferId: string; amount: number };
export type AccountEvent =
  | { type: 'ledger.AccountOpened'; data: { ledger: number; flags: AccountFlags } }
  | { type: 'ledger.AccountDebited'; data: Amount & { pending: boolean } }
  | { type: 'ledger.AccountCredited'; data: Amount & { pending: boolean } }
  | { type: 'ledger.PendingDebitPosted'; data: Amount }
  | { type: 'ledger.PendingCreditPosted'; data: Amount }
  | { type: 'ledger.PendingDebitVoided'; data: Amount }
  | { type: 'ledger.PendingCreditVoided'; data: Amount };

const noFlags: AccountFlags = { debitsMustNotExceedCredits: false, creditsMustNotExceedDebits: false };

export const account: AggregateDef<AccountState> = {
  type: 'account',
  initial: () => ({
    ledger: 0,
    flags: noFlags,
    debitsPosted: 0,
    creditsPosted: 0,
    debitsPending: 0,
    creditsPending: 0,
  }),
  evolve(s, event) {
    const e = event as DomainEvent & AccountEvent;
    switch (e.type) {
      case 'ledger.AccountOpened':
        return { ...s, ledger: e.data.ledger, flags: { ...e.data.flags } };
      case 'ledger.AccountDebited':
        return e.data.pending
          ? { ...s, debitsPending: s.debitsPending + e.data.amount }
          : { ...s, debitsPosted: s.debitsPosted + e.data.amount };
      case 'ledger.AccountCredited':
        return e.data.pending
          ? { ...s, creditsPending: s.creditsPending + e.data.amount }
          : { ...s, creditsPosted: s.creditsPosted + e.data.amount };
      case 'ledger.PendingDebitPosted':
        return {
          ...s,
          debitsPending: s.debitsPending - e.data.amount,
          debitsPosted: s.debitsPosted + e.data.amount,
        };
      case 'ledger.PendingCreditPosted':
        return {
          ...s,
          creditsPending: s.creditsPending - e.data.amount,
          creditsPosted: s.creditsPosted + e.data.amount,
        };
      case 'ledger.PendingDebitVoided':
        return { ...s, debitsPending: s.debitsPending - e.data.amount };
      case 'ledger.PendingCreditVoided':
        return { ...s, creditsPending: s.creditsPending - e.data.amount };
      default:
        return unknownEvent('account', event);
    }
  },
  invariants: [
    {
      name: 'ledger.account.debits_must_not_exceed_credits',
      holds: (s) =>
        !s.flags.debitsMustNotExceedCredits || s.debitsPosted + s.debitsPending <= s.creditsPosted,
      describe: (s) =>
        `debits ${s.debitsPosted} posted + ${s.debitsPending} pending would exceed credits posted ${s.creditsPosted}`,
    },
    {
      name: 'ledger.account.credits_must_not_exceed_debits',
      holds: (s) =>
        !s.flags.creditsMustNotExceedDebits || s.creditsPosted + s.creditsPending <= s.debitsPosted,
      describe: (s) =>
        `credits ${s.creditsPosted} posted + ${s.creditsPending} pending would exceed debits posted ${s.debitsPosted}`,
    },
    {
      // Totals are sums of safe integers: past 2^53 - 1 they would silently lose precision.
      // The sums the flag invariants compute must stay exact too.
      name: 'ledger.account.totals_in_range',
      holds: (s) =>
        inRange(s.debitsPosted) &&
        inRange(s.creditsPosted) &&
        inRange(s.debitsPending) &&
        inRange(s.creditsPending) &&
        inRange(s.debitsPosted + s.debitsPending) &&
        inRange(s.creditsPosted + s.creditsPending),
      describe: (s) => `account totals would leave the safe integer range: ${totals(s).join(', ')}`,
    },
  ],
};

const inRange = (n: number) => n >= 0 && Number.isSafeInteger(n);

function totals(s: AccountState): number[] {
  return [
    s.debitsPosted,
    s.creditsPosted,
    s.debitsPending,
    s.creditsPending,
    s.debitsPosted + s.debitsPending,
    s.creditsPosted + s.creditsPending,
  ];
}
