import { type KeyedStateView, keyString, type Versioned } from '@asp/domain';
import type { EventRecord } from '@asp/protocol';
import type { StateStore } from '@asp/state';

/**
 * Reads every aggregate a batch needs in one call (the store answers from its
 * cache, or one LevelDB getMany) and serves them to the engine synchronously:
 * deciding never waits on I/O.
 */
export async function prefetch(state: StateStore, keys: readonly string[]): Promise<KeyedStateView> {
  const found = new Map<string, Versioned>();
  if (keys.length > 0) {
    const values = await state.getAggregates(keys);
    for (let i = 0; i < keys.length; i++) {
      const v = values[i];
      if (v) found.set(keys[i]!, v);
    }
  }
  return {
    get: <S>(type: string, id: string) => found.get(keyString(type, id)) as Versioned<S> | undefined,
    getKey: (key) => found.get(key),
  };
}

/** The aggregates a record's events touch: what replay must read first. */
export function keysOfEvents(events: readonly EventRecord[]): string[] {
  const keys = new Set<string>();
  for (const e of events) keys.add(keyString(e.aggregateType, e.aggregateId));
  return [...keys];
}
