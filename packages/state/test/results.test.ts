import { describe, expect, it } from 'vitest';
import type { StateStore } from '../src/index.ts';
import { accepted, batchOf, openStore, tempDir } from './helpers.ts';

/** Which of these batches' ids the index still answers. */
async function presentSeqs(store: StateStore, seqs: number[], perBatch: number): Promise<number[]> {
  const present: number[] = [];
  for (const seq of seqs) {
    const ids = Array.from({ length: perBatch }, (_, i) => `cmd-${seq}-${i}`);
    const results = await store.getResults(ids);
    const found = results.filter((r) => r !== undefined).length;
    // A batch's results are kept or pruned together.
    expect(found === 0 || found === perBatch).toBe(true);
    if (found > 0) present.push(seq);
  }
  return present;
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('command results', () => {
  it('answers results by id, the first result of an id in one batch winning', async () => {
    const store = await openStore(tempDir());
    const rejected = { id: 'x', status: 'rejected', code: 'ASP_REJ_DUPLICATE_ID', message: 'dup' } as const;
    await store.applyBatch({
      seq: 1,
      aggregates: new Map(),
      results: [accepted('x', 1), rejected, accepted('y', 1)],
    });
    expect(await store.getResults(['y', 'nope', 'x'])).toEqual([
      accepted('y', 1),
      undefined,
      accepted('x', 1),
    ]);
    expect((await store.stats()).results).toMatchObject({ retained: 2, fromSeq: 1 });
  });

  it('keeps at least the last resultsRetainMax results and prunes older batches', async () => {
    const dir = tempDir();
    const options = { resultsRetainMax: 25, resultCacheEntriesMax: 1 };
    const store = await openStore(dir, options);
    for (let seq = 1; seq <= 20; seq++) await store.applyBatch(batchOf(seq, [], 10));
    // 25 results need the last 3 batches (30 results); dropping one more would leave 20 < 25.
    expect(await presentSeqs(store, range(1, 20), 10)).toEqual([18, 19, 20]);
    expect((await store.stats()).results).toMatchObject({ retained: 30, fromSeq: 18, retainMax: 25 });
    await store.close();

    const again = await openStore(dir, options);
    expect(await presentSeqs(again, range(1, 20), 10)).toEqual([18, 19, 20]);
    await again.applyBatch(batchOf(21, [], 10));
    expect(await presentSeqs(again, range(1, 21), 10)).toEqual([19, 20, 21]);
  });

  it('catches up a lowered window a few batches per call, never all at once', async () => {
    const dir = tempDir();
    const store = await openStore(dir, { resultsRetainMax: 1000 });
    for (let seq = 1; seq <= 20; seq++) await store.applyBatch(batchOf(seq, [], 5));
    await store.close();

    const options = { resultsRetainMax: 5, pruneBatchesPerApplyMax: 4, resultCacheEntriesMax: 1 };
    const lowered = await openStore(dir, options);
    await lowered.applyBatch(batchOf(21, [], 5));
    expect(await presentSeqs(lowered, range(1, 21), 5)).toEqual(range(5, 21));
    // Each call prunes 4 old batches and adds one: 85 → 70 → 55 → 40 → 25 → 10 → 5 results.
    for (let seq = 22; seq <= 26; seq++) await lowered.applyBatch(batchOf(seq, [], 5));
    expect(await presentSeqs(lowered, range(1, 26), 5)).toEqual([25, 26]);
    await lowered.applyBatch(batchOf(27, [], 5));
    expect(await presentSeqs(lowered, range(1, 27), 5)).toEqual([27]);
    expect((await lowered.stats()).results).toMatchObject({ retained: 5, fromSeq: 27 });
  });

  it('steps over batches that indexed no results', async () => {
    const store = await openStore(tempDir(), { resultsRetainMax: 4, resultCacheEntriesMax: 1 });
    for (let seq = 1; seq <= 12; seq++)
      await store.applyBatch(batchOf(seq, ['org/a'], seq % 3 === 0 ? 4 : 0));
    expect(await presentSeqs(store, range(1, 12), 4)).toEqual([12]);
    // Empty batches 10 and 11 are passed over at the next prune, not before: nothing to gain.
    expect((await store.stats()).results).toMatchObject({ retained: 4, fromSeq: 10 });
  });
});
