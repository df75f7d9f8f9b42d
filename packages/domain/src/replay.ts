import { DomainError } from './errors.ts';
import { keyString } from './keys.ts';
import { lookupIn } from './overlay.ts';
import type { EventRecord } from './protocol.ts';
import type { AggregateDef, StateView, Versioned } from './types.ts';

/**
 * Applies committed events (from the WAL or ASP_EVENTS) to state: recovery, the projector's
 * audit and rebuilds. Deterministic, since evolve is pure. Returns the new state of every
 * aggregate the events touched; `base` is only read, so the caller applies the result.
 *
 * Each event's version must be its aggregate's version + 1: anything else means records were
 * skipped, repeated or reordered, and the state would silently be wrong.
 */
export function replayEvents(
  aggregates: ReadonlyMap<string, AggregateDef<unknown>>,
  events: Iterable<EventRecord>,
  base: StateView,
): Map<string, Versioned> {
  const changed = new Map<string, Versioned>();
  const lookup = lookupIn(base);
  for (const event of events) {
    const { aggregateType: type, aggregateId: id } = event;
    const def = aggregates.get(type);
    if (def === undefined) {
      throw new DomainError(
        'ASP_ERR_DOMAIN_UNKNOWN_AGGREGATE',
        `cannot replay event ${event.type} of command ${event.commandId}: unknown aggregate type "${type}"`,
      );
    }
    const key = keyString(type, id);
    const current = changed.get(key) ?? lookup(key, type, id);
    const version = current === undefined ? 0 : current.version;
    if (event.version !== version + 1) {
      throw new DomainError(
        'ASP_ERR_DOMAIN_REPLAY_ORDER',
        `replay out of order: ${key} is at version ${version} but event ${event.type} of command ` +
          `${event.commandId} has version ${event.version} (expected ${version + 1})`,
      );
    }
    const state = def.evolve(current === undefined ? def.initial(id) : current.state, event);
    changed.set(key, { version: event.version, state });
  }
  return changed;
}
