import { z } from 'zod';
import { accept, eventOn, read, reject } from '../../decision.ts';
import type { CommandDef, Decision, StateView } from '../../types.ts';
import { aggregateId } from '../schemas.ts';
import { account } from './account.ts';
import { accountKey, transferKey } from './commands.ts';
import { transfer } from './transfer.ts';

// The accounts travel with the command (though the transfer knows them) so that keys() can
// name them without reading state: the sequencer prefetches keys before any decide runs.
const resolveData = z.strictObject({
  transferId: aggregateId,
  debitAccountId: aggregateId,
  creditAccountId: aggregateId,
});
type ResolveData = z.infer<typeof resolveData>;

const keys = (d: ResolveData) => [
  transferKey(d.transferId),
  accountKey(d.debitAccountId),
  accountKey(d.creditAccountId),
];

export const postPending: CommandDef<ResolveData> = {
  type: 'ledger.postPending',
  schema: resolveData,
  keys,
  decide: (d, view) => resolve(d, view, 'post'),
};

export const voidPending: CommandDef<ResolveData> = {
  type: 'ledger.voidPending',
  schema: resolveData,
  keys,
  decide: (d, view) => resolve(d, view, 'void'),
};

const eventTypes = {
  post: ['ledger.TransferPosted', 'ledger.PendingDebitPosted', 'ledger.PendingCreditPosted'],
  void: ['ledger.TransferVoided', 'ledger.PendingDebitVoided', 'ledger.PendingCreditVoided'],
} as const;

/** Posts or voids a pending transfer: its amount leaves the accounts' pending totals. */
function resolve(d: ResolveData, view: StateView, action: 'post' | 'void'): Decision {
  const t = read(view, transfer, d.transferId);
  if (!t) return reject('ASP_REJ_NOT_FOUND', `transfer ${d.transferId} not found`);
  if (t.state.status !== 'pending') {
    return reject(
      'ASP_REJ_INVALID_STATE',
      `cannot ${action} transfer ${d.transferId}: it is ${t.state.status}`,
    );
  }
  if (t.state.debitAccountId !== d.debitAccountId || t.state.creditAccountId !== d.creditAccountId) {
    const message = `transfer ${d.transferId} is from ${t.state.debitAccountId} to ${t.state.creditAccountId}`;
    return reject('ASP_REJ_INVALID_STATE', message);
  }
  const [transferEvent, debitEvent, creditEvent] = eventTypes[action];
  const amount = { transferId: d.transferId, amount: t.state.amount };
  return accept(
    eventOn(transfer, d.transferId, transferEvent, {}),
    eventOn(account, d.debitAccountId, debitEvent, amount),
    eventOn(account, d.creditAccountId, creditEvent, amount),
  );
}
