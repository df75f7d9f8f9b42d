import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stateHash } from '@asp/domain';
import { EVENTS_STREAM } from '@asp/protocol';
import { type FerretDbServer, startFerretDb } from '@asp/servers';
import { testEnv, testNats } from '@asp/testing';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { MongoClient } from 'mongodb';
import { expect, it } from 'vitest';
import { consumerName } from '../src/consumer.ts';
import { backgroundLoad } from './support/dump.ts';
import { readModels, startProjector, waitFor } from './support/harness.ts';
import { ensureEventsStream, publishRecords, RecordSource } from './support/source.ts';
import { Workload } from './support/workload.ts';

it('waits out a MongoDB outage under load without acknowledging, shows the lag, then catches up', async () => {
  const env = testEnv('mo');
  const dir = mkdtempSync(join(tmpdir(), 'asp-outage-'));
  let ferret: FerretDbServer = await startFerretDb({ dataDir: dir });
  const nc = await testNats(env);
  const jsm = await jetstreamManager(nc);
  await ensureEventsStream(jsm);
  const js = jetstream(nc);
  const src = new RecordSource(env.prefix);
  const work = new Workload(5, env.prefix);
  const commit = async () => publishRecords(js, [src.commit(work.next(10))]);
  await publishRecords(js, [src.commit(work.setup())]);
  const p = await startProjector({
    NATS_URL: env.natsUrl,
    MONGO_URL: ferret.url,
    ASP_MONGO_DB: 'outage',
    ASP_PARTITION: env.prefix,
    // Short enough that the outage outlasts it: the retry must keep the records from redelivery.
    ASP_ACK_WAIT_MS: '2000',
    ASP_RETRY_DELAY_MS_MAX: '300',
    ASP_MONGO_TIMEOUT_MS: '500',
  });
  const lag = async () => (await p.metrics.lagRecords.get()).values[0]?.value ?? 0;
  const ackFloor = async () =>
    (await jsm.consumers.info(EVENTS_STREAM, consumerName(env.prefix))).ack_floor.stream_seq;
  try {
    for (let i = 0; i < 10; i++) await commit();
    await waitFor('the projector to catch up', () => p.applied.seq === src.seq);
    const load = backgroundLoad(commit, 20);
    await sleep(300);
    await ferret.stop();
    await sleep(500);
    const appliedAtStop = p.applied.seq;
    const floorAtStop = await ackFloor();
    const lagEarly = await lag();
    await waitFor('the projector to report MongoDB down', () => p.health().ok === false, 10_000);
    await sleep(2000);
    expect(p.health()).toMatchObject({ ok: false, error: expect.any(String) });
    expect(p.applied.seq).toBe(appliedAtStop);
    expect(await ackFloor()).toBe(floorAtStop);
    expect(await lag()).toBeGreaterThan(lagEarly);
    expect(await lag()).toBeGreaterThanOrEqual(src.seq - appliedAtStop - 20);
    const errors = await p.metrics.registry.getSingleMetricAsString('asp_projector_errors_total');
    expect(errors).toMatch(/kind="mongo"/);

    ferret = await startFerretDb({ dataDir: dir, port: ferret.port });
    await sleep(500);
    await load.stop();
    await waitFor('the projector to catch up after the outage', () => p.applied.seq === src.seq, 30_000);
    await waitFor('the lag to clear', async () => (await lag()) === 0);
    expect(p.health().ok).toBe(true);
    const mongo = new MongoClient(ferret.url);
    try {
      const models = await readModels(mongo.db('outage'), src.engine);
      expect(stateHash(models.entries())).toBe(stateHash(src.state.entries()));
    } finally {
      await mongo.close();
    }
  } finally {
    await p.stop();
    await nc.close();
    await ferret.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}, 90_000);
