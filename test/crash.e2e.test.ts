import { setTimeout as sleep } from 'node:timers/promises';
import { AspClient } from '@asp/client';
import { testEnv, testNats } from '@asp/testing';
import { describe, expect, it } from 'vitest';
import { checkEventsEqualWal, checkExactlyOnce, startCrashLoad } from './support/checks.ts';
import { sequencerProcess } from './support/sequencer.ts';

// ASP_CRASH_CYCLES=300 runs the long mode; the suite runs 20.
const CYCLES = Number(process.env.ASP_CRASH_CYCLES ?? 20);

describe('sequencer crash recovery (kill -9 under load)', () => {
  it(`survives ${CYCLES} kill -9 cycles: exactly-once results, invariants, events = WAL`, async () => {
    const env = testEnv('crash');
    const partition = env.prefix;
    const seq = sequencerProcess(env.natsUrl, partition);
    const nc = await testNats(env);
    const client = AspClient.create(nc, {
      partition,
      inflightMessagesMax: 16,
      resultTimeoutMs: 1000,
      resultCheckMaxMs: 2000,
      lookupTimeoutMs: 500,
      retryDeadlineMs: 600_000,
    });
    try {
      await seq.start();
      const { setup, stop, done: load } = await startCrashLoad(client, env.prefix, 7);

      // Kill at random moments: mid-decide, mid-fsync, mid-ack, mid-relay — wherever it lands.
      for (let i = 0; i < CYCLES; i++) {
        await sleep(150 + Math.floor(Math.random() * 500));
        await seq.current()!.kill();
        await seq.start().catch((err: unknown) => {
          throw new Error(`restart ${i + 1} failed: ${String(err)}\n${seq.logTail()}`);
        });
      }
      await sleep(500);
      stop.abort();
      const report = await load;
      expect(report.errors, 'every command got a result through the crashes').toBe(0);
      // Enough load to put kills in every phase of a batch's life.
      expect(report.answered).toBeGreaterThan(CYCLES * 200);

      // Exactly one result per command, the state agrees, retries get the original results.
      await checkExactlyOnce(client, nc, partition, setup, report);
      // ASP_EVENTS holds every WAL record exactly once, in order.
      await checkEventsEqualWal(nc, partition, () => seq.health());
    } finally {
      await client.close();
      await seq.current()?.stop();
      await nc.close();
      seq.remove();
    }
  });
});
