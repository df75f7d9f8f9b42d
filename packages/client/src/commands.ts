import type { WireCommand } from '@asp/protocol';

/**
 * The data of every built-in command type, as the producer writes it (optional fields may be
 * left out). Mirrors the zod schemas of @asp/domain (domains/<name>/commands.ts); a unit test
 * runs one example of each type through the real engine so the two cannot drift apart silently.
 * Type-only: the SDK has no runtime dependency on the domain package.
 */
export interface CommandDataMap {
  'seats.createOrg': { orgId: string; cap: number };
  'seats.setCap': { orgId: string; cap: number };
  'seats.createTeam': { orgId: string; teamId: string };
  'seats.addSeats': { orgId: string; teamId: string; seats: number };
  'seats.removeSeats': { orgId: string; teamId: string; seats: number };
  'ledger.openAccount': {
    accountId: string;
    ledger?: number;
    flags?: { debitsMustNotExceedCredits?: boolean; creditsMustNotExceedDebits?: boolean };
  };
  'ledger.transfer': {
    transferId: string;
    debitAccountId: string;
    creditAccountId: string;
    amount: number;
    pending?: boolean;
  };
  'ledger.postPending': { transferId: string; debitAccountId: string; creditAccountId: string };
  'ledger.voidPending': { transferId: string; debitAccountId: string; creditAccountId: string };
  'inventory.createSku': { skuId: string; onHand?: number };
  'inventory.restock': { skuId: string; qty: number };
  'inventory.reserve': { reservationId: string; skuId: string; qty: number };
  'inventory.commitReservation': { reservationId: string; skuId: string };
  'inventory.releaseReservation': { reservationId: string; skuId: string };
  'counter.increment': { counterId: string; by: number; max?: number };
}

/** A wire command whose `type` and `data` agree with a data map. */
export interface TypedCommand<M, T extends keyof M & string> extends WireCommand {
  type: T;
  data: M[T];
}

export type CommandBuilder<M> = <T extends keyof M & string>(
  type: T,
  id: string,
  data: M[T],
  linked?: boolean,
) => TypedCommand<M, T>;

/**
 * A typed builder for any data map: applications with their own domains write
 * `const cmd = commandBuilder<MyDataMap>()`. `linked: true` chains the command to the next one
 * in the same `send` (an atomic group).
 */
export function commandBuilder<M>(): CommandBuilder<M> {
  return (type, id, data, linked) => (linked === undefined ? { id, type, data } : { id, type, data, linked });
}

/** The builder for the built-in domains: `command('seats.addSeats', id, { orgId, teamId, seats })`. */
export const command: CommandBuilder<CommandDataMap> = commandBuilder<CommandDataMap>();
