import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestEnv, testEnv, testMongo, testNats } from '../src/index.ts';

// Smoke tests proving the harness runs real servers: a JetStream round trip and
// MongoDB-wire CRUD through the official driver.
describe('harness servers', () => {
  let env: TestEnv;
  beforeAll(() => {
    env = testEnv('smoke');
  });

  it('JetStream: publish, pull, ack, and the message is gone from the consumer', async () => {
    const nc = await testNats(env);
    try {
      const jsm = await jetstreamManager(nc);
      const stream = env.prefix.toUpperCase();
      const subject = `${env.prefix}.smoke`;
      await jsm.streams.add({ name: stream, subjects: [subject] });
      await jsm.consumers.add(stream, { durable_name: 'smoke-reader', ack_policy: 'explicit' });
      const js = jetstream(nc);
      const ack = await js.publish(subject, 'hello');
      expect(ack.seq).toBe(1);

      const consumer = await js.consumers.get(stream, 'smoke-reader');
      const msg = await consumer.next({ expires: 5000 });
      expect(msg?.string()).toBe('hello');
      await msg?.ackAck();

      const info = await consumer.info();
      expect(info.num_pending).toBe(0);
      expect(info.num_ack_pending).toBe(0);
      expect(await consumer.next({ expires: 1000 })).toBeNull();
      await jsm.streams.delete(stream);
    } finally {
      await nc.close();
    }
  });

  describe('MongoDB wire', () => {
    let client: Awaited<ReturnType<typeof testMongo>>;
    beforeAll(async () => {
      client = await testMongo(env);
    });
    afterAll(async () => {
      await client.db(env.prefix).dropDatabase();
      await client.close();
    });

    it('insert, find, update with upsert, and a unique index', async () => {
      const col = client.db(env.prefix).collection<{ _id: string; n: number; tag?: string }>('smoke');
      await col.createIndex({ tag: 1 }, { unique: true, sparse: true });
      await col.insertOne({ _id: 'a', n: 1, tag: 'x' });
      expect(await col.findOne({ _id: 'a' })).toEqual({ _id: 'a', n: 1, tag: 'x' });

      const up = await col.updateOne({ _id: 'b' }, { $set: { n: 2 } }, { upsert: true });
      expect(up.upsertedCount).toBe(1);
      await col.updateOne({ _id: 'a' }, { $inc: { n: 10 } });
      expect((await col.findOne({ _id: 'a' }))?.n).toBe(11);

      await expect(col.insertOne({ _id: 'c', n: 3, tag: 'x' })).rejects.toThrow(/duplicate key/i);
      const indexes = await col.indexes();
      expect(indexes.map((i) => i.name)).toContain('tag_1');
    });

    // On ferretdb-asp these go through SQLite's C library (infra/ferretdb/patches/sqlite-cgo.patch):
    // the projector relies on a duplicate _id failing with 11000, and Mongo Express asks for stats
    // (SQLite's dbstat table, compiled in by a build tag).
    it('a duplicate _id fails with code 11000, also in an unordered insertMany; stats answer', async () => {
      const db = client.db(env.prefix);
      const col = db.collection<{ _id: string; n: number }>('dups');
      await col.insertOne({ _id: 'a', n: 1 });
      await expect(col.insertOne({ _id: 'a', n: 2 })).rejects.toMatchObject({ code: 11000 });
      await expect(
        col.insertMany(
          [
            { _id: 'a', n: 3 },
            { _id: 'b', n: 4 },
          ],
          { ordered: false },
        ),
      ).rejects.toMatchObject({ code: 11000 });
      expect(await col.findOne({ _id: 'a' })).toEqual({ _id: 'a', n: 1 });
      expect(await col.countDocuments()).toBeGreaterThanOrEqual(1);

      const stats = await db.command({ dbStats: 1 });
      expect(stats.ok).toBe(1);
      expect(stats.collections).toBeGreaterThanOrEqual(1);
      const coll = await db.command({ collStats: 'dups' });
      expect(coll.ok).toBe(1);
      expect(coll.count).toBeGreaterThanOrEqual(1);
    });

    // ferretdb-asp inserts 1,000 documents per SQLite transaction (patches/insert-batch.patch) and
    // goes one by one through a chunk whose insert failed: duplicates on either side of a chunk
    // boundary must fail alone (unordered) or stop the insert exactly there (ordered).
    it('a large insertMany with duplicates across chunks fails exactly at the duplicates', async () => {
      const db = client.db(env.prefix);
      const col = db.collection<{ _id: string; n: number }>('bulkdups');
      const id = (i: number) => `d${String(i).padStart(5, '0')}`;
      await col.insertMany([5, 1500, 2400].map((i) => ({ _id: id(i), n: -1 })));
      const docs = Array.from({ length: 2500 }, (_, i) => ({ _id: id(i), n: i }));
      const unordered = await col.insertMany(docs, { ordered: false }).catch((err: unknown) => err);
      expect(unordered).toMatchObject({ code: 11000, insertedCount: 2497 });
      const errors = (unordered as { writeErrors: { index: number; code: number }[] }).writeErrors;
      expect(errors.map((e) => [e.index, e.code])).toEqual([
        [5, 11000],
        [1500, 11000],
        [2400, 11000],
      ]);
      const all = await col.find().sort({ _id: 1 }).toArray();
      expect(all).toEqual(docs.map((d, i) => ([5, 1500, 2400].includes(i) ? { ...d, n: -1 } : d)));

      const ordered = db.collection<{ _id: string; n: number }>('bulkdups-ordered');
      await ordered.insertOne({ _id: id(1100), n: -1 });
      const stopped = await ordered.insertMany(docs.slice(0, 1200)).catch((err: unknown) => err);
      expect(stopped).toMatchObject({ code: 11000, insertedCount: 1100 });
      expect(await ordered.countDocuments()).toBe(1101);
      expect(await ordered.countDocuments({ n: { $gt: 1100 } })).toBe(0);
    });

    // FerretDB refuses NaN; ferretdb-asp checks for it while decoding a request once
    // (infra/ferretdb/patches/decode-once.patch) instead of in the wire library's extra decode.
    it('a NaN anywhere in a request is refused, nothing of it written, and the server answers after', async () => {
      const col = client.db(env.prefix).collection<{ _id: string; v?: unknown }>('nan');
      const nans = [{ v: Number.NaN }, { v: { deep: [1, { x: Number.NaN }] } }];
      for (const bad of nans) {
        const err = await col
          .insertMany([{ _id: 'ok' }, { _id: 'bad', ...bad }], { ordered: false })
          .catch((e: unknown) => e);
        expect(err).toBeInstanceOf(Error);
      }
      expect(
        await col
          .find({ v: Number.NaN })
          .toArray()
          .catch((e: unknown) => e),
      ).toBeInstanceOf(Error);
      expect(await col.countDocuments()).toBe(0);
      await col.insertOne({ _id: 'after', v: 1.5 });
      expect(await col.find().toArray()).toEqual([{ _id: 'after', v: 1.5 }]);
    });
  });
});
