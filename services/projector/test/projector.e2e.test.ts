import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { COMMANDS_STREAM, commandSubject, encodeEnvelope, type WireCommand } from '@asp/protocol';
import { type ServiceProcess, startService } from '@asp/servers';
import { testEnv, testMongo, testNats } from '@asp/testing';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { expect, it } from 'vitest';
import { audit } from '../../cli/src/audit.ts';
import { loadCliConfig } from '../../cli/src/config.ts';
import { rebuild } from '../../cli/src/rebuild.ts';
import { auditReadModels } from '../src/audit/audit.ts';
import { backgroundLoad } from './support/dump.ts';
import { waitFor } from './support/harness.ts';
import { Workload } from './support/workload.ts';

/**
 * The real thing: a sequencer and a projector as processes, commands on
 * ASP_COMMANDS. The projector is killed with SIGKILL again and again under
 * load; the read models must still converge to the sequencer's state.
 */
it('converges after repeated kill -9 under load, the audit finds a hand edit, a rebuild repairs it', async () => {
  const env = testEnv('pe');
  const partition = env.prefix;
  const dir = mkdtempSync(join(tmpdir(), 'asp-pj-e2e-'));
  const nc = await testNats(env);
  const js = jetstream(nc);
  const mongo = await testMongo(env);
  const db = mongo.db(env.prefix);
  const sequencer = await startService({
    name: 'sequencer',
    env: {
      NATS_URL: env.natsUrl,
      ASP_PARTITION: partition,
      ASP_DATA_DIR: join(dir, 'seq'),
      LOG_LEVEL: 'warn',
    },
    logFile: join(dir, 'sequencer.log'),
  });
  const startProjector = () =>
    startService({
      name: 'projector',
      env: {
        NATS_URL: env.natsUrl,
        MONGO_URL: env.mongoUrl,
        ASP_MONGO_DB: env.prefix,
        ASP_PARTITION: partition,
        ASP_POLL_MS: '100',
        ASP_ACK_WAIT_MS: '3000',
        ASP_BATCH_RECORDS_MAX: '32',
        LOG_LEVEL: process.env.ASP_TEST_LOG_LEVEL ?? 'warn',
      },
      logFile: join(dir, 'projector.log'),
    });
  let projector: ServiceProcess = await startProjector();
  const work = new Workload(42, partition);
  const send = (commands: WireCommand[]) =>
    js.publish(commandSubject(partition), encodeEnvelope({ v: 1, commands }, 'application/msgpack'));
  const step = (m: string) => process.env.ASP_TEST_LOG && console.log(new Date().toISOString(), m, dir);
  try {
    await send(work.setup());
    step('setup sent');
    // Load FerretDB can follow on two busy cores (its updates scan the collection).
    const load = backgroundLoad(async () => {
      await send(work.next(10));
    }, 10);
    for (let round = 0; round < 5; round++) {
      await sleep(400 + round * 100);
      await projector.kill();
      projector = await startProjector();
      step(`round ${round}`);
    }
    await sleep(500);
    await load.stop();
    const jsm = await jetstreamManager(nc);
    await waitFor(
      'the sequencer to take every command',
      async () => {
        const c = await jsm.consumers.info(COMMANDS_STREAM, `sequencer-${partition}`);
        return c.num_pending === 0 && c.num_ack_pending === 0;
      },
      60_000,
    );

    step('drained');
    const ok = await auditReadModels({ nc, db, partition, waitMs: 60_000 });
    step('audited');
    expect(ok.problems).toEqual([]);
    expect(ok).toMatchObject({ ok: true });
    expect(ok.seq).toBeGreaterThan(20);
    expect(ok.documents).toBe(ok.aggregates);

    await db.collection('teams').updateOne({ _id: work.id('t', 2) as never }, { $inc: { seats: 3 } });
    await db.collection('accounts').deleteOne({ _id: work.id('a', 5) as never });
    const bad = await auditReadModels({ nc, db, partition, waitMs: 10_000 });
    expect(bad.ok).toBe(false);
    expect(bad.problems.map((p) => p.split(':')[0]).sort()).toEqual([
      `account/${work.id('a', 5)}`,
      `team/${work.id('t', 2)}`,
    ]);

    // `asp rebuild-read-models` beside the live projector process, with commands still
    // coming, then `asp audit`.
    const cfg = loadCliConfig({
      ASP_HOME: dir,
      ASP_PARTITION: partition,
      ASP_MONGO_DB: env.prefix,
      NATS_URL: env.natsUrl,
    });
    const lines: string[] = [];
    const say = (line: string) => lines.push(line);
    const more = backgroundLoad(async () => {
      await send(work.next(10));
    }, 20);
    expect(await rebuild(cfg, say, { mongoUrl: env.mongoUrl })).toBe(true);
    await more.stop();
    expect(lines.at(-1)).toMatch(/^rebuilt from \d+ records in [\d.]+ s: orgs 3, teams 12, accounts 8, /);
    expect(await audit(cfg, say, { mongoUrl: env.mongoUrl })).toBe(true);
    expect(lines.at(-1)).toBe('INTEGRITY_OK');
    expect(lines.at(-2)).toMatch(/^\d+ aggregates, \d+ read model documents, all equal at seq \d+$/);
  } finally {
    await projector.stop();
    await sequencer.stop();
    await mongo.close();
    await nc.close();
    if (!process.env.ASP_TEST_LOG) rmSync(dir, { recursive: true, force: true });
  }
});
