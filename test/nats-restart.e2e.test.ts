import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AspClient } from '@asp/client';
import { runLoad, runSetup } from '@asp/loadgen';
import { connectNats } from '@asp/nats';
import { auditReadModels, fetchState } from '@asp/projector';
import type { CommandResult } from '@asp/protocol';
import { type NatsServer, startNatsServer, startPipeline } from '@asp/servers';
import { uniqueName } from '@asp/testing';
import { checkRecount, recount } from '@asp/workload';
import { MongoClient } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { readEventRecords } from './support/events.ts';

const CYCLES = 2;

/** Resolves once `check` holds; throws after `ms`. */
async function until(what: string, check: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  for (const deadline = Date.now() + ms; !(await check()); await sleep(100)) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
  }
}

/** Commands the sequencer answered so far (its metrics page stays up while NATS is down). */
async function decided(httpUrl: string): Promise<number> {
  const text = await (await fetch(`${httpUrl}/metrics`)).text();
  let n = 0;
  for (const m of text.matchAll(/^asp_sequencer_commands_total\{[^}]*\} (\d+)$/gm)) n += Number(m[1]);
  return n;
}

describe('nats-server killed under load', () => {
  it(`comes back from ${CYCLES} kill -9 cycles of nats-server: every command answered once, events = WAL, read models equal`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'asp-nats-kill-'));
    const partition = uniqueName('nk');
    // The whole pipeline on its own nats-server: the suite's shared one must not be killed.
    const pipeline = await startPipeline({
      dir,
      partition,
      mongoDb: partition,
      projector: true,
      watchParent: true,
      serviceEnv: { LOG_LEVEL: 'warn', ASP_ACK_WAIT_MS: '1500' },
    });
    let nats: NatsServer = pipeline.nats;
    const monitorPort = Number(new URL(nats.monitorUrl).port);
    // A producer as applications run one: it reconnects, and retries until it has a result.
    const nc = await connectNats({ servers: nats.url, name: 'nats-kill-test' });
    const client = AspClient.create(nc, {
      partition,
      inflightMessagesMax: 16,
      resultTimeoutMs: 1000,
      resultCheckMaxMs: 2000,
      lookupTimeoutMs: 500,
      retryDeadlineMs: 600_000,
    });
    const mongo = new MongoClient(pipeline.mongo.url, { serverSelectionTimeoutMS: 5000 });
    try {
      const spec = { runId: partition.slice(0, 16), aggregates: 200, producers: 4, payloadBytes: 64 };
      const setup = await runSetup(client, spec);
      const stop = new AbortController();
      const load = runLoad({
        client,
        spec,
        seed: 11,
        producers: 4,
        batch: 50,
        durationMs: 3_600_000,
        keepResults: true,
        signal: stop.signal,
      });
      for (let i = 0; i < CYCLES; i++) {
        await sleep(1500 + Math.floor(Math.random() * 1000));
        await nats.kill();
        await sleep(500);
        nats = await startNatsServer({ dataDir: join(dir, 'nats'), port: nats.port, monitorPort });
        // nats.js waits two missed heartbeats (30 s and more) on some paths: the load must go
        // on well before that.
        const before = await decided(pipeline.sequencer.httpUrl);
        const restarted = Date.now();
        await until(
          `the load to go on after restart ${i + 1}`,
          async () => (await decided(pipeline.sequencer.httpUrl)) > before + 500,
          15_000,
        );
        if (process.env.ASP_TEST_LOG)
          console.log(`restart ${i + 1}: load on again after ${Date.now() - restarted} ms`);
      }
      stop.abort();
      const report = await load;
      expect(report.errors, 'every command got a result through the restarts').toBe(0);

      // Exactly one result per command, and every invariant holds in an independent recount.
      const sent = report.sent!;
      const results = report.results!;
      const rc = recount([...setup.results, ...results], [...setup.commands, ...sent]);
      expect(checkRecount(rc)).toEqual([]);
      const { entries } = await fetchState(nc, partition);
      for (const [id, o] of rc.orgs)
        expect(entries.get(`org/${id}`)?.state, `org ${id}`).toMatchObject({ used: o.used });

      // A retry of any command gets its original result.
      const original = new Map<string, CommandResult>(results.map((r) => [r.id, r]));
      for (let i = 0; i < sent.length; i += 1000) {
        for (const r of await client.send(sent.slice(i, i + 1000))) expect(r).toEqual(original.get(r.id));
      }

      // ASP_EVENTS holds every WAL record once, in order (JetStream fsyncs before it acknowledges).
      const health = async () =>
        (await (await fetch(`${pipeline.sequencer.httpUrl}/health`)).json()) as Record<string, number>;
      await until('the relay to catch up', async () => (await health()).relayLag === 0, 30_000);
      const walLastSeq = Number((await health()).walLastSeq);
      const records = await readEventRecords(nc, partition);
      expect(records.map((r) => r.header)).toEqual(Array.from({ length: walLastSeq }, (_, i) => i + 1));

      // The read models caught up with the sequencer's state.
      const audit = await auditReadModels({ nc, db: mongo.db(partition), partition, waitMs: 60_000 });
      expect(audit.problems).toEqual([]);
      expect(audit).toMatchObject({ ok: true, seq: walLastSeq });
    } finally {
      await client.close();
      await mongo.close();
      await nc.close();
      for (const p of [pipeline.projector, pipeline.sequencer, pipeline.mongo, nats])
        await p?.stop().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
