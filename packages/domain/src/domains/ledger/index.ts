import type { Domain } from '../../types.ts';
import { account } from './account.ts';
import { auditLedger } from './audit.ts';
import { createTransfer, openAccount } from './commands.ts';
import { postPending, voidPending } from './pending.ts';
import { transfer } from './transfer.ts';

/** Double-entry accounts and transfers, TigerBeetle-like: two-phase transfers, balance flags. */
export const ledger: Domain = {
  name: 'ledger',
  aggregates: [account, transfer],
  commands: [openAccount, createTransfer, postPending, voidPending],
  audit: auditLedger,
};
