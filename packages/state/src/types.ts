import type { CommandResult } from '@asp/protocol';

/**
 * One aggregate as the store keeps it. The state is opaque here: it must be plain data that
 * msgpack round-trips (objects, arrays, strings, numbers, booleans, null). Values handed out
 * are shared with the cache: treat them as immutable.
 */
export interface Aggregate {
  version: number;
  state: unknown;
}

/** Everything one sequencer batch (one WAL commit record) changes. */
export interface AppliedBatch {
  /** The WAL seq of the commit record: exactly appliedSeq + 1. */
  seq: number;
  /** Changed aggregates by key `"<aggregateType>/<aggregateId>"`. */
  aggregates: ReadonlyMap<string, Aggregate>;
  /**
   * The results of the commands this batch executed. Never pass a dedupe hit (a retry answered
   * from the index) again: it would replace the original result. Within one call the first
   * result of an id wins.
   */
  results: readonly CommandResult[];
}
