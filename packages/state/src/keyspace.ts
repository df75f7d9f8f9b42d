import { ClockCache } from './clock.ts';
import { levelError } from './errors.ts';
import type { KeyFilter } from './filter.ts';
import type { Level } from './level.ts';

export interface KeyspaceConfig<V> {
  db: Level;
  entriesMax: number;
  /** The LevelDB key of a caller's key (adds the keyspace prefix). */
  levelKey: (key: string) => string;
  decode: (levelKey: string, bytes: Uint8Array) => V;
  /** Whether written values enter the cache, or only values read from LevelDB do. */
  writeThrough: boolean;
  /** Answers "certainly absent" for keys never written, so they are not read (filter.ts). */
  filter: KeyFilter;
}

/**
 * One keyspace (aggregates or results) read through a CLOCK cache with one getMany per call;
 * keys its filter knows were never written are answered without LevelDB.
 *
 * Writes go through it too: `begin` shows the values of the batch being written to readers
 * at once, `commit` moves them into the cache once durable. A read that overlaps a write may
 * have fetched a value from before it, so such a read prefers what the cache and the batch in
 * flight hold and does not fill the cache with what it fetched.
 */
export class CachedKeyspace<V> {
  readonly #config: KeyspaceConfig<V>;
  readonly #cache: ClockCache<string, V>;
  #pending: ReadonlyMap<string, V> | undefined;
  /** Bumped by every `begin`: tells a read that a write started while it waited. */
  #generation = 0;
  hits = 0;
  misses = 0;

  constructor(config: KeyspaceConfig<V>) {
    this.#config = config;
    this.#cache = new ClockCache(config.entriesMax);
  }

  get entries(): number {
    return this.#cache.size;
  }

  get entriesMax(): number {
    return this.#cache.entriesMax;
  }

  async getMany(keys: readonly string[]): Promise<(V | undefined)[]> {
    const values = new Array<V | undefined>(keys.length);
    const missAt: number[] = [];
    const filter = this.#config.filter;
    let absent = 0;
    for (let i = 0; i < keys.length; i++) {
      const value = this.#lookup(keys[i]!);
      if (value !== undefined) values[i] = value;
      else if (filter.mightContain(keys[i]!)) missAt.push(i);
      else absent++;
    }
    this.hits += keys.length - missAt.length - absent;
    this.misses += missAt.length;
    filter.skipped += absent;
    if (missAt.length === 0) return values;
    const generation = this.#generation;
    const levelKeys = missAt.map((i) => this.#config.levelKey(keys[i]!));
    let fetched: (Uint8Array | undefined)[];
    try {
      fetched = await this.#config.db.getMany(levelKeys);
    } catch (err) {
      throw levelError(`reading ${levelKeys.length} keys`, err);
    }
    const overlapped = generation !== this.#generation;
    for (let j = 0; j < missAt.length; j++) {
      const i = missAt[j]!;
      const newer = overlapped ? this.#lookup(keys[i]!) : undefined;
      const bytes = fetched[j];
      if (bytes === undefined && newer === undefined && filter.ready) filter.falsePositives++;
      if (newer !== undefined || bytes === undefined) {
        values[i] = newer;
        continue;
      }
      const value = this.#config.decode(levelKeys[j]!, bytes);
      if (!overlapped) this.#cache.set(keys[i]!, value);
      values[i] = value;
    }
    return values;
  }

  /**
   * The values of the batch `seq` about to be written: readers see them from now on, and the
   * filter holds their keys before LevelDB does.
   */
  begin(values: ReadonlyMap<string, V>, seq: number): void {
    for (const key of values.keys()) this.#config.filter.add(key, seq);
    this.#pending = values;
    this.#generation += 1;
  }

  /** The batch is in LevelDB: its values enter the cache, or at least replace stale entries. */
  commit(): void {
    const pending = this.#pending;
    this.#pending = undefined;
    if (pending === undefined) return;
    if (this.#config.writeThrough) for (const [key, value] of pending) this.#cache.set(key, value);
    else for (const [key, value] of pending) this.#cache.update(key, value);
  }

  /** Drops entries whose values left LevelDB (pruned results), so memory never answers for them. */
  forget(keys: readonly string[]): void {
    if (this.#cache.size === 0) return;
    for (const key of keys) this.#cache.delete(key);
  }

  /** The write failed: the store refuses every later call, nothing more to keep. */
  abort(): void {
    this.#pending = undefined;
    this.#cache.clear();
  }

  #lookup(key: string): V | undefined {
    return this.#pending?.get(key) ?? this.#cache.get(key);
  }
}
