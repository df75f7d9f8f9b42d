import { decodeAggregate } from './codec.ts';
import { levelError } from './errors.ts';
import { AGGREGATE_RANGE, aggregateKey, aggregateKeyOf } from './keys.ts';
import type { Level } from './level.ts';
import type { Aggregate } from './types.ts';

/** Entries per native iterator call: one call per chunk, not per entry. */
const SCAN_CHUNK = 1000;

/**
 * Every aggregate in LevelDB key order, from the snapshot LevelDB takes when the iterator
 * opens; with `after`, only the keys that sort after it (the next page of a paged read).
 */
export async function* scanAggregates(db: Level, after?: string): AsyncGenerator<[string, Aggregate]> {
  const range =
    after === undefined ? { ...AGGREGATE_RANGE } : { gt: aggregateKey(after), lt: AGGREGATE_RANGE.lt };
  const iterator = db.iterator(range);
  try {
    for (;;) {
      let entries: [string, Uint8Array][];
      try {
        entries = await iterator.nextv(SCAN_CHUNK);
      } catch (err) {
        throw levelError('iterating aggregates', err);
      }
      if (entries.length === 0) return;
      for (const [key, bytes] of entries) yield [aggregateKeyOf(key), decodeAggregate(key, bytes)];
    }
  } finally {
    await iterator.close();
  }
}

export async function countAggregates(db: Level): Promise<number> {
  const iterator = db.keys({ ...AGGREGATE_RANGE });
  let count = 0;
  try {
    for (;;) {
      const keys = await iterator.nextv(SCAN_CHUNK);
      if (keys.length === 0) return count;
      count += keys.length;
    }
  } catch (err) {
    throw levelError('counting aggregates', err);
  } finally {
    await iterator.close();
  }
}

/**
 * Feeds every key of `range` to `add` (the prefix of `range.gte` stripped), from the snapshot
 * LevelDB takes when the iterator opens; `stop` ends the scan early (the store closing).
 */
export async function scanKeys(
  db: Level,
  range: { gte: string; lt: string },
  add: (key: string) => void,
  stop: () => boolean,
): Promise<void> {
  const prefix = range.gte.length;
  const iterator = db.keys({ ...range });
  try {
    while (!stop()) {
      const keys = await iterator.nextv(SCAN_CHUNK);
      if (keys.length === 0) return;
      for (const key of keys) add(key.slice(prefix));
    }
  } finally {
    await iterator.close();
  }
}
