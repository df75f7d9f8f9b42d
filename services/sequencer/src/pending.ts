import type { KeyedStateView, Versioned } from '@asp/domain';
import { keyString } from '@asp/domain';
import type { CommandResult } from '@asp/protocol';

/**
 * What a batch decided but has not yet applied to LevelDB: its WAL fsync is
 * still running. The next batch is decided against it (so it sees every
 * earlier command, as if applied), and a retry of one of its commands gets
 * its result. Nothing of the next batch is released before this one is
 * durable, so nobody is answered from a batch that could still be lost.
 */
export interface PendingBatch {
  changed: ReadonlyMap<string, Versioned>;
  results: ReadonlyMap<string, CommandResult>;
}

/** The pending batch's aggregates over the ones read from the store. */
export function layered(pending: PendingBatch | undefined, base: KeyedStateView): KeyedStateView {
  if (!pending || pending.changed.size === 0) return base;
  const { changed } = pending;
  return {
    get: <S>(type: string, id: string) =>
      (changed.get(keyString(type, id)) ?? base.get(type, id)) as Versioned<S> | undefined,
    getKey: (key) => changed.get(key) ?? base.getKey(key),
  };
}

/** The keys the store must still be asked for: the pending batch has the others. */
export function keysToRead(pending: PendingBatch | undefined, keys: readonly string[]): readonly string[] {
  if (!pending || pending.changed.size === 0) return keys;
  return keys.filter((k) => !pending.changed.has(k));
}
