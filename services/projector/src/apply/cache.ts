import type { Versioned } from '@asp/domain';

/**
 * The documents the projector wrote or read last, by `type/id` key, least
 * recently used first out. It is what lets a batch skip the read before its
 * write: one writer per document means what it wrote is still there. Any
 * doubt (a failed write, a conflict, a rebuild) evicts.
 */
export class DocCache {
  readonly #map = new Map<string, Versioned>();
  readonly #max: number;
  #complete: boolean;

  /**
   * `complete`: the cache starts out holding every document there is (a
   * rebuild's empty collections), so a miss means "absent" without a read,
   * until the first eviction.
   */
  constructor(docsMax: number, opts: { complete?: boolean } = {}) {
    this.#max = docsMax;
    this.#complete = opts.complete ?? false;
  }

  /** True while a miss means the document does not exist. */
  get complete(): boolean {
    return this.#complete;
  }

  get(key: string): Versioned | undefined {
    const v = this.#map.get(key);
    if (v !== undefined) {
      // Map iteration order is insertion order: re-inserting marks it recently used.
      this.#map.delete(key);
      this.#map.set(key, v);
    }
    return v;
  }

  set(key: string, value: Versioned): void {
    if (this.#max === 0) {
      this.#complete = false;
      return;
    }
    this.#map.delete(key);
    this.#map.set(key, value);
    while (this.#map.size > this.#max) {
      const oldest = this.#map.keys().next().value;
      if (oldest === undefined) break;
      this.#map.delete(oldest);
      this.#complete = false;
    }
  }

  delete(key: string): void {
    this.#map.delete(key);
    this.#complete = false;
  }

  clear(): void {
    this.#map.clear();
    this.#complete = false;
  }

  get size(): number {
    return this.#map.size;
  }
}
