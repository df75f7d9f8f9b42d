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
  });
});
