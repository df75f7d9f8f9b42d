import type { CommandResult } from '@asp/protocol';
import { decodeAggregate, decodeResult } from './codec.ts';
import type { KeyFilter } from './filter.ts';
import { aggregateKey, resultKey } from './keys.ts';
import { CachedKeyspace } from './keyspace.ts';
import type { Level } from './level.ts';
import type { Aggregate } from './types.ts';

/** Aggregates: write-through, so a hot aggregate is read from memory batch after batch. */
export function aggregateKeyspace(
  db: Level,
  entriesMax: number,
  filter: KeyFilter,
): CachedKeyspace<Aggregate> {
  return new CachedKeyspace({
    db,
    entriesMax,
    filter,
    levelKey: aggregateKey,
    decode: decodeAggregate,
    writeThrough: true,
  });
}

/**
 * Results: filled by lookups that find a result (retries), not by writes. A new id is
 * answered by the filter (a cache cannot say "never seen"), and at 100k commands/s a
 * write-through cache of 100k entries would forget an id within a second, long before any
 * producer retries: it would cost ~0.5 ms of main thread per batch for nothing.
 */
export function resultKeyspace(
  db: Level,
  entriesMax: number,
  filter: KeyFilter,
): CachedKeyspace<CommandResult> {
  return new CachedKeyspace({
    db,
    entriesMax,
    filter,
    levelKey: resultKey,
    decode: decodeResult,
    writeThrough: false,
  });
}
