/** Small helpers that keep deciders short and their decisions uniform. */
import type { RejectionCode } from './protocol.ts';
import type { AggregateDef, Decision, DecisionRejected, NewEvent, StateView, Versioned } from './types.ts';

export function accept(...events: NewEvent[]): Decision {
  return { ok: true, events };
}

export function reject(code: RejectionCode, message: string, invariant?: string): DecisionRejected {
  return invariant === undefined ? { ok: false, code, message } : { ok: false, code, message, invariant };
}

/** An event on the aggregate `def` describes; ties the event to a defined aggregate type. */
export function eventOn<S>(
  def: AggregateDef<S>,
  aggregateId: string,
  type: string,
  data: Record<string, unknown>,
): NewEvent {
  return { aggregateType: def.type, aggregateId, type, data };
}

/** Reads an aggregate typed by its definition (undefined: it does not exist). */
export function read<S>(view: StateView, def: AggregateDef<S>, id: string): Versioned<S> | undefined {
  return view.get<S>(def.type, id);
}

/**
 * For evolve's default branch. An event type the aggregate does not know means code older than
 * the log or a bug; ignoring it would make replay silently diverge, so it fails loudly.
 */
export function unknownEvent(aggregateType: string, event: { type: string }): never {
  throw new Error(`assertion failed: aggregate ${aggregateType} has no event type ${event.type}`);
}
