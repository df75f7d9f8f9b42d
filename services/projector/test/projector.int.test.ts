import { MemoryState, stateHash } from '@asp/domain';
import { EVENTS_STREAM } from '@asp/protocol';
import { testEnv, testMongo, testNats } from '@asp/testing';
import { type JetStreamClient, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import type { Db, MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Applier } from '../src/apply/applier.ts';
import { DocCache } from '../src/apply/cache.ts';
import { Intents } from '../src/apply/intents.ts';
import { coalesce, planDoc } from '../src/apply/plan.ts';
import { writeDocs } from '../src/apply/writer.ts';
import { auditReadModels } from '../src/audit/audit.ts';
import { Checkpoints } from '../src/checkpoint.ts';
import { consumerName } from '../src/consumer.ts';
import type { Projector } from '../src/projector.ts';
import { collectionName } from '../src/readmodels/collections.ts';
import { writeGuardOf } from '../src/readmodels/server.ts';
import { serveDump } from './support/dump.ts';
import { readModels, startProjector, waitFor } from './support/harness.ts';
import { ensureEventsStream, publishRecords, RecordSource, seededSource } from './support/source.ts';
import { Workload } from './support/workload.ts';

const env = testEnv('pj');
let nc: NatsConnection;
let js: JetStreamClient;
let mongo: MongoClient;
let db: Db;
const projectors: Projector[] = [];

beforeAll(async () => {
  nc = await testNats(env);
  await ensureEventsStream(await jetstreamManager(nc));
  js = jetstream(nc);
  mongo = await testMongo(env);
  db = mongo.db(env.prefix);
});

afterAll(async () => {
  for (const p of projectors) await p.stop();
  await mongo?.close();
  await nc?.close();
});

async function projector(partition: string, more: Record<string, string> = {}): Promise<Projector> {
  const p = await startProjector({
    NATS_URL: env.natsUrl,
    MONGO_URL: env.mongoUrl,
    ASP_MONGO_DB: env.prefix,
    ASP_PARTITION: partition,
    ...more,
  });
  projectors.push(p);
  return p;
}

describe('projector', () => {
  it('projects every record into documents equal to the state, and survives redelivered and replayed records', async () => {
    const partition = `${env.prefix}a`;
    const { src, w } = seededSource(partition, 7, 40, 25);
    await publishRecords(js, src.records);
    const p = await projector(partition);
    await waitFor('the projector to apply every record', () => p.applied.seq === src.seq);
    const models = await readModels(db, src.engine);
    expect(models.size).toBe(src.state.size);
    expect(stateHash(models.entries())).toBe(stateHash(src.state.entries()));

    const team = await db.collection('teams').findOne({ _id: w.id('t', 3) as never });
    expect(team).toMatchObject({
      orgId: w.id('o', 0),
      partition,
      version: expect.any(Number),
      seq: expect.any(Number),
    });
    expect(team?.updatedAt).toBeInstanceOf(Date);

    // Old records again, newest first, some twice: all come after what was applied.
    const again = src.records.slice(5, 20).reverse();
    await publishRecords(js, [...again, ...again.slice(0, 3)]);
    src.commit(w.next(25));
    await publishRecords(js, src.records.slice(-1));
    await waitFor('the new record', () => p.applied.seq === src.seq);
    expect(stateHash((await readModels(db, src.engine)).entries())).toBe(stateHash(src.state.entries()));
    const dup = await p.metrics.registry.getSingleMetricAsString('asp_projector_duplicate_records_total');
    expect(dup).toMatch(/ 18$/m);
  });

  it('collects the young generation between batches as asked (ASP_YOUNG_GC_PERCENT), 0 never', async () => {
    const youngGcs = async (p: Awaited<ReturnType<typeof projector>>) =>
      Number(
        / (\d+)$/m.exec(
          await p.metrics.registry.getSingleMetricAsString('asp_projector_young_gc_total'),
        )?.[1],
      );
    for (const [percent, expectCollected] of [
      ['1', true],
      ['0', false],
    ] as const) {
      // A database of its own: readModels() reads whole collections.
      const partition = `${env.prefix}gc${percent}`;
      const { src } = seededSource(partition, 9, 20, 25);
      await publishRecords(js, src.records);
      const p = await projector(partition, { ASP_MONGO_DB: partition, ASP_YOUNG_GC_PERCENT: percent });
      await waitFor('the projector to apply every record', () => p.applied.seq === src.seq);
      const models = await readModels(mongo.db(partition), src.engine);
      expect(stateHash(models.entries())).toBe(stateHash(src.state.entries()));
      if (expectCollected) expect(await youngGcs(p)).toBeGreaterThan(0);
      else expect(await youngGcs(p)).toBe(0);
    }
  });

  it('recreates its consumer from the checkpoint when someone deletes it, and projects on', async () => {
    // A database of its own: readModels() reads whole collections.
    const partition = `${env.prefix}del`;
    const ddb = mongo.db(partition);
    const { src, w } = seededSource(partition, 8, 10, 25);
    await publishRecords(js, src.records);
    const p = await projector(partition, { ASP_MONGO_DB: partition });
    await waitFor('the projector to apply every record', () => p.applied.seq === src.seq);
    const jsm = await jetstreamManager(nc);
    await jsm.consumers.delete(EVENTS_STREAM, consumerName(partition));
    for (let i = 0; i < 5; i++) src.commit(w.next(25));
    await publishRecords(js, src.records.slice(-5));
    // Before, the projector waited on the deleted consumer for good (nats.js asked for it every
    // 30 s), and the read models stood still.
    await waitFor('the records after the deletion', () => p.applied.seq === src.seq, 5_000);
    expect(stateHash((await readModels(ddb, src.engine)).entries())).toBe(stateHash(src.state.entries()));
    const info = await jsm.consumers.info(EVENTS_STREAM, consumerName(partition));
    expect(info.num_ack_pending).toBe(0);
    const errors = await p.metrics.registry.getSingleMetricAsString('asp_projector_errors_total');
    expect(errors).toMatch(/kind="consumer"} 1$/m);
  });
});

describe('writes', () => {
  it('falls back to one write per document when the bulk fails, and writes every document it can', async () => {
    const { src } = seededSource('pw', 3, 1, 30);
    const wdb = mongo.db(`${env.prefix}w`);
    const guard = await writeGuardOf(wdb);
    const docs = [...coalesce(src.records).values()].filter((d) => d.type === 'team').slice(0, 4);
    const writes = docs.map((d) => planDoc(src.engine, d, undefined)!);
    // The first team exists already (another writer, a half-done earlier attempt): its insert
    // fails, and FerretDB stops a bulk at its first error. The others must still be written.
    await wdb.collection(collectionName('team')).insertOne({ _id: writes[0]!.id as never, version: 99 });
    const out = await writeDocs({ db: wdb, nameOf: collectionName, guard }, writes);
    // Whether a write landed in the failed bulk or alone, every other document is there; the
    // conflicting one is reported (the applier reads it again), never overwritten.
    expect(out.conflicts.map((c) => c.key)).toContain(writes[0]!.key);
    expect(out.written.map((c) => c.key)).not.toContain(writes[0]!.key);
    const stored = await wdb
      .collection<{ _id: string; version: number }>('teams')
      .find({})
      .sort({ _id: 1 })
      .toArray();
    expect(stored.map((d) => [d._id, d.version])).toEqual([
      [writes[0]!.id, 99],
      ...writes.slice(1).map((x) => [x.id, x.version]),
    ]);
  });

  it("guards each replace with the version it was computed from (MongoDB's path, run on FerretDB)", async () => {
    const { src } = seededSource('pa', 6, 6, 20);
    const adb = mongo.db(`${env.prefix}a`);
    const target = { db: adb, nameOf: collectionName, guard: 'atomic' as const };
    const team = [...coalesce(src.records.slice(0, 1)).values()].find((d) => d.type === 'team')!;
    const created = planDoc(src.engine, team, undefined)!;
    expect((await writeDocs(target, [created])).written).toHaveLength(1);
    // The same insert again, and a replace from a version the document no longer has.
    expect((await writeDocs(target, [created])).conflicts).toHaveLength(1);
    const stale = { ...created, baseVersion: created.version + 5, version: created.version + 6 };
    expect((await writeDocs(target, [stale])).conflicts).toHaveLength(1);
    expect(await adb.collection('teams').findOne({ _id: created.id as never })).toMatchObject({
      version: created.version,
    });
    // An applier whose cache is behind (as if another writer moved the documents on) still
    // ends right: every replace from a stale version conflicts, and is redone after a read.
    const first = new Applier({ db: adb, engine: src.engine, cache: new DocCache(1000), guard: 'atomic' });
    await first.apply(src.records.slice(0, 4));
    const behind = new MemoryState();
    behind.apply(
      src.engine.replay(
        src.records.slice(0, 2).flatMap((r) => r.events),
        behind,
      ),
    );
    const staleCache = new DocCache(1000);
    for (const [key, v] of behind.entries()) staleCache.set(key, v);
    const second = new Applier({ db: adb, engine: src.engine, cache: staleCache, guard: 'atomic' });
    const stats = await second.apply(src.records.slice(2));
    expect(stats.conflicts).toBeGreaterThan(0);
    expect(stateHash((await readModels(adb, src.engine)).entries())).toBe(stateHash(src.state.entries()));
  });

  it('finishes a delete-then-insert step that a crash cut short (FerretDB), unless a rebuild came since', async () => {
    const idb = mongo.db(`${env.prefix}i`);
    const counters = idb.collection<{ _id: string; version: number }>('counters');
    const doc = (version: number) => ({
      _id: 'k',
      value: version,
      max: null,
      version,
      seq: version,
      partition: 'pi',
      updatedAt: new Date(),
    });
    await counters.insertOne(doc(1));
    await new Intents(idb, 'pi', 0).begin('counters', ['k'], [doc(2)]);
    await counters.deleteMany({ _id: { $in: ['k'] } }); // and the process dies here
    expect(await new Intents(idb, 'pi', 0).redo(idb)).toBe(true);
    expect(await counters.findOne({ _id: 'k' })).toMatchObject({ version: 2, value: 2 });
    await new Intents(idb, 'pi', 0).begin('counters', ['k'], [doc(1)]);
    expect(await new Intents(idb, 'pi', 1).redo(idb)).toBe(true);
    expect(await counters.findOne({ _id: 'k' })).toMatchObject({ version: 2 });
    expect(await new Intents(idb, 'pi', 1).redo(idb)).toBe(false);
  });

  it('replays from an empty cache after a crash: already written documents are skipped, none goes back', async () => {
    const { src } = seededSource('pr', 4, 10, 20);
    const rdb = mongo.db(`${env.prefix}r`);
    const guard = await writeGuardOf(rdb);
    const first = new Applier({ db: rdb, engine: src.engine, cache: new DocCache(100), guard });
    await first.apply(src.records);
    const before = await readModels(rdb, src.engine);
    // A restarted projector gets old records again, out of order: nothing changes.
    const again = new Applier({ db: rdb, engine: src.engine, cache: new DocCache(100), guard });
    const stats = await again.apply([...src.records.slice(5), ...src.records.slice(0, 5)]);
    expect(stats.written).toBe(0);
    expect(stats.skipped).toBe(stats.docs);
    expect(stateHash((await readModels(rdb, src.engine)).entries())).toBe(stateHash(before.entries()));
  });

  it('stops, without writing or acknowledging, at a version gap (a document deleted by hand)', async () => {
    const partition = `${env.prefix}g`;
    const src = new RecordSource(partition);
    const w = new Workload(9, partition);
    src.commit(w.setup());
    await publishRecords(js, src.records);
    // Without a cache the projector reads the document before writing it, and finds it gone
    // (with one, it would write the right state back from what it remembers).
    const p = await projector(partition, { ASP_CACHE_DOCS_MAX: '0' });
    await waitFor('the setup record', () => p.applied.seq === 1);
    await db.collection('orgs').deleteOne({ _id: w.id('o', 0) as never });
    src.commit([
      {
        id: `${partition}-x`,
        type: 'seats.addSeats',
        data: { orgId: w.id('o', 0), teamId: w.id('t', 0), seats: 2 },
      },
    ]);
    await publishRecords(js, src.records.slice(-1));
    await waitFor('the gap to be reported', async () =>
      /kind="version_gap"/.test(
        await p.metrics.registry.getSingleMetricAsString('asp_projector_errors_total'),
      ),
    );
    expect(p.applied.seq).toBe(1);
    expect(p.health()).toMatchObject({
      ok: false,
      error: expect.stringMatching(/org\/.*o0 is at version 0/),
    });
    expect(await db.collection('orgs').findOne({ _id: w.id('o', 0) as never })).toBeNull();
    const consumer = await jetstreamManager(nc).then((m) =>
      m.consumers.info('ASP_EVENTS', `projector-${partition}`),
    );
    expect(consumer.num_ack_pending + consumer.num_pending).toBeGreaterThan(0);
    expect(await new Checkpoints(db).seqOf(partition)).toBe(1);
  });
});

describe("audit (against a stand-in for the sequencer's state dump)", () => {
  it('says INTEGRITY_OK, then finds a document edited by hand, one missing and one too many', async () => {
    const partition = `${env.prefix}u`;
    const { src, w } = seededSource(partition, 21, 10, 20);
    await publishRecords(js, src.records);
    const dump = serveDump(nc, partition, () => ({ appliedSeq: src.seq, entries: src.state.entries() }));
    try {
      await projector(partition);
      const ok = await auditReadModels({ nc, db, partition, waitMs: 20_000, pageSize: 7 });
      expect(ok.problems).toEqual([]);
      expect(ok).toMatchObject({ ok: true, seq: src.seq });
      expect(ok.documents).toBe(src.state.size);
      await db.collection('teams').updateOne({ _id: w.id('t', 4) as never }, { $inc: { seats: 1 } });
      await db.collection('skus').deleteOne({ _id: w.id('s', 1) as never });
      await db
        .collection('counters')
        .insertOne({ _id: 'ghost' as never, partition, version: 1, value: 1, max: null });
      const bad = await auditReadModels({ nc, db, partition, waitMs: 5000 });
      expect(bad.ok).toBe(false);
      expect(bad.problems).toHaveLength(3);
      expect(bad.problems.join('\n')).toMatch(/team\/\w+t4: read model .* but sequencer/);
      expect(bad.problems.join('\n')).toMatch(/sku\/\w+s1: no read model document/);
      expect(bad.problems.join('\n')).toMatch(
        /counter\/ghost: read model document .* the sequencer does not have/,
      );
    } finally {
      dump.close();
    }
  });

  it('fails, saying why, when the projector does not catch up in time', async () => {
    const partition = `${env.prefix}v`;
    const src = new RecordSource(partition);
    src.commit(new Workload(2, partition).setup());
    const dump = serveDump(nc, partition, () => ({ appliedSeq: src.seq, entries: src.state.entries() }));
    try {
      const r = await auditReadModels({ nc, db, partition, waitMs: 500 });
      expect(r.ok).toBe(false);
      expect(r.problems).toEqual([
        expect.stringMatching(/the projector did not catch up: at 0 of the sequencer's 1/),
      ]);
    } finally {
      dump.close();
    }
  });
});

describe('two projectors of one partition', () => {
  /** Each test its own database: readModels reads every document of one. */
  async function matches(name: string, src: RecordSource): Promise<void> {
    const models = await readModels(mongo.db(name), src.engine);
    expect(stateHash(models.entries())).toBe(stateHash(src.state.entries()));
  }

  it('one projects, the other stands by, and takes over as soon as the first stops', async () => {
    const partition = `${env.prefix}own`;
    const { src, w } = seededSource(partition, 9, 10, 25);
    await publishRecords(js, src.records);
    const more = { ASP_MONGO_DB: partition };
    const a = await projector(partition, more);
    await waitFor('the first projector to apply every record', () => a.applied.seq === src.seq);
    const b = await projector(partition, more);
    await waitFor('the second to stand by', () => b.health().phase === 'standby');

    // Records while both run: the owner applies them, the other writes nothing.
    let from = src.records.length;
    for (let i = 0; i < 10; i++) src.commit(w.next(25));
    await publishRecords(js, src.records.slice(from));
    await waitFor('the owner to apply the new records', () => a.applied.seq === src.seq);
    expect(b.health()).toMatchObject({ phase: 'standby', ok: true, appliedSeq: 0 });
    await matches(partition, src);

    // The first gives the partition up as it stops: the second takes over well within the
    // lease (30 s), from the checkpoint.
    await a.stop();
    projectors.splice(projectors.indexOf(a), 1);
    await waitFor('the second to take over', () => b.health().phase === 'serving', 5000);
    from = src.records.length;
    for (let i = 0; i < 5; i++) src.commit(w.next(25));
    await publishRecords(js, src.records.slice(from));
    await waitFor('the new owner to apply every record', () => b.applied.seq === src.seq);
    await matches(partition, src);
  });

  it('one that dies holding the partition is replaced once its lease lapses', async () => {
    const partition = `${env.prefix}lapse`;
    const { src } = seededSource(partition, 10, 5, 25);
    await publishRecords(js, src.records);
    // A projector that claimed the partition and died: nobody renews its lease.
    const checkpoints = new Checkpoints(mongo.db(partition), { id: 'dead-host:1:x', ms: 1500 });
    await checkpoints.load(partition);
    expect(await checkpoints.claim(partition)).toEqual({ ok: true });
    const claimed = Date.now();
    const b = await projector(partition, { ASP_LEASE_MS: '1500', ASP_MONGO_DB: partition });
    await waitFor('the second to stand by', () => b.health().phase === 'standby');
    await waitFor('the lease to lapse and the partition to be taken', () => b.health().phase === 'serving');
    expect(Date.now() - claimed).toBeGreaterThanOrEqual(1500);
    await waitFor('every record applied', () => b.applied.seq === src.seq);
    await matches(partition, src);
    // The dead one can no longer write a checkpoint: the partition is not its own any more.
    expect(await checkpoints.heartbeat(partition, 0)).toBe(false);
  });
});
