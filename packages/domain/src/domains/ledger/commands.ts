import { z } from 'zod';
import { accept, eventOn, read, reject } from '../../decision.ts';
import type { CommandDef, Decision, Versioned } from '../../types.ts';
import { aggregateId, memo, nonNegativeInt, positiveInt, withMemo } from '../schemas.ts';
import { type AccountState, account } from './account.ts';
import { transfer } from './transfer.ts';

export const accountKey = (id: string) => ({ type: account.type, id });
export const transferKey = (id: string) => ({ type: transfer.type, id });

const openAccountData = z
  .strictObject({
    accountId: aggregateId,
    ledger: nonNegativeInt.optional(),
    flags: z
      .strictObject({
        debitsMustNotExceedCredits: z.boolean().optional(),
        creditsMustNotExceedDebits: z.boolean().optional(),
      })
      .optional(),
  })
  .refine((d) => !(d.flags?.debitsMustNotExceedCredits && d.flags.creditsMustNotExceedDebits), {
    message: 'debitsMustNotExceedCredits and creditsMustNotExceedDebits are mutually exclusive',
    path: ['flags'],
  });

export const openAccount: CommandDef<z.infer<typeof openAccountData>> = {
  type: 'ledger.openAccount',
  schema: openAccountData,
  keys: (d) => [accountKey(d.accountId)],
  decide(d, view) {
    if (read(view, account, d.accountId)) {
      return reject('ASP_REJ_ALREADY_EXISTS', `account ${d.accountId} already exists`);
    }
    // Defaults are filled in here so the event, not the code that replays it, carries them.
    const flags = {
      debitsMustNotExceedCredits: d.flags?.debitsMustNotExceedCredits ?? false,
      creditsMustNotExceedDebits: d.flags?.creditsMustNotExceedDebits ?? false,
    };
    return accept(eventOn(account, d.accountId, 'ledger.AccountOpened', { ledger: d.ledger ?? 0, flags }));
  },
};

const transferData = z
  .strictObject({
    transferId: aggregateId,
    debitAccountId: aggregateId,
    creditAccountId: aggregateId,
    amount: positiveInt,
    pending: z.boolean().optional(),
    memo,
  })
  .refine((d) => d.debitAccountId !== d.creditAccountId, {
    message: 'debitAccountId and creditAccountId must differ',
    path: ['creditAccountId'],
  });

export const createTransfer: CommandDef<z.infer<typeof transferData>> = {
  type: 'ledger.transfer',
  schema: transferData,
  keys: (d) => [transferKey(d.transferId), accountKey(d.debitAccountId), accountKey(d.creditAccountId)],
  decide(d, view) {
    if (read(view, transfer, d.transferId)) {
      return reject('ASP_REJ_ALREADY_EXISTS', `transfer ${d.transferId} already exists`);
    }
    const debit = read(view, account, d.debitAccountId);
    const credit = read(view, account, d.creditAccountId);
    if (!debit) return reject('ASP_REJ_NOT_FOUND', `account ${d.debitAccountId} not found`);
    if (!credit) return reject('ASP_REJ_NOT_FOUND', `account ${d.creditAccountId} not found`);
    if (debit.state.ledger !== credit.state.ledger) {
      const message = `accounts ${d.debitAccountId} and ${d.creditAccountId} are on different ledgers`;
      return reject('ASP_REJ_INVALID_STATE', message);
    }
    const refused = refuseByFlags(d.debitAccountId, debit, d.creditAccountId, credit, d.amount);
    if (refused) return refused;
    const pending = d.pending ?? false;
    const { transferId, amount } = d;
    return accept(
      eventOn(
        transfer,
        transferId,
        'ledger.TransferCreated',
        withMemo(
          { debitAccountId: d.debitAccountId, creditAccountId: d.creditAccountId, amount, pending },
          d.memo,
        ),
      ),
      eventOn(account, d.debitAccountId, 'ledger.AccountDebited', { transferId, amount, pending }),
      eventOn(account, d.creditAccountId, 'ledger.AccountCredited', { transferId, amount, pending }),
    );
  },
};

/** The account flags, checked here for a clear message; the account invariants guarantee them. */
function refuseByFlags(
  debitId: string,
  debit: Versioned<AccountState>,
  creditId: string,
  credit: Versioned<AccountState>,
  amount: number,
): Decision | undefined {
  const d = debit.state;
  if (d.flags.debitsMustNotExceedCredits && d.debitsPosted + d.debitsPending + amount > d.creditsPosted) {
    const available = d.creditsPosted - d.debitsPosted - d.debitsPending;
    const message = `account ${debitId} cannot be debited ${amount}: ${available} available`;
    return reject('ASP_REJ_INVARIANT', message, 'ledger.account.debits_must_not_exceed_credits');
  }
  const c = credit.state;
  if (c.flags.creditsMustNotExceedDebits && c.creditsPosted + c.creditsPending + amount > c.debitsPosted) {
    const available = c.debitsPosted - c.creditsPosted - c.creditsPending;
    const message = `account ${creditId} cannot be credited ${amount}: ${available} available`;
    return reject('ASP_REJ_INVARIANT', message, 'ledger.account.credits_must_not_exceed_debits');
  }
  return undefined;
}
