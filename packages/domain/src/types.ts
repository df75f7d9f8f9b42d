/**
 * The decider API: what a domain defines. Everything here is pure data and pure functions:
 * no clock, no randomness, no I/O, so replaying the same events always gives the same state.
 */
import type { z } from 'zod';
import type { AggregateKey } from './keys.ts';
import type { RejectionCode } from './protocol.ts';

/** An aggregate's state with its version: the number of events applied to it (0 = never existed). */
export interface Versioned<S = unknown> {
  version: number;
  state: S;
}

/** Read access to aggregates. `undefined` means the aggregate does not exist (it has no events). */
export interface StateView {
  get<S = unknown>(type: string, id: string): Versioned<S> | undefined;
}

/**
 * A view that can also look aggregates up by their `type/id` key string (see keyString). The
 * engine uses `getKey` when the base has it: the key strings are built once per command at
 * validation, so lookups skip rebuilding (and rehashing) them.
 */
export interface KeyedStateView extends StateView {
  getKey(key: string): Versioned | undefined;
}

/** What `evolve` sees of an event. */
export interface DomainEvent {
  type: string;
  data: Record<string, unknown>;
}

/** An event a decider emits; the engine adds the command id and the aggregate's new version. */
export interface NewEvent extends DomainEvent {
  aggregateType: string;
  aggregateId: string;
}

/** A rule that must hold for every state of one aggregate, checked after every command. */
export interface Invariant<S> {
  /** Stable and dotted, `<domain>.<aggregate>.<rule>`: it is part of a rejection's contract. */
  name: string;
  holds(state: S): boolean;
  /** Why the state breaks the rule, for the rejection message. Called only when `holds` is false. */
  describe(state: S): string;
}

export interface AggregateDef<S> {
  /** Never contains `/` (it separates type and id in keys). */
  type: string;
  /** The state before the first event. */
  initial(id: string): S;
  /** Pure: returns a new state, never mutates `state` (states are shared with the overlay's undo log). */
  evolve(state: S, event: DomainEvent): S;
  invariants: readonly Invariant<S>[];
}

export interface DecisionRejected {
  ok: false;
  code: RejectionCode;
  message: string;
  /** With ASP_REJ_INVARIANT: the invariant the command would break, when decide saw it first. */
  invariant?: string;
}

export type Decision = { ok: true; events: NewEvent[] } | DecisionRejected;

export interface CommandDef<D> {
  /** `<domain>.<command>`, e.g. `seats.addSeats`. */
  type: string;
  schema: z.ZodType<D>;
  /**
   * Every aggregate `decide` may read or write, computed from the data alone: the sequencer
   * prefetches them before deciding. Reading or writing any other key is a programmer error.
   */
  keys(data: D): AggregateKey[];
  decide(data: D, view: StateView): Decision;
}

/** Every aggregate of a full state, grouped by type, for domain audits. */
export interface AllState {
  /** The aggregates of one type by id (empty when there are none). */
  ofType<S = unknown>(type: string): ReadonlyMap<string, Versioned<S>>;
}

export interface Domain {
  name: string;
  // Type-erased (methods are bivariant, so typed definitions fit): the engine only ever calls a
  // definition with the states and data its own schema and evolve produced.
  aggregates: readonly AggregateDef<unknown>[];
  commands: readonly CommandDef<unknown>[];
  /** Rules across aggregates that are materialised or derived; returns one message per violation. */
  audit?(all: AllState): string[];
}
