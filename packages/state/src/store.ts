import { assert } from '@asp/errors';
import type { CommandResult } from '@asp/protocol';
import { encode } from './codec.ts';
import { levelError, type StateError } from './errors.ts';
import { KeyFilter } from './filter.ts';
import { AGGREGATE_RANGE, META_PUBLISHED, RESULT_RANGE } from './keys.ts';
import type { CachedKeyspace } from './keyspace.ts';
import { aggregateKeyspace, resultKeyspace } from './keyspaces.ts';
import { type Level, type Opened, openLevel } from './level.ts';
import { type ResolvedOptions, resolveOptions, type StateStoreOptions } from './options.ts';
import { ResultRetention } from './retention.ts';
import { countAggregates, scanAggregates, scanKeys } from './scan.ts';
import { cacheStats, levelStats, type StateStats } from './stats.ts';
import type { Aggregate, AppliedBatch } from './types.ts';
import { firstResultPerId, readSeqIds, writeBatch } from './write.ts';

/**
 * The sequencer's state for one partition (docs/state.md): aggregates, the applied WAL seq,
 * the command-id → result index and the relay's published seq, in one LevelDB directory.
 * One writer: applyBatch calls must not overlap; reads may run at any time.
 */
export class StateStore {
  readonly #db: Level;
  readonly #opts: ResolvedOptions;
  readonly #aggregates: CachedKeyspace<Aggregate>;
  readonly #results: CachedKeyspace<CommandResult>;
  readonly #retention: ResultRetention;
  readonly #aggregateFilter: KeyFilter;
  readonly #resultFilter: KeyFilter;
  /** The scan that fills the filters with the keys present at open; settles, never rejects. */
  readonly #filled: Promise<void>;
  #appliedSeq: number;
  #publishedSeq: number;
  #writing = false;
  #failed: StateError | undefined;
  #closed = false;

  private constructor(opened: Opened, opts: ResolvedOptions) {
    const db = opened.db;
    this.#db = db;
    this.#opts = opts;
    this.#appliedSeq = opened.progress.appliedSeq;
    this.#publishedSeq = opened.publishedSeq;
    this.#retention = new ResultRetention(
      opened.progress,
      opts.resultsRetainMax,
      opts.pruneBatchesPerApplyMax,
    );
    this.#aggregateFilter = new KeyFilter(opts.filterBytesMax);
    this.#resultFilter = new KeyFilter(opts.filterBytesMax);
    this.#aggregates = aggregateKeyspace(db, opts.aggregateCacheEntriesMax, this.#aggregateFilter);
    this.#results = resultKeyspace(db, opts.resultCacheEntriesMax, this.#resultFilter);
    this.#filled = this.#fillFilters();
  }

  /**
   * Adds every key LevelDB holds to the filters, in the background: the store serves at once
   * and reads everything from LevelDB until the scan is done. Keys written meanwhile are added
   * by applyBatch, so a key the scan's snapshot misses is in the filter all the same. A
   * scanned result is given the seq applied at open, at least its own, so its segment is
   * dropped only once pruning has passed it. A failed scan leaves the filter answering
   * "maybe" (reads as before); the store's own reads and writes report LevelDB's errors.
   */
  async #fillFilters(): Promise<void> {
    const seq = this.#appliedSeq;
    const stop = () => this.#closed || this.#failed !== undefined;
    try {
      await scanKeys(this.#db, AGGREGATE_RANGE, (key) => this.#aggregateFilter.add(key, seq), stop);
      if (!stop()) this.#aggregateFilter.markReady();
      await scanKeys(this.#db, RESULT_RANGE, (key) => this.#resultFilter.add(key, seq), stop);
      if (!stop()) this.#resultFilter.markReady();
    } catch {
      // Left scanning: every lookup goes to LevelDB.
    }
  }

  /** Resolves once the filters hold the keys present at open (or the scan gave up). */
  filtersFilled(): Promise<void> {
    return this.#filled;
  }

  /** Opens (creating if missing) the store in `dir`. One StateStore per directory at a time. */
  static async open(dir: string, options: StateStoreOptions = {}): Promise<StateStore> {
    const opts = resolveOptions(options);
    return new StateStore(await openLevel(dir, opts), opts);
  }

  /** The WAL seq of the last commit record applied; 0 for a new store. Recovery replays from here + 1. */
  get appliedSeq(): number {
    return this.#appliedSeq;
  }

  /** The relay's progress: informational, the relay trusts JetStream's own sequence. */
  get publishedSeq(): number {
    return this.#publishedSeq;
  }

  async setPublishedSeq(seq: number): Promise<void> {
    this.#usable();
    assert(Number.isSafeInteger(seq) && seq >= 0, `publishedSeq must be a seq, got ${seq}`);
    try {
      // Not synced: losing it in an OS crash only makes the relay look behind for a moment.
      await this.#db.put(META_PUBLISHED, encode(seq), { sync: false });
    } catch (err) {
      throw levelError('writing publishedSeq', err);
    }
    this.#publishedSeq = seq;
  }

  /** The aggregates under `keys` ("<aggregateType>/<aggregateId>"), undefined where none exists. */
  async getAggregates(keys: readonly string[]): Promise<(Aggregate | undefined)[]> {
    this.#usable();
    return this.#aggregates.getMany(keys);
  }

  /** The indexed results of these command ids: undefined for ids never seen or pruned. */
  async getResults(ids: readonly string[]): Promise<(CommandResult | undefined)[]> {
    this.#usable();
    return this.#results.getMany(ids);
  }

  /**
   * Applies one commit record's effects in ONE atomic LevelDB batch: the changed aggregates,
   * the results, appliedSeq = seq and the pruning of results past the retention window.
   * Readers see the batch's values from the moment of the call. A failed write leaves the
   * store refusing every call (restart: recovery replays the WAL from appliedSeq + 1).
   */
  async applyBatch(batch: AppliedBatch): Promise<void> {
    this.#usable();
    assert(!this.#writing, 'applyBatch calls must not overlap (one writer)');
    const expected = this.#appliedSeq + 1;
    assert(batch.seq === expected, `applyBatch seq ${batch.seq} is not appliedSeq + 1 = ${expected}`);
    const results = firstResultPerId(batch.results);
    this.#writing = true;
    this.#aggregates.begin(batch.aggregates, batch.seq);
    this.#results.begin(results, batch.seq);
    try {
      const plan = await this.#retention.plan(batch.seq, results.size, (seq) => readSeqIds(this.#db, seq));
      await writeBatch(this.#db, batch, results, plan);
      this.#retention.commit(plan);
      this.#appliedSeq = batch.seq;
      this.#aggregates.commit();
      this.#results.commit();
      for (const pruned of plan.pruned) this.#results.forget(pruned.ids);
      this.#resultFilter.dropBefore(plan.resultsFromSeq);
    } catch (err) {
      this.#aggregates.abort();
      this.#results.abort();
      this.#failed = levelError(`applying seq ${batch.seq}`, err);
      throw this.#failed;
    } finally {
      this.#writing = false;
    }
  }

  /**
   * Every aggregate in key order (bytewise UTF-8, i.e. code-point order), read from LevelDB at
   * the snapshot of the first step: a batch applied later is not seen. For audit and hashing.
   * `after` starts past that key (paged reads).
   */
  async *iterateAggregates(opts: { after?: string | undefined } = {}): AsyncGenerator<[string, Aggregate]> {
    this.#usable();
    yield* scanAggregates(this.#db, opts.after);
  }

  /** How many aggregates exist: a key scan, O(n). For audits and tests, not the hot path. */
  async countAggregates(): Promise<number> {
    this.#usable();
    return countAggregates(this.#db);
  }

  /** Cheap health figures: caches, retention and what LevelDB exposes (see stats.ts). */
  async stats(): Promise<StateStats> {
    this.#usable();
    return {
      appliedSeq: this.#appliedSeq,
      publishedSeq: this.#publishedSeq,
      aggregateCache: cacheStats(this.#aggregates),
      resultCache: cacheStats(this.#results),
      aggregateFilter: this.#aggregateFilter.stats(),
      resultFilter: this.#resultFilter.stats(),
      results: {
        retained: this.#retention.retained,
        fromSeq: this.#retention.fromSeq,
        retainMax: this.#opts.resultsRetainMax,
      },
      level: await levelStats(this.#db, [AGGREGATE_RANGE, RESULT_RANGE]),
    };
  }

  /** Closes LevelDB; it waits for the operations in flight. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#filled;
    await this.#db.close();
  }

  #usable(): void {
    assert(!this.#closed, 'the state store is closed');
    if (this.#failed !== undefined) throw this.#failed;
  }
}
