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
   * Yields the least recently used key. It is kept from one eviction to the
   * next: every key before it was evicted or moved to the end, so it never
   * goes back. A fresh `keys()` each time would start at the front, where
   * V8's Map keeps the deleted entries until it rehashes, and step over all
   * of them: with the default 100,000 documents that was a quarter of the
   * projector's time on a long run.
   */
  #oldest: MapIterator<string> | undefined;

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
      const oldest = this.#nextOldest();
      if (oldest === undefined) break;
      this.#map.delete(oldest);
      this.#complete = false;
    }
  }

  #nextOldest(): string | undefined {
    this.#oldest ??= this.#map.keys();
    let r = this.#oldest.next();
    if (r.done) {
      // An iterator that reached the end stays done, whatever is added later.
      this.#oldest = this.#map.keys();
      r = this.#oldest.next();
    }
    return r.done ? undefined : r.value;
  }

  delete(key: string): void {
    this.#map.delete(key);
    this.#complete = false;
  }

  clear(): void {
    this.#map.clear();
    this.#oldest = undefined;
    this.#complete = false;
  }

  get size(): number {
    return this.#map.size;
  }
}
