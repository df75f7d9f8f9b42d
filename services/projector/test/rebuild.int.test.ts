import { setTimeout as sleep } from 'node:timers/promises';
import { stateHash } from '@asp/domain';
import { testEnv, testMongo, testNats } from '@asp/testing';
import { type JetStreamClient, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import type { Db, MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Checkpoints, checkpointId } from '../src/checkpoint.ts';
import type { Projector } from '../src/projector.ts';
import { ensureReadModels, indexesOf } from '../src/readmodels/collections.ts';
import { writeGuardOf } from '../src/readmodels/server.ts';
import { rebuildReadModels } from '../src/rebuild/rebuild.ts';
import { backgroundLoad } from './support/dump.ts';
import { readModels, startProjector, waitFor } from './support/harness.ts';
import { ensureEventsStream, publishRecords, RecordSource } from './support/source.ts';
import { Workload } from './support/workload.ts';

const env = testEnv('rb');
let nc: NatsConnection;
let js: JetStreamClient;
let mongo: MongoClient;
let db: Db;
let projector: Projector;
const partition = env.prefix;
const src = new RecordSource(partition);
const work = new Workload(11, partition);

async function commit(commands = work.next(15)): Promise<void> {
  await publishRecords(js, [src.commit(commands)]);
}

beforeAll(async () => {
  nc = await testNats(env);
  await ensureEventsStream(await jetstreamManager(nc));
  js = jetstream(nc);
  mongo = await testMongo(env);
  db = mongo.db(env.prefix);
  await commit(work.setup());
  for (let i = 0; i < 30; i++) await commit();
  projector = await startProjector({
    NATS_URL: env.natsUrl,
    MONGO_URL: env.mongoUrl,
    ASP_MONGO_DB: env.prefix,
    ASP_PARTITION: partition,
  });
  await waitFor('the projector to catch up', () => projector.applied.seq === src.seq);
});

afterAll(async () => {
  await projector?.stop();
  await mongo?.close();
  await nc?.close();
});

const hashOfModels = async () => stateHash((await readModels(db, src.engine)).entries());
const indexNames = async (name: string) =>
  (await db.collection(name).listIndexes().toArray()).map((i) => String(i.name)).sort();
/** `_id_` and, on MongoDB only, the secondary indexes (FerretDB's SQLite backend uses none of them). */
const expectedIndexes = async (type: string) => {
  const guard = await writeGuardOf(db);
  if (guard === 'atomic') expect(indexesOf(type, guard).map((i) => i.name)).toContain('partition_1_seq_1');
  else expect(indexesOf(type, guard)).toEqual([]);
  return ['_id_', ...indexesOf(type, guard).map((i) => i.name)].sort();
};

describe('rebuild-read-models', () => {
  it('rebuilds models equal to the incrementally built ones, and repairs a hand-edited document', async () => {
    const incremental = await hashOfModels();
    expect(incremental).toBe(stateHash(src.state.entries()));
    expect(await indexNames('teams')).toEqual(await expectedIndexes('team'));
    await db.collection('orgs').updateOne({ _id: work.id('o', 1) as never }, { $set: { used: 12345 } });
    expect(await hashOfModels()).not.toBe(incremental);
    const lines: string[] = [];
    const r = await rebuildReadModels({ nc, db, partitions: [partition], say: (l) => lines.push(l) });
    expect(r.seqs[partition]).toBe(src.seq);
    expect(await hashOfModels()).toBe(incremental);
    const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
    expect(names.filter((n) => /_(rebuild|replaced)_/.test(n))).toEqual([]);
    // The rebuilt collections carry the indexes of this server: MongoDB's, none on FerretDB.
    expect(await indexNames('teams')).toEqual(await expectedIndexes('team'));
    const cp = await new Checkpoints(db).load(partition);
    expect(cp).toMatchObject({ _id: checkpointId(partition), seq: src.seq, epoch: 1 });
    expect(cp.fence ?? null).toBeNull();
    expect(lines.at(-1)).toMatch(/swapped in 7 read models/);
  });

  it('swaps in while the sequencer keeps committing; the projector goes on on the new collections', async () => {
    const load = backgroundLoad(() => commit(), 15);
    await waitFor('some load', () => src.seq > 60);
    const r = await rebuildReadModels({ nc, db, partitions: [partition] });
    const atSwap = r.seqs[partition]!;
    await waitFor('more records after the swap', () => src.seq > atSwap + 20);
    await load.stop();
    await waitFor('the projector to catch up', () => projector.applied.seq === src.seq);
    expect(projector.applied.seq).toBeGreaterThan(atSwap);
    expect(await hashOfModels()).toBe(stateHash(src.state.entries()));
    expect((await new Checkpoints(db).load(partition)).epoch).toBe(2);
  });

  it('lets the projector lift the fence of a rebuild that died', async () => {
    const checkpoints = new Checkpoints(db);
    const before = await checkpoints.load(partition);
    const fencedAt = Date.now();
    expect(await checkpoints.fence(partition, 'rdead', new Date(fencedAt + 2000))).toBe(true);
    await commit();
    await sleep(500);
    expect(projector.applied.seq).toBe(src.seq - 1);
    await waitFor('the projector to apply past the lapsed fence', () => projector.applied.seq === src.seq);
    expect(Date.now() - fencedAt).toBeGreaterThanOrEqual(2000);
    const after = await checkpoints.load(partition);
    expect(after.fence ?? null).toBeNull();
    expect(after.epoch).toBe(before.epoch + 1);
    expect(await hashOfModels()).toBe(stateHash(src.state.entries()));
  });

  it('keeps the secondary indexes on MongoDB and drops its own leftovers on FerretDB', async () => {
    const name = `teams_ix_${env.prefix}`;
    const nameOf = () => name;
    // As an earlier version left it: every index of the type, plus one a user made.
    await db.createCollection(name);
    for (const i of indexesOf('team')) await db.collection(name).createIndex(i.key, { name: i.name });
    await db.collection(name).createIndex({ seats: 1 }, { name: 'user_seats' });
    const guard = await writeGuardOf(db);
    await ensureReadModels(db, ['team'], guard, nameOf);
    expect(await indexNames(name)).toEqual([...(await expectedIndexes('team')), 'user_seats'].sort());
    // Idempotent.
    await ensureReadModels(db, ['team'], guard, nameOf);
    expect(await indexNames(name)).toEqual([...(await expectedIndexes('team')), 'user_seats'].sort());
    await db.collection(name).drop();
  });

  it('refuses to run beside another rebuild', async () => {
    await db
      .collection('asp_projector')
      .insertOne({ _id: 'rebuild', by: 'rother', until: new Date(Date.now() + 60_000) } as never);
    await expect(rebuildReadModels({ nc, db, partitions: [partition] })).rejects.toThrow(
      /another rebuild \(rother/,
    );
    await db.collection('asp_projector').deleteOne({ _id: 'rebuild' as never });
  });
});
