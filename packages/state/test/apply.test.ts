import { describe, expect, it } from 'vitest';
import { aggregate, batchOf, collect, openStore, rejection, tempDir } from './helpers.ts';

describe('applyBatch', () => {
  it('writes state and appliedSeq together: after reopen both show the last batch', async () => {
    const dir = tempDir();
    const store = await openStore(dir);
    for (let seq = 1; seq <= 30; seq++) {
      await store.applyBatch(batchOf(seq, [`counter/c${seq % 7}`, 'counter/hot'], 3));
    }
    await store.close();

    const again = await openStore(dir);
    expect(again.appliedSeq).toBe(30);
    const [hot, c2] = await again.getAggregates(['counter/hot', 'counter/c2']);
    expect(hot).toEqual({ version: 30, state: { key: 'counter/hot', seq: 30 } });
    expect(c2?.version).toBe(30);
    expect(await again.getResults(['cmd-30-2', 'cmd-1-0'])).toEqual([
      { id: 'cmd-30-2', status: 'accepted', seq: 30 },
      { id: 'cmd-1-0', status: 'accepted', seq: 1 },
    ]);
  });

  it('asserts seq === appliedSeq + 1 and leaves the store usable', async () => {
    const store = await openStore(tempDir());
    await expect(store.applyBatch(batchOf(2, ['org/a']))).rejects.toThrow(/seq 2 is not appliedSeq \+ 1 = 1/);
    await expect(store.applyBatch(batchOf(0, ['org/a']))).rejects.toThrow(/assertion failed/);
    await store.applyBatch(batchOf(1, ['org/a']));
    await expect(store.applyBatch(batchOf(1, ['org/a']))).rejects.toThrow(/seq 1 is not appliedSeq \+ 1 = 2/);
    expect(store.appliedSeq).toBe(1);
  });

  it('asserts that applyBatch calls do not overlap', async () => {
    const store = await openStore(tempDir());
    const first = store.applyBatch(batchOf(1, ['org/a']));
    await expect(store.applyBatch(batchOf(2, ['org/a']))).rejects.toThrow(/must not overlap/);
    await first;
    expect(store.appliedSeq).toBe(1);
  });

  it('shows a batch to readers from the call on, before it is written', async () => {
    const store = await openStore(tempDir());
    await store.applyBatch(batchOf(1, ['org/a', 'org/b']));
    const writing = store.applyBatch(batchOf(2, ['org/a']));
    const [a, b] = await store.getAggregates(['org/a', 'org/b']);
    expect([a?.version, b?.version]).toEqual([2, 1]);
    await writing;
  });

  it('never caches what a read fetched while a batch changed it', async () => {
    const dir = tempDir();
    const first = await openStore(dir);
    await first.applyBatch(batchOf(1, ['org/a']));
    await first.close();
    const store = await openStore(dir);
    const reading = store.getAggregates(['org/a']);
    const writing = store.applyBatch(batchOf(2, ['org/a']));
    expect((await reading)[0]?.version).toBe(2);
    await writing;
    expect((await store.getAggregates(['org/a']))[0]?.version).toBe(2);
  });

  it('refuses every later call after a failed batch (fails closed)', async () => {
    const store = await openStore(tempDir());
    const bad = { seq: 1, aggregates: new Map([['org/a', aggregate(1, Symbol('not data'))]]), results: [] };
    expect((await rejection(store.applyBatch(bad))).code).toBe('ASP_ERR_STATE_IO');
    expect((await rejection(store.getAggregates(['org/a']))).code).toBe('ASP_ERR_STATE_IO');
    expect(store.appliedSeq).toBe(0);
  });
});

describe('getAggregates', () => {
  it('answers mixed cached, on-disk and missing keys in the order asked', async () => {
    const dir = tempDir();
    const first = await openStore(dir);
    await first.applyBatch(batchOf(1, ['org/disk1', 'org/disk2']));
    await first.close();

    const store = await openStore(dir);
    await store.filtersFilled();
    await store.applyBatch(batchOf(2, ['org/cached']));
    const keys = ['org/missing', 'org/disk2', 'org/cached', 'org/disk1', 'org/missing2'];
    const values = await store.getAggregates(keys);
    expect(values.map((v) => v?.version)).toEqual([undefined, 1, 2, 1, undefined]);
    // Two read from LevelDB; the two never written are answered by the filter, unread.
    let stats = await store.stats();
    expect(stats.aggregateCache).toMatchObject({ hits: 1, misses: 2, entries: 3 });
    expect(stats.aggregateFilter.skipped).toBe(2);
    // The disk hits are cached now; the missing keys are skipped again.
    await store.getAggregates(keys);
    stats = await store.stats();
    expect(stats.aggregateCache).toMatchObject({ hits: 4, misses: 2 });
    expect(stats.aggregateFilter.skipped).toBe(4);
    expect(await store.getAggregates([])).toEqual([]);
  });

  it('reads evicted aggregates back from disk with their latest value', async () => {
    const store = await openStore(tempDir(), { aggregateCacheEntriesMax: 3 });
    const keys = Array.from({ length: 20 }, (_, i) => `account/a${i}`);
    const model = new Map<string, number>();
    for (let seq = 1; seq <= 10; seq++) {
      // Two new keys per batch, and a0 again in every even batch.
      const written = keys.slice(2 * (seq - 1), 2 * seq);
      if (seq % 2 === 0) written.push('account/a0');
      for (const key of written) model.set(key, seq);
      await store.applyBatch(batchOf(seq, written));
    }
    expect(model.get('account/a0')).toBe(10);
    const values = await store.getAggregates([...keys, 'account/none']);
    expect(values.map((v) => v?.version)).toEqual([...keys.map((k) => model.get(k)), undefined]);
    expect(values[5]?.state).toEqual({ key: 'account/a5', seq: 3 });
    const stats = await store.stats();
    expect(stats.aggregateCache.entries).toBe(3);
    expect(stats.aggregateCache.misses).toBeGreaterThan(15);
  });
});

describe('iterateAggregates', () => {
  it('yields every aggregate in bytewise key order, and counts them', async () => {
    const store = await openStore(tempDir());
    const keys = [
      'team/b',
      'org/z',
      'org/a',
      'org/é',
      'org/B',
      'team/a10',
      'team/a9',
      'org/😀',
      'org/\uffff',
    ];
    await store.applyBatch(batchOf(1, keys.slice(0, 4)));
    await store.applyBatch(batchOf(2, keys.slice(4)));
    await store.setPublishedSeq(2);
    const entries = await collect(store.iterateAggregates());
    const byBytes = [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    expect(entries.map(([key]) => key)).toEqual(byBytes);
    // Paged reads: `after` resumes strictly past a key, wherever it sorts.
    for (let i = 0; i < byBytes.length; i++) {
      const rest = await collect(store.iterateAggregates({ after: byBytes[i]! }));
      expect(rest.map(([key]) => key)).toEqual(byBytes.slice(i + 1));
    }
    expect(entries.find(([key]) => key === 'team/a9')?.[1]).toEqual({
      version: 2,
      state: { key: 'team/a9', seq: 2 },
    });
    expect(await store.countAggregates()).toBe(keys.length);
  });
});

describe('stats', () => {
  it('reports caches, retention and LevelDB figures', async () => {
    const store = await openStore(tempDir());
    await store.applyBatch(batchOf(1, ['org/a', 'org/b'], 3));
    const stats = await store.stats();
    expect(stats).toMatchObject({
      appliedSeq: 1,
      publishedSeq: 0,
      aggregateCache: { entries: 2, entriesMax: 200_000 },
      resultCache: { entries: 0, entriesMax: 100_000 },
      results: { retained: 3, fromSeq: 1, retainMax: 5_000_000 },
    });
    expect(stats.level.levels.map((l) => l.level)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(stats.level.levels.every((l) => Number.isInteger(l.files))).toBe(true);
    expect(stats.level.memoryBytes).toBeGreaterThan(0);
  });
});
