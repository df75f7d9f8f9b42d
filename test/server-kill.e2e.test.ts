import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AspClient } from '@asp/client';
import { connectNats } from '@asp/nats';
import { auditReadModels } from '@asp/projector';
import {
  type Pipeline,
  type ServerProcess,
  startFerretDb,
  startNatsServer,
  startPipeline,
} from '@asp/servers';
import { uniqueName, waitFor } from '@asp/testing';
import { MongoClient } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { type CrashLoad, checkEventsEqualWal, checkExactlyOnce, startCrashLoad } from './support/checks.ts';

const CYCLES = 2;
/**
 * How soon after a restart commands must be answered and records applied again. Measured here:
 * 0.1-0.6 s after nats-server's restarts, 0.7-2.2 s after FerretDB's (the projector's retry
 * backoff). Before the relay gave up its publish at a reconnect, the records stopped for
 * 4.5-9.6 s after nats-server's, and flow control held the commands back with them.
 */
const RECOVERY_MS = 5_000;

/** Commands the sequencer answered so far (its metrics page stays up while NATS is down). */
async function decided(httpUrl: string): Promise<number> {
  const text = await (await fetch(`${httpUrl}/metrics`, { signal: AbortSignal.timeout(2000) })).text();
  let n = 0;
  for (const m of text.matchAll(/^asp_sequencer_commands_total\{[^}]*\} (\d+)$/gm)) n += Number(m[1]);
  return n;
}

/** The projector's applied seq (its health page stays up while its servers are down). */
async function applied(p: Pipeline): Promise<number> {
  const res = await fetch(`${p.projector!.httpUrl}/health`, { signal: AbortSignal.timeout(2000) });
  const health = (await res.json()) as { appliedSeq: number };
  return health.appliedSeq;
}

/** The server a case kills, and how it comes back on the same ports and data. */
interface Victim {
  name: string;
  of(p: Pipeline): ServerProcess;
  restart(p: Pipeline, dir: string): Promise<ServerProcess>;
}

const victims: Victim[] = [
  {
    name: 'nats-server',
    of: (p) => p.nats,
    restart: (p, dir) =>
      startNatsServer({
        dataDir: join(dir, 'nats'),
        port: p.nats.port,
        monitorPort: Number(new URL(p.nats.monitorUrl).port),
      }),
  },
  {
    name: 'FerretDB',
    of: (p) => p.mongo,
    restart: (p, dir) => startFerretDb({ dataDir: join(dir, 'ferretdb'), port: p.mongo.port }),
  },
];

/**
 * The whole pipeline on servers of its own (the suite's shared ones must not be killed), a
 * server killed with SIGKILL twice under load and restarted on its data: nothing the
 * producers were answered is lost or doubled, and the read models end equal to the state.
 */
describe('a server killed under load', () => {
  it.each(victims)(
    `$name, ${CYCLES} kill -9 cycles: every command answered once, events = WAL, read models equal`,
    async (victim) => {
      const dir = mkdtempSync(join(tmpdir(), 'asp-server-kill-'));
      const partition = uniqueName('sk');
      const pipeline = await startPipeline({
        dir,
        partition,
        mongoDb: partition,
        projector: true,
        watchParent: true,
        serviceEnv: { LOG_LEVEL: 'warn', ASP_ACK_WAIT_MS: '1500' },
      });
      let victimProcess = victim.of(pipeline);
      // A producer as applications run one, with the client's default timeouts: it reconnects,
      // and retries until it has a result.
      const nc = await connectNats({ servers: pipeline.nats.url, name: 'server-kill-test' });
      const client = AspClient.create(nc, {
        partition,
        inflightMessagesMax: 16,
        retryDeadlineMs: 600_000,
      });
      const mongo = new MongoClient(pipeline.mongo.url, { serverSelectionTimeoutMS: 5000 });
      let crash: CrashLoad | undefined;
      try {
        crash = await startCrashLoad(client, partition, 11);
        const { setup, stop, done: load } = crash;
        for (let i = 0; i < CYCLES; i++) {
          await sleep(1500 + Math.floor(Math.random() * 1000));
          await victimProcess.kill();
          await sleep(500);
          victimProcess = await victim.restart(pipeline, dir);
          // Both sides go on soon after the restart: the sequencer answers commands, and the
          // projector applies records (a relay publish lost with the old connection used to
          // wait out its 10 s timeout, and flow control held the writes back meanwhile).
          const restarted = Date.now();
          const [decided0, applied0] = [await decided(pipeline.sequencer.httpUrl), await applied(pipeline)];
          const soon = (what: string, check: () => Promise<boolean>) =>
            waitFor(`${what} after restart ${i + 1}`, check, RECOVERY_MS).then(() => Date.now() - restarted);
          const took = await Promise.all([
            soon(
              'commands answered',
              async () => (await decided(pipeline.sequencer.httpUrl)) > decided0 + 500,
            ),
            soon('records applied', async () => (await applied(pipeline)) > applied0),
          ]);
          if (process.env.ASP_TEST_LOG)
            console.log(
              `${victim.name} restart ${i + 1}: answering after ${took[0]} ms, applying after ${took[1]} ms`,
            );
        }
        stop.abort();
        const report = await load;
        expect(report.errors, 'every command got a result through the restarts').toBe(0);
        if (process.env.ASP_TEST_LOG)
          console.log(`${victim.name}: slowest message ${report.latency.maxMs} ms`, client.stats());
        // With the client's default timeouts: a reply lost in the restart is looked up at the
        // reconnect (before, a lost reply waited for the 10 s resultTimeoutMs).
        expect(report.latency.maxMs, 'the slowest message, ms').toBeLessThan(RECOVERY_MS);

        // Exactly one result per command, the state agrees, retries get the original results.
        await checkExactlyOnce(client, nc, partition, setup, report);
        // ASP_EVENTS holds every WAL record once, in order (JetStream fsyncs before it acknowledges).
        const health = async () =>
          (await (await fetch(`${pipeline.sequencer.httpUrl}/health`)).json()) as Record<string, unknown>;
        const walLastSeq = await checkEventsEqualWal(nc, partition, health);

        // The read models caught up with the sequencer's state.
        const audit = await auditReadModels({ nc, db: mongo.db(partition), partition, waitMs: 60_000 });
        expect(audit.problems).toEqual([]);
        expect(audit).toMatchObject({ ok: true, seq: walLastSeq });
      } finally {
        // A failed check leaves the load running: stop it before its client closes.
        crash?.stop.abort();
        await client.close();
        await mongo.close();
        await nc.close();
        const rest = [pipeline.projector, pipeline.sequencer, pipeline.mongo, pipeline.nats];
        for (const p of rest.map((p) => (p === victim.of(pipeline) ? victimProcess : p)))
          await p?.stop().catch(() => {});
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
