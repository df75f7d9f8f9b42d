import { testEnv, testMongo } from '@asp/testing';
import { type Db, type MongoClient, ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ID_CHUNK, IdDeletes } from '../src/apply/deletes.ts';
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

/** Polls until `f` holds (the projector looks a collection's index use up again after a while). */
async function eventually(f: () => Promise<boolean>, ms = 10_000): Promise<boolean> {
  const until = Date.now() + ms;
  for (;;) {
    if (await f()) return true;
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('ferretdb-asp and lookups by _id', () => {
  it('keeps each document’s _id in an indexed column from the collection’s creation, unique', async (ctx) => {
    if (!ferret) ctx.skip(); // MongoDB finds documents by _id through its index anyway
    const coll = await filled('id_column', 10);
    const explain = JSON.stringify(
      await db.command({ explain: { find: 'id_column', filter: { _id: 'd3' } } }),
    );
    // At once, not after a rebuild: the table is created with the column and its index.
    expect(explain).toMatch(/USING (COVERING )?INDEX \S+ \(_ferretdb_id=\?\)/);
    await expect(coll.insertOne(doc(3))).rejects.toMatchObject({ code: 11000 });
    expect((await coll.listIndexes().toArray()).map((i) => i.name)).toEqual(['_id_']);
    expect(await coll.findOne({ _id: 'd3' })).toMatchObject({ n: 3 });
    // Replaced in place by an update: the column follows the document.
    await coll.replaceOne({ _id: 'd4' }, { ...doc(4), n: 44 });
    expect(await coll.findOne({ _id: 'd4' })).toMatchObject({ n: 44 });
    expect(await coll.countDocuments()).toBe(10);
  });
  it('finds a $in of ids by the index too (its patch), and exactly the documents listed', async (ctx) => {
    if (!ferret) ctx.skip();
    const coll = await filled('in_pushed', 50);
    await coll.insertMany([
      { _id: new ObjectId('64b000000000000000000001') },
      { _id: 7 },
    ] as unknown as ReadModelDoc[]);
    const plan = async (filter: object) =>
      JSON.stringify(await db.command({ explain: { find: 'in_pushed', filter } }));
    const byIndex = async () => {
      // A real lookup first: SQLite explains with the schema its connection last loaded.
      await coll.findOne({ _id: 'd0' });
      return /USING (COVERING )?INDEX/.test(await plan({ _id: { $in: ['d1', 'd2'] } }));
    };
    expect(await eventually(byIndex)).toBe(true);
    const ids = async (filter: object) =>
      (await coll.find(filter).toArray()).map((d) => String(d._id)).sort();
    expect(await ids({ _id: { $in: ['d3', 'd1', 'missing', 'd3'] } })).toEqual(['d1', 'd3']);
    expect(await ids({ _id: { $in: [new ObjectId('64b000000000000000000001'), 'd2'] } })).toEqual([
      '64b000000000000000000001',
      'd2',
    ]);
    // Lists it does not push down (a number, a regex, too long) scan as before, with the same answers.
    expect(await ids({ _id: { $in: [7, 'd4'] } })).toEqual(['7', 'd4']);
    expect(await plan({ _id: { $in: [7, 'd4'] } })).not.toMatch(/USING (COVERING )?INDEX/);
    expect(await ids({ _id: { $in: [/^d4$/, 'd5'] } })).toEqual(['d4', 'd5']);
    const many = Array.from({ length: 1001 }, (_, i) => `d${i}`);
    expect(await ids({ _id: { $in: many } })).toHaveLength(50);
    expect(await plan({ _id: { $in: many } })).not.toMatch(/USING (COVERING )?INDEX/);
    expect(await ids({ _id: { $in: many.slice(0, 1000) } })).toHaveLength(50);
  });

  // ferretdb-asp's delete-by-id-in patch takes these deletes straight to the ids; the answers
  // must be MongoDB's: the count of documents that existed, and exactly those gone.
  it('deletes by a $in of ids exactly the documents listed, and counts them', async () => {
    const coll = await filled('in_deleted', 20);
    const oid = new ObjectId('64b000000000000000000002');
    await coll.insertMany([{ _id: oid }, { _id: 7 }] as unknown as ReadModelDoc[]);
    const left = async () => (await coll.find({}).toArray()).map((d) => String(d._id)).sort();
    const del = async (filter: object) => (await coll.deleteMany(filter)).deletedCount;
    expect(await del({ _id: { $in: ['d3', 'd1', 'missing', 'd3'] } })).toBe(2);
    expect(await del({ _id: { $in: [oid, 'd2', 'd2'] } })).toBe(2);
    expect(await del({ _id: { $in: ['missing'] } })).toBe(0);
    // A number in the list, or an extra condition: not taken straight to the ids, same answers.
    expect(await del({ _id: { $in: [7, 'd4'] } })).toBe(2);
    expect(await del({ _id: { $in: ['d5', 'd6'] }, n: 6 })).toBe(1);
    // A delete of one (limit 1) removes one of the listed documents only.
    expect((await coll.deleteOne({ _id: { $in: ['d8', 'd9'] } })).deletedCount).toBe(1);
    const rest = await left();
    expect(rest.filter((id) => id === 'd8' || id === 'd9')).toHaveLength(1);
    const gone = ['d1', 'd2', 'd3', 'd4', 'd6', '64b000000000000000000002', '7'];
    const kept = Array.from({ length: 20 }, (_, i) => `d${i}`).filter((id) => !gone.includes(id));
    expect(rest.filter((id) => id !== 'd8' && id !== 'd9')).toEqual(
      kept.filter((id) => id !== 'd8' && id !== 'd9').sort(),
    );
  });
});

describe('IdDeletes', () => {
  it('deletes in $in chunks across chunk boundaries', async () => {
    const n = ID_CHUNK * 2 + 50;
    const coll = await filled('chunked', n);
    const deletes = new IdDeletes(db, { recheckMs: 0 });
    const want = ferret ? 'chunks' : 'in';
    expect(await eventually(async () => (await deletes.strategy('chunked', n)) === want)).toBe(true);
    // Every id but d5, and two that do not exist.
    const ids = [...Array.from({ length: n }, (_, i) => `d${i}`).filter((id) => id !== 'd5'), 'x1', 'x2'];
    await deletes.delete(coll, ids);
    expect((await coll.find({}).toArray()).map((d) => d._id)).toEqual(['d5']);
  });

  it('deletes exactly the ids asked for, one $in, one statement per id or $in chunks', async () => {
    for (const [name, force] of [
      ['by_in', 'in'],
      ['by_each', 'each'],
      ['by_chunks', undefined],
    ] as const) {
      const coll = await filled(name, 60);
      const deletes = new IdDeletes(db, { force, recheckMs: 0 });
      const want = name === 'by_in' || !ferret ? 'in' : name === 'by_each' ? 'each' : 'chunks';
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
    // The cost model: as without ferretdb-asp's patch, which finds a `$in` by the index too.
    const deletes = new IdDeletes(db, { costs, recheckMs: 1000, inByIndex: false, now: () => now });
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
      return (await deletes.strategy('just_made', 10)) === 'chunks';
    };
    expect(await eventually(later)).toBe(true);
  });
});
