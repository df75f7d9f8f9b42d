/** @asp/domain: the engine's pure core. The only public entry of the package. */

export type {
  BatchItem,
  BatchOutcome,
  DecidedResult,
  InvalidCommand,
  PendingAccepted,
  ValidCommand,
} from './batch.ts';
export { invalidItem, withSeq } from './batch.ts';
export { closeOpenChain } from './chains.ts';
export type { Violation } from './checkAll.ts';
export { accept, eventOn, read, reject, unknownEvent } from './decision.ts';
export { builtInDomains, createEngine } from './domains/builtIn.ts';
export type { CounterState } from './domains/counter/counter.ts';
export { counterDomain } from './domains/counter/index.ts';
export type { ReservationState, ReservationStatus, SkuState } from './domains/inventory/aggregates.ts';
export { inventory } from './domains/inventory/index.ts';
export type { AccountFlags, AccountState } from './domains/ledger/account.ts';
export { ledger } from './domains/ledger/index.ts';
export type { TransferState, TransferStatus } from './domains/ledger/transfer.ts';
export type { OrgState, TeamState } from './domains/seats/aggregates.ts';
export { seats } from './domains/seats/index.ts';
export { Engine } from './engine.ts';
export type { DomainErrorCode } from './errors.ts';
export { DomainError } from './errors.ts';
export type { AggregateKey, DeclaredKey } from './keys.ts';
export { keyString, parseKey } from './keys.ts';
export { MemoryState } from './memoryState.ts';
export { canonicalJson, stateHash } from './stateHash.ts';
export type {
  AggregateDef,
  AllState,
  CommandDef,
  Decision,
  DecisionRejected,
  Domain,
  DomainEvent,
  Invariant,
  KeyedStateView,
  NewEvent,
  StateView,
  Versioned,
} from './types.ts';
