import { assert } from '@asp/errors';
import type { ValidCommand } from './batch.ts';
import { findDeclared, type Overlay } from './overlay.ts';
import type { EventRecord, RejectedResult } from './protocol.ts';
import type { AggregateDef, Decision } from './types.ts';

/**
 * Decides one command against the overlay, evolves its events onto the overlay and re-checks
 * every invariant of every aggregate they touched: the engine does not trust `decide`.
 * Returns the rejection, or undefined when accepted. On rejection the caller rolls the overlay
 * and `events` back (the command may have written before an invariant refused it).
 */
export function decideOne(
  cmd: ValidCommand,
  overlay: Overlay,
  aggregates: ReadonlyMap<string, AggregateDef<unknown>>,
  events: EventRecord[],
): RejectedResult | undefined {
  overlay.allow(cmd.keys);
  let decision: Decision;
  try {
    decision = cmd.def.decide(cmd.data, overlay);
  } finally {
    overlay.allow(undefined);
  }
  if (!decision.ok) {
    const { code, message, invariant } = decision;
    return invariant === undefined
      ? { id: cmd.id, status: 'rejected', code, message }
      : { id: cmd.id, status: 'rejected', code, message, invariant };
  }
  // Touched aggregates, deduplicated: commands touch one to three, so arrays beat a Set.
  const touchedKeys: string[] = [];
  const touchedDefs: AggregateDef<unknown>[] = [];
  for (const event of decision.events) {
    const { aggregateType: type, aggregateId: id } = event;
    const { key } = findDeclared(cmd.keys, type, id);
    const def = aggregates.get(type);
    assert(def !== undefined, `${cmd.def.type} emitted an event on unknown aggregate type ${type}`);
    const current = overlay.read(key, type, id);
    const version = current === undefined ? 1 : current.version + 1;
    const state = def.evolve(current === undefined ? def.initial(id) : current.state, event);
    overlay.write(key, { version, state });
    events.push({
      commandId: cmd.id,
      aggregateType: type,
      aggregateId: id,
      version,
      type: event.type,
      data: event.data,
    });
    if (!touchedKeys.includes(key)) {
      touchedKeys.push(key);
      touchedDefs.push(def);
    }
  }
  for (let i = 0; i < touchedKeys.length; i++) {
    const broken = brokenInvariant(touchedDefs[i]!, overlay.changes.get(touchedKeys[i]!)!.state);
    if (broken !== undefined) {
      return { id: cmd.id, status: 'rejected', code: 'ASP_REJ_INVARIANT', ...broken };
    }
  }
  return undefined;
}

function brokenInvariant(
  def: AggregateDef<unknown>,
  state: unknown,
): { message: string; invariant: string } | undefined {
  for (const invariant of def.invariants) {
    if (!invariant.holds(state)) return { message: invariant.describe(state), invariant: invariant.name };
  }
  return undefined;
}
