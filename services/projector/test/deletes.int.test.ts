import { testEnv, testMongo } from '@asp/testing';
import type { Db, MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IdDeletes } from '../src/apply/deletes.ts';
import type { ReadModelDoc } from '../src/readmodels/documents.ts';
import { writeGuardOf } from '../src/readmodels/server.ts';

const env = testEnv('del');
let mongo: MongoClient;
let db: Db;
let ferret = false;

beforeAll(async () => {
  mongo = await testMongo(env);
  db = mongo.db(`${env.prefix}d`);
  ferret = (await writeGuardOf(db)) === 'id-only';
});

afterAll(async () => {
  await db?.dropDatabase();
  await mongo?.close();
});

const doc = (i: number): ReadModelDoc =>
  ({ _id: `d${i}`, version: 1, seq: 1, partition: 'p0', updatedAt: new Date(0), n: i }) as ReadModelDoc;

async function filled(name: string, count: number) {
  const coll = db.collection<ReadModelDoc>(name);
  await coll.insertMany(Array.from({ length: count }, (_, i) => doc(i)));
  return coll;
}

/** Polls until `f` holds (ferretdb-asp rebuilds a new collection's `_id` index within ~1 s). */
async function eventually(f: () => Promise<boolean>, ms = 10_000): Promise<boolean> {
  const until = Date.now() + ms;
  for (;;) {
    if (await f()) return true;
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('ferretdb-asp and lookups by _id', () => {
  it('rebuilds each collection’s _id index so that they use it, and it stays unique', async (ctx) => {
    if (!ferret) ctx.skip(); // MongoDB finds documents by _id through its index anyway
    const coll = await filled('rekeyed', 10);
    // A real lookup first: SQLite explains with the schema its connection last loaded.
    const explain = async () => {
      await coll.findOne({ _id: 'd3' });
      return JSON.stringify(await db.command({ explain: { find: 'rekeyed', filter: { _id: 'd3' } } }));
    };
    expect(await eventually(async () => /USING (COVERING )?INDEX/.test(await explain()))).toBe(true);
    await expect(coll.insertOne(doc(3))).rejects.toMatchObject({ code: 11000 });
    expect((await coll.listIndexes().toArray()).map((i) => i.name)).toEqual(['_id_']);
    expect(await coll.findOne({ _id: 'd3' })).toMatchObject({ n: 3 });
  });
});

describe('IdDeletes', () => {
  it('deletes exactly the ids asked for, one $in or one statement per id', async () => {
    for (const [name, force] of [
      ['by_in', 'in'],
      ['by_each', 'each'],
    ] as const) {
      const coll = await filled(name, 60);
      const deletes = new IdDeletes(db, { force, recheckMs: 0 });
      const want = name === 'by_in' ? 'in' : ferret ? 'each' : 'in';
      // One statement per id only once FerretDB finds an id by index; MongoDB always does, but
      // explains it otherwise, so it keeps $in (the path only FerretDB takes).
      expect(await eventually(async () => (await deletes.strategy(name, 27)) === want)).toBe(true);
      const ids = [...Array.from({ length: 25 }, (_, i) => `d${i * 2}`), 'missing-1', 'missing-2'];
      await deletes.delete(coll, ids);
      const left = (await coll.find({}).toArray()).map((d) => d._id).sort();
      const expected = Array.from({ length: 60 }, (_, i) => i)
        .filter((i) => !(i % 2 === 0 && i < 50))
        .map((i) => `d${i}`)
        .sort();
      expect(left).toEqual(expected);
    }
  });

  it('keeps $in for a small collection, and looks again once the recheck time passed', async () => {
    let now = 0;
    await filled('growing', 5);
    // With these costs, 10 ids go one by one from 52 documents on.
    const costs = { inPerDoc: 0.0214, inPerDocId: 0.0000186, eachPerId: 0.11 };
    const deletes = new IdDeletes(db, { costs, recheckMs: 1000, now: () => now });
    expect(await deletes.strategy('growing', 10)).toBe('in');
    await db.collection<ReadModelDoc>('growing').insertMany(Array.from({ length: 60 }, (_, i) => doc(i + 5)));
    expect(await deletes.strategy('growing', 10)).toBe('in'); // trusted until the recheck
    const want = ferret ? 'each' : 'in';
    const later = async () => {
      now += 1001;
      return (await deletes.strategy('growing', 10)) === want;
    };
    expect(await eventually(later)).toBe(true);
  });

  it('looks again soon at a collection whose lookups by _id did not use an index yet', async (ctx) => {
    if (!ferret) ctx.skip(); // MongoDB explains its _id lookups otherwise: always $in there
    let now = 0;
    // Made just now: ferretdb-asp has most likely not rebuilt its _id index yet (within ~1 s).
    await filled('just_made', 600);
    const costs = { inPerDoc: 0.0214, inPerDocId: 0.0000186, eachPerId: 0.11 };
    // Size and index use trusted for an hour: only the short look-again at "no index" helps.
    const deletes = new IdDeletes(db, {
      costs,
      recheckMs: 3_600_000,
      unindexedRecheckMs: 1000,
      now: () => now,
    });
    const later = async () => {
      now += 1001;
      return (await deletes.strategy('just_made', 10)) === 'each';
    };
    expect(await eventually(later)).toBe(true);
  });
});
