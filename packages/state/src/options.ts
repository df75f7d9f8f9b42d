import { StateError } from './errors.ts';

export interface StateStoreOptions {
  /** Aggregates kept decoded in memory (CLOCK, write-through). Default 200,000. */
  aggregateCacheEntriesMax?: number;
  /** Results found by recent lookups (retries), kept in memory (CLOCK; see keyspaces.ts). Default 100,000. */
  resultCacheEntriesMax?: number;
  /**
   * The dedupe window: the results of at least this many most recent commands stay in the
   * index; older ones are pruned. Default 5,000,000. See docs/state.md: this is the contract
   * with producers.
   */
  resultsRetainMax?: number;
  /** Most old batches whose results one applyBatch prunes, so catching up never stalls. Default 8. */
  pruneBatchesPerApplyMax?: number;
  /** LevelDB memtable size: larger means fewer level-0 files and compactions. Default 16 MiB. */
  writeBufferBytes?: number;
  /** LevelDB block cache (for reads the aggregate cache misses). Default 32 MiB. */
  blockCacheBytes?: number;
  /**
   * LevelDB's open table files (`max_open_files`). Each open table keeps its Bloom filter (10
   * bits a key, classic-level's policy) and its index (an entry per 4 KiB block) in memory: the
   * part of LevelDB's memory that grows with the data, bounded by this (file descriptors too).
   * Default 1,000 (LevelDB's own, which clips it to 74..50,000 and keeps 10 for its logs): ~2 GB
   * of 2 MB tables open at once.
   */
  openFilesMax?: number;
  /**
   * Memory of each keyspace's "certainly absent" filter (filter.ts): 2 MiB per 2^20 keys.
   * A filter that would need more turns itself off (every miss is read from LevelDB again).
   * Default 128 MiB: 64M aggregates, or a result window of 20M ids twice over (the keys
   * found at open stay until pruning has passed them all).
   */
  filterBytesMax?: number;
}

export type ResolvedOptions = Required<StateStoreOptions>;

export const defaultOptions: ResolvedOptions = {
  aggregateCacheEntriesMax: 200_000,
  resultCacheEntriesMax: 100_000,
  resultsRetainMax: 5_000_000,
  pruneBatchesPerApplyMax: 8,
  writeBufferBytes: 16 * 1024 * 1024,
  blockCacheBytes: 32 * 1024 * 1024,
  openFilesMax: 1000,
  filterBytesMax: 128 * 1024 * 1024,
};

/** Each limit must be a positive safe integer; checked once at open so a bad config fails at start-up. */
export function resolveOptions(options: StateStoreOptions): ResolvedOptions {
  const resolved: ResolvedOptions = { ...defaultOptions };
  for (const name of Object.keys(defaultOptions) as (keyof ResolvedOptions)[]) {
    const value = options[name];
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new StateError(
        'ASP_ERR_STATE_OPTIONS',
        `state store option ${name} must be a positive integer, got ${String(value)}`,
      );
    }
    resolved[name] = value;
  }
  return resolved;
}
