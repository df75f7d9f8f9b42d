import { testEnv, testMongo } from '@asp/testing';
import type { Db, MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Checkpoints } from '../src/checkpoint.ts';

/**
 * The checkpoint protocol (fences, epochs, owners) rests on a conditional update of one
 * document being atomic, as it is on MongoDB. FerretDB 1.24 read the matching document and
 * wrote it back in two steps, so a write by another connection in between was lost: 121 of
 * 200 fences set beside a running heartbeat vanished when this was written. ferretdb-asp locks
 * the collection from the read to the write (infra/ferretdb/patches/write-lock.patch).
 */
const env = testEnv('atomic');
let mongo: MongoClient;
let db: Db;

beforeAll(async () => {
  mongo = await testMongo(env);
  db = mongo.db(`${env.prefix}a`);
});

afterAll(async () => {
  await db?.dropDatabase();
  await mongo?.close();
});

interface Counter {
  _id: string;
  n: number;
  fence: string | null;
}

describe('conditional updates under concurrent writers', () => {
  it('loses no $inc of writers racing on one document', async () => {
    const c = db.collection<Counter>('incs');
    await c.insertOne({ _id: 'x', n: 0, fence: null });
    const writer = async () => {
      let matched = 0;
      for (let i = 0; i < 100; i++)
        matched += (await c.updateOne({ _id: 'x' }, { $inc: { n: 1 } })).matchedCount;
      return matched;
    };
    const counts = await Promise.all([writer(), writer(), writer(), writer()]);
    expect(counts).toEqual([100, 100, 100, 100]);
    expect((await c.findOne({ _id: 'x' }))?.n).toBe(400);
  });

  it('keeps a fence set while the same document is updated on the condition that it has none', async () => {
    const c = db.collection<Counter>('fences');
    const lost: string[] = [];
    for (let round = 0; round < 40; round++) {
      const _id = `f${round}`;
      await c.insertOne({ _id, n: 0, fence: null });
      let stop = false;
      let beats = 0;
      const heartbeat = (async () => {
        while (!stop) beats += (await c.updateOne({ _id, fence: null }, { $inc: { n: 1 } })).matchedCount;
      })();
      await new Promise((r) => setTimeout(r, 3));
      const fenced = await c.updateOne({ _id, fence: null }, { $set: { fence: 'rebuild' } });
      await new Promise((r) => setTimeout(r, 3));
      stop = true;
      await heartbeat;
      const doc = await c.findOne({ _id });
      expect(fenced.matchedCount).toBe(1);
      // Lost: the fence vanished. Ignored: a heartbeat matched after the fence was set.
      if (doc?.fence !== 'rebuild' || doc.n !== beats)
        lost.push(`${_id}: ${JSON.stringify(doc)}, ${beats} beats`);
    }
    expect(lost).toEqual([]);
  });

  it('a rebuild fence survives a projector advancing its checkpoint (Checkpoints)', async () => {
    const checkpoints = new Checkpoints(db);
    for (let round = 0; round < 20; round++) {
      const p = `p${round}`;
      const cp = await checkpoints.load(p);
      let stop = false;
      let seq = 0;
      let refused = 0;
      const projector = (async () => {
        while (!stop) {
          if (await checkpoints.advance(p, cp.epoch, { seq: seq + 1, streamSeq: seq + 1, ts: Date.now() }))
            seq++;
          else refused++;
        }
      })();
      await new Promise((r) => setTimeout(r, 3));
      expect(await checkpoints.fence(p, 'r1', new Date(Date.now() + 60_000))).toBe(true);
      await new Promise((r) => setTimeout(r, 10));
      stop = true;
      await projector;
      const after = await checkpoints.load(p);
      expect(after.fence?.by).toBe('r1');
      // Every advance the checkpoint shows was accepted; none after the fence.
      expect(after.seq).toBe(seq);
      expect(refused).toBeGreaterThan(0);
    }
  });
});
