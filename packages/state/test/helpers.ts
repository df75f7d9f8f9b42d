import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandResult } from '@asp/protocol';
import { afterEach } from 'vitest';
import { type Aggregate, type AppliedBatch, StateStore, type StateStoreOptions } from '../src/index.ts';

const dirs: string[] = [];
const stores: StateStore[] = [];

/** A fresh temp directory, removed after the test. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'asp-state-'));
  dirs.push(dir);
  return dir;
}

/** Opens a store that is closed after the test (close is idempotent, so tests may close it too). */
export async function openStore(dir: string, options: StateStoreOptions = {}): Promise<StateStore> {
  const store = await StateStore.open(dir, options);
  stores.push(store);
  return store;
}

afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

export function accepted(id: string, seq: number): CommandResult {
  return { id, status: 'accepted', seq };
}

export function aggregate(version: number, state: unknown = { version }): Aggregate {
  return { version, state };
}

/** A batch that sets `keys` to version `seq` and indexes `resultCount` fresh results. */
export function batchOf(seq: number, keys: readonly string[], resultCount = 0): AppliedBatch {
  const aggregates = new Map(keys.map((key) => [key, aggregate(seq, { key, seq })] as const));
  const results = Array.from({ length: resultCount }, (_, i) => accepted(`cmd-${seq}-${i}`, seq));
  return { seq, aggregates, results };
}

export async function rejection(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await promise;
  } catch (err) {
    return err as Error & { code?: string };
  }
  throw new Error('expected a rejection');
}

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
