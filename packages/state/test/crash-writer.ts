/**
 * Child process for crash.test.ts: applies batches as fast as it can until killed. Every batch
 * k sets all KEYS to version k and indexes RESULTS results, so any state that mixes two
 * batches shows. Prints "applied <seq>" after each batch resolves.
 */
import { StateStore } from '../src/index.ts';

export const KEYS = Array.from({ length: 500 }, (_, i) => `counter/c${i}`);
export const RESULTS = 10;
export const OPTIONS = { resultsRetainMax: 50 };

async function main(dir: string): Promise<void> {
  const store = await StateStore.open(dir, OPTIONS);
  for (let seq = store.appliedSeq + 1; ; seq++) {
    const aggregates = new Map(
      KEYS.map((key) => [key, { version: seq, state: { seq, pad: 'x'.repeat(80) } }]),
    );
    const results = Array.from({ length: RESULTS }, (_, i) => ({
      id: `cmd-${seq}-${i}`,
      status: 'accepted' as const,
      seq,
    }));
    await store.applyBatch({ seq, aggregates, results });
    process.stdout.write(`applied ${seq}\n`);
  }
}

if (process.argv[2] !== undefined) await main(process.argv[2]);
