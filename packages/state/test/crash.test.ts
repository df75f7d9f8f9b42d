import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { StateStore } from '../src/index.ts';
import { KEYS, OPTIONS, RESULTS } from './crash-writer.ts';
import { openStore, tempDir } from './helpers.ts';

const writer = fileURLToPath(new URL('./crash-writer.ts', import.meta.url));

/**
 * Runs the writer until it reported `atLeast` more batches, then SIGKILLs it a random few ms
 * later: most kills land inside a batch (each is 500 puts), some between two.
 */
function runAndKill(dir: string, atLeast: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [writer, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    let reported = 0;
    let seen = 0;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      for (const match of chunk.matchAll(/applied (\d+)/g)) reported = Number(match[1]);
      seen += chunk.split('\n').length - 1;
      if (seen >= atLeast) setTimeout(() => child.kill('SIGKILL'), Math.random() * 5);
    });
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      if (signal === 'SIGKILL') resolve(reported);
      else reject(new Error(`writer exited on its own (${signal})`));
    });
  });
}

/** State and appliedSeq must describe the same batch: every key at it, its results in, the next not. */
async function expectConsistent(store: StateStore, reported: number): Promise<void> {
  const applied = store.appliedSeq;
  expect(applied).toBeGreaterThanOrEqual(reported);
  const values = await store.getAggregates(KEYS);
  expect(new Set(values.map((v) => v?.version))).toEqual(new Set([applied]));
  const ids = (seq: number) => Array.from({ length: RESULTS }, (_, i) => `cmd-${seq}-${i}`);
  const windowBatches = OPTIONS.resultsRetainMax / RESULTS;
  const kept = await store.getResults([...ids(applied), ...ids(applied - windowBatches + 1)]);
  expect(kept.every((r) => r !== undefined)).toBe(true);
  const gone = await store.getResults([...ids(applied + 1), ...ids(applied - windowBatches)]);
  expect(gone.every((r) => r === undefined)).toBe(true);
  expect((await store.stats()).results).toMatchObject({ retained: OPTIONS.resultsRetainMax });
}

describe('crash (SIGKILL of the writing process)', () => {
  it('leaves appliedSeq and the state in agreement, every time', async () => {
    const dir = tempDir();
    for (const batches of [80, 150, 40]) {
      const reported = await runAndKill(dir, batches);
      const store = await openStore(dir, OPTIONS);
      await expectConsistent(store, reported);
      await store.close();
    }
  });
});
