import type { Versioned } from '@asp/domain';

/** One cached document, a link in the recency list (least recently used first). */
interface Entry {
  key: string;
  value: Versioned;
  prev: Entry | undefined;
  next: Entry | undefined;
}

/**
 * The documents the projector wrote or read last, by `type/id` key, least
 * recently used first out. It is what lets a batch skip the read before its
 * write: one writer per document means what it wrote is still there. Any
 * doubt (a failed write, a conflict, a rebuild) evicts.
 *
 * Recency is a linked list beside the map, so a hit moves two pointers and
 * the map changes only when a key comes or goes. Marking a key used by
 * re-inserting it into the Map (insertion order) cost a delete and an insert
 * per touch, two touches per document per batch, left deleted entries for
 * V8 to step over until it rehashed, and needed an iterator kept between
 * evictions to avoid rescanning them: half the cache's CPU in a loop of
 * `single`-sized batches, though too little of the projector's to show in
 * apply.ts (bench/RESULTS.md).
 */
export class DocCache {
  readonly #map = new Map<string, Entry>();
  readonly #max: number;
  #complete: boolean;
  /** Least recently used. */
  #head: Entry | undefined;
  /** Most recently used. */
  #tail: Entry | undefined;

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
    const e = this.#map.get(key);
    if (e === undefined) return undefined;
    this.#toTail(e);
    return e.value;
  }

  set(key: string, value: Versioned): void {
    if (this.#max === 0) {
      this.#complete = false;
      return;
    }
    const e = this.#map.get(key);
    if (e !== undefined) {
      e.value = value;
      this.#toTail(e);
      return;
    }
    const added: Entry = { key, value, prev: undefined, next: undefined };
    this.#append(added);
    this.#map.set(key, added);
    while (this.#map.size > this.#max && this.#head) {
      const oldest = this.#head;
      this.#unlink(oldest);
      this.#map.delete(oldest.key);
      this.#complete = false;
    }
  }

  delete(key: string): void {
    const e = this.#map.get(key);
    if (e !== undefined) {
      this.#unlink(e);
      this.#map.delete(key);
    }
    this.#complete = false;
  }

  clear(): void {
    this.#map.clear();
    this.#head = undefined;
    this.#tail = undefined;
    this.#complete = false;
  }

  get size(): number {
    return this.#map.size;
  }

  #toTail(e: Entry): void {
    if (e === this.#tail) return;
    this.#unlink(e);
    this.#append(e);
  }

  /** Links an unlinked entry in as the most recently used. */
  #append(e: Entry): void {
    e.prev = this.#tail;
    if (this.#tail) this.#tail.next = e;
    else this.#head = e;
    this.#tail = e;
  }

  #unlink(e: Entry): void {
    if (e.prev) e.prev.next = e.next;
    else this.#head = e.next;
    if (e.next) e.next.prev = e.prev;
    else this.#tail = e.prev;
    e.prev = undefined;
    e.next = undefined;
  }
}
