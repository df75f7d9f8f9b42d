import { describe, expect, it } from 'vitest';
import { batchOf, openStore, tempDir } from './helpers.ts';

/** Keys LevelDB holds are always found; keys never written are answered without reading LevelDB. */
describe('absent keys', () => {
  it('answers never-written keys from the filter, and finds every key written before a reopen', async () => {
    const dir = tempDir();
    const first = await openStore(dir);
    for (let seq = 1; seq <= 30; seq++) {
      const keys = Array.from({ length: 1000 }, (_, i) => `acct/${seq}-${i}`);
      await first.applyBatch(batchOf(seq, keys, 100));
    }
    await first.close();

    // A small cache, so what was written before the reopen can only come from LevelDB.
    const store = await openStore(dir, { aggregateCacheEntriesMax: 1, resultCacheEntriesMax: 1 });
    // Written as the scan of the 30,000 keys at open begins: added by the write, whatever the scan saw.
    await store.applyBatch(batchOf(31, ['acct/new-1', 'acct/new-2'], 3));
    await store.filtersFilled();
    const before = await store.stats();
    expect(before.aggregateFilter).toMatchObject({ state: 'ready', keys: 30_002 });
    expect(before.resultFilter).toMatchObject({ state: 'ready', keys: 3003 });

    const old = Array.from({ length: 30 }, (_, s) => `acct/${s + 1}-${(s * 37) % 1000}`);
    const found = await store.getAggregates([...old, 'acct/new-1', 'acct/new-2']);
    expect(found.every((a) => a !== undefined)).toBe(true);
    const results = await store.getResults(['cmd-1-0', 'cmd-30-99', 'cmd-31-2']);
    expect(results.map((r) => r?.id)).toEqual(['cmd-1-0', 'cmd-30-99', 'cmd-31-2']);

    const never = Array.from({ length: 500 }, (_, i) => `acct/never-${i}`);
    expect((await store.getAggregates(never)).every((a) => a === undefined)).toBe(true);
    expect((await store.getResults(never)).every((r) => r === undefined)).toBe(true);
    const after = await store.stats();
    // Absent keys are skipped, not read: LevelDB misses grow only by the keys looked up above.
    expect(after.aggregateFilter.skipped - before.aggregateFilter.skipped).toBeGreaterThanOrEqual(499);
    expect(after.resultFilter.skipped - before.resultFilter.skipped).toBeGreaterThanOrEqual(499);
    expect(after.aggregateCache.misses - before.aggregateCache.misses).toBeLessThanOrEqual(30 + 2 + 1);
  });

  it('still finds the retained results after pruning, and not the pruned ones', async () => {
    const store = await openStore(tempDir(), { resultsRetainMax: 50, resultCacheEntriesMax: 1 });
    await store.filtersFilled();
    for (let seq = 1; seq <= 40; seq++) await store.applyBatch(batchOf(seq, ['org/a'], 10));
    const ids = (seq: number) => Array.from({ length: 10 }, (_, i) => `cmd-${seq}-${i}`);
    // 50 results are the last five batches, 36 to 40.
    const kept = await store.getResults([...ids(36), ...ids(40)]);
    expect(kept.every((r) => r !== undefined)).toBe(true);
    expect((await store.getResults(ids(1))).every((r) => r === undefined)).toBe(true);
  });

  it('reads everything from LevelDB while the filters are still being filled', async () => {
    const dir = tempDir();
    const first = await openStore(dir);
    await first.applyBatch(batchOf(1, ['org/a'], 1));
    await first.close();
    const store = await openStore(dir, { aggregateCacheEntriesMax: 1 });
    // Not awaited: whatever point the scan has reached, a written key is found.
    expect(await store.getAggregates(['org/a'])).toEqual([{ version: 1, state: { key: 'org/a', seq: 1 } }]);
    expect((await store.getResults(['cmd-1-0']))[0]?.id).toBe('cmd-1-0');
  });
});
