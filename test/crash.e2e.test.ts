import { setTimeout as sleep } from 'node:timers/promises';
import { AspClient } from '@asp/client';
import { runLoad, runSetup } from '@asp/loadgen';
import { fetchState } from '@asp/projector';
import type { CommandResult } from '@asp/protocol';
import { testEnv, testNats } from '@asp/testing';
import { checkRecount, recount } from '@asp/workload';
import { describe, expect, it } from 'vitest';
import { readEventRecords } from './support/events.ts';
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
      const spec = { runId: env.prefix.slice(0, 16), aggregates: 200, producers: 4, payloadBytes: 64 };
      const setup = await runSetup(client, spec);
      const stop = new AbortController();
      const load = runLoad({
        client,
        spec,
        seed: 7,
        producers: 4,
        batch: 50,
        durationMs: 3_600_000,
        keepResults: true,
        signal: stop.signal,
      });

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

      // 1. Exactly one result per command, and every invariant holds in an independent recount.
      const sent = report.sent!;
      const results = report.results!;
      const rc = recount([...setup.results, ...results], [...setup.commands, ...sent]);
      expect(checkRecount(rc)).toEqual([]);

      // 2. The sequencer's state is what the accepted results say: nothing lost, nothing twice.
      const { entries } = await fetchState(nc, partition);
      for (const [id, o] of rc.orgs)
        expect(entries.get(`org/${id}`)?.state, `org ${id}`).toMatchObject({ used: o.used });
      for (const [id, t] of rc.teams)
        expect(entries.get(`team/${id}`)?.state, `team ${id}`).toMatchObject({ seats: t.seats });
      for (const [id, a] of rc.accounts) {
        expect(entries.get(`account/${id}`)?.state, `account ${id}`).toMatchObject({
          debitsPosted: a.debits,
          creditsPosted: a.credits,
        });
      }
      expect(rc.orgs.size + rc.accounts.size).toBeGreaterThan(0);

      // 3. A retry of any command gets its original result.
      const original = new Map<string, CommandResult>(results.map((r) => [r.id, r]));
      for (let i = 0; i < sent.length; i += 500) {
        const again = await client.send(sent.slice(i, i + 500));
        for (const r of again) expect(r).toEqual(original.get(r.id));
      }

      // 4. ASP_EVENTS holds every WAL record exactly once, in order: seq 1..N, no gap, no duplicate.
      let health = await seq.health();
      for (let i = 0; i < 100 && health.relayLag !== 0; i++) {
        await sleep(100);
        health = await seq.health();
      }
      const walLastSeq = Number(health.walLastSeq);
      const records = await readEventRecords(nc, partition);
      expect(records.map((r) => r.header)).toEqual(Array.from({ length: walLastSeq }, (_, i) => i + 1));
      expect(records.every((r) => r.body === r.header)).toBe(true);
    } finally {
      await client.close();
      await seq.current()?.stop();
      await nc.close();
      seq.remove();
    }
  });
});
