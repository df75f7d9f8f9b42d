import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StateStore, StateStoreOptions } from '../src/index.ts';
import { accepted, openStore, tempDir } from './helpers.ts';

const POOL = Array.from({ length: 12 }, (_, i) => `item/k${i}`);

type Step = { kind: 'apply'; keys: number[]; results: number } | { kind: 'reopen' };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('apply' as const),
      keys: fc.uniqueArray(fc.nat(11), { maxLength: 6 }),
      results: fc.nat(4),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'reopen' as const }) },
);

const optionsArb = fc.record({
  aggregateCacheEntriesMax: fc.integer({ min: 1, max: 5 }),
  resultCacheEntriesMax: fc.integer({ min: 1, max: 5 }),
  resultsRetainMax: fc.integer({ min: 1, max: 10 }),
  pruneBatchesPerApplyMax: fc.integer({ min: 1, max: 3 }),
});

/** What the store must answer: the latest version of every key; the last retainMax results at least. */
async function expectMatches(
  store: StateStore,
  model: Map<string, number>,
  ids: string[],
  retainMax: number,
) {
  const values = await store.getAggregates(POOL);
  expect(values.map((v) => v?.version)).toEqual(POOL.map((key) => model.get(key)));
  const found = await store.getResults(ids);
  const recent = found.slice(Math.max(0, ids.length - retainMax));
  expect(recent.every((r) => r !== undefined)).toBe(true);
  const present = found.filter((r) => r !== undefined).length;
  // Exactly what the index holds: a pruned id is gone from memory too.
  expect(present).toBe((await store.stats()).results.retained);
}

describe('StateStore against a model', () => {
  it('answers like a Map through evictions, pruning and reopens', async () => {
    await fc.assert(
      fc.asyncProperty(
        optionsArb,
        fc.array(stepArb, { maxLength: 25 }),
        async (options: StateStoreOptions, steps) => {
          const dir = tempDir();
          let store = await openStore(dir, options);
          const model = new Map<string, number>();
          const ids: string[] = [];
          for (const step of steps) {
            if (step.kind === 'reopen') {
              await store.close();
              store = await openStore(dir, options);
            } else {
              const seq = store.appliedSeq + 1;
              const keys = step.keys.map((i) => POOL[i]!);
              for (const key of keys) model.set(key, seq);
              const results = Array.from({ length: step.results }, (_, i) => accepted(`c${seq}.${i}`, seq));
              ids.push(...results.map((r) => r.id));
              const aggregates = new Map(keys.map((key) => [key, { version: seq, state: { seq } }]));
              await store.applyBatch({ seq, aggregates, results });
            }
            await expectMatches(store, model, ids, options.resultsRetainMax!);
          }
          await store.close();
        },
      ),
      { numRuns: 40 },
    );
  });
});
