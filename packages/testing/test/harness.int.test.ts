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
  });
});
