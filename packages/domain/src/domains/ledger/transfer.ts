import { unknownEvent } from '../../decision.ts';
import type { AggregateDef, DomainEvent } from '../../types.ts';

export type TransferStatus = 'posted' | 'pending' | 'voided';

export interface TransferState {
  debitAccountId: string;
  creditAccountId: string;
  amount: number;
  status: TransferStatus;
}

export type TransferEvent =
  | {
      type: 'ledger.TransferCreated';
      data: { debitAccountId: string; creditAccountId: string; amount: number; pending: boolean };
    }
  | { type: 'ledger.TransferPosted'; data: Record<string, never> }
  | { type: 'ledger.TransferVoided'; data: Record<string, never> };

export const transfer: AggregateDef<TransferState> = {
  type: 'transfer',
  initial: () => ({ debitAccountId: '', creditAccountId: '', amount: 0, status: 'pending' }),
  evolve(s, event) {
    const e = event as DomainEvent & TransferEvent;
    switch (e.type) {
      case 'ledger.TransferCreated': {
        const { debitAccountId, creditAccountId, amount, pending } = e.data;
        return { debitAccountId, creditAccountId, amount, status: pending ? 'pending' : 'posted' };
      }
      case 'ledger.TransferPosted':
        return { ...s, status: 'posted' };
      case 'ledger.TransferVoided':
        return { ...s, status: 'voided' };
      default:
        return unknownEvent('transfer', event);
    }
  },
  invariants: [
    {
      name: 'ledger.transfer.accounts_differ',
      holds: (s) => s.debitAccountId !== s.creditAccountId,
      describe: (s) => `transfer debits and credits the same account ${s.debitAccountId}`,
    },
    {
      name: 'ledger.transfer.amount_positive',
      holds: (s) => s.amount > 0 && Number.isSafeInteger(s.amount),
      describe: (s) => `transfer amount ${s.amount} is not a positive safe integer`,
    },
  ],
};
