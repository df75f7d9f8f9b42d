import { keyString } from './keys.ts';
import type { KeyedStateView, Versioned } from './types.ts';

/**
 * A whole state held in a Map by `type/id` key. The base of tests and tools (replay from
 * empty, audits); the sequencer's real state lives in LevelDB.
 */
export class MemoryState implements KeyedStateView {
  readonly #map = new Map<string, Versioned>();

  constructor(entries: Iterable<[string, Versioned]> = []) {
    for (const [key, value] of entries) this.#map.set(key, value);
  }

  get<S = unknown>(type: string, id: string): Versioned<S> | undefined {
    return this.#map.get(keyString(type, id)) as Versioned<S> | undefined;
  }

  getKey(key: string): Versioned | undefined {
    return this.#map.get(key);
  }

  /** Applies a batch's or a replay's changed aggregates. */
  apply(changed: ReadonlyMap<string, Versioned>): void {
    for (const [key, value] of changed) this.#map.set(key, value);
  }

  entries(): IterableIterator<[string, Versioned]> {
    return this.#map.entries();
  }

  get size(): number {
    return this.#map.size;
  }
}
