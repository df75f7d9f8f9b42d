/**
 * A bounded cache with CLOCK eviction (an LRU approximation). A hit only sets a bit; eviction
 * sweeps a hand over the slots, clearing bits, and takes the first slot whose bit is clear.
 *
 * Why not a Map re-inserted on every hit (the usual JS LRU): V8 leaves deleted Map entries in
 * place until the table is rebuilt, so evicting "the first key" walks over every entry
 * evicted before it. Measured: applyBatch went from 6 ms to 80 ms per call once a 200k-entry
 * cache was full. Here the Map is only looked up, and deleted from at random slots.
 */
export class ClockCache<K, V> {
  readonly entriesMax: number;
  readonly #slotOf = new Map<K, number>();
  /** undefined marks a slot whose entry was deleted: the hand reuses it first. */
  readonly #keys: (K | undefined)[] = [];
  readonly #values: (V | undefined)[] = [];
  readonly #referenced: boolean[] = [];
  #hand = 0;

  constructor(entriesMax: number) {
    this.entriesMax = entriesMax;
  }

  get size(): number {
    return this.#slotOf.size;
  }

  get(key: K): V | undefined {
    const slot = this.#slotOf.get(key);
    if (slot === undefined) return undefined;
    this.#referenced[slot] = true;
    return this.#values[slot];
  }

  /** New and updated entries start referenced: what was just written is likely read next. */
  set(key: K, value: V): void {
    let slot = this.#slotOf.get(key);
    if (slot === undefined) {
      slot = this.#keys.length < this.entriesMax ? this.#keys.length : this.#evict();
      this.#slotOf.set(key, slot);
      this.#keys[slot] = key;
    }
    this.#values[slot] = value;
    this.#referenced[slot] = true;
  }

  /** Replaces the value of a present entry; adds nothing. */
  update(key: K, value: V): void {
    const slot = this.#slotOf.get(key);
    if (slot !== undefined) this.#values[slot] = value;
  }

  delete(key: K): void {
    const slot = this.#slotOf.get(key);
    if (slot === undefined) return;
    this.#slotOf.delete(key);
    this.#keys[slot] = undefined;
    this.#values[slot] = undefined;
    this.#referenced[slot] = false;
  }

  clear(): void {
    this.#slotOf.clear();
    this.#keys.length = 0;
    this.#values.length = 0;
    this.#referenced.length = 0;
    this.#hand = 0;
  }

  /** Frees a slot: at most two sweeps, amortised O(1) per insertion. */
  #evict(): number {
    for (;;) {
      const slot = this.#hand;
      this.#hand = slot + 1 === this.entriesMax ? 0 : slot + 1;
      if (this.#referenced[slot]) {
        this.#referenced[slot] = false;
        continue;
      }
      const key = this.#keys[slot];
      if (key !== undefined) this.#slotOf.delete(key);
      return slot;
    }
  }
}
