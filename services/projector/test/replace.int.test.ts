import { testEnv, testMongo } from '@asp/testing';
import { type AnyBulkWriteOperation, type Db, Double, type MongoClient, ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKED_STATEMENTS_MIN, writeGuardOf } from '../src/readmodels/server.ts';

// The update commands the `checked` write path sends (many replaceOne by `{ _id, version }`),
// against whichever server the tests have: ferretdb-asp writes them at once
// (infra/ferretdb/patches/update-replace-by-ids.patch), MongoDB as it always does. The answers
// must be MongoDB's either way, including for the statements the patch hands back to
// FerretDB's own path (absent, stale, unchanged, array-valued, duplicated).

const env = testEnv('rpl');
let mongo: MongoClient;
let db: Db;

beforeAll(async () => {
  mongo = await testMongo(env);
  db = mongo.db(`${env.prefix}r`);
});

afterAll(async () => {
  await db?.dropDatabase();
  await mongo?.close();
});

type Doc = { _id: string | ObjectId; version: unknown; [k: string]: unknown };
const replace = (_id: Doc['_id'], filter: object, replacement: object): AnyBulkWriteOperation<Doc> => ({
  replaceOne: { filter: { _id, ...filter }, replacement: replacement as Doc },
});

describe('update commands of replacements by _id', () => {
  it('says, on ferretdb-asp, how many replacements one command may carry', async () => {
    const info = await db.admin().command({ buildInfo: 1 });
    if (typeof info.ferretdbVersion !== 'string') return;
    expect(info.ferretdbFeatures.aspReplaceByIds).toBeGreaterThanOrEqual(CHECKED_STATEMENTS_MIN);
    expect(await writeGuardOf(db)).toBe('checked');
  });

  it('replaces every document whose version matches, in commands of 1,000', async () => {
    const coll = db.collection<Doc>('many');
    const n = 2500;
    await coll.insertMany(Array.from({ length: n }, (_, i) => ({ _id: `d${i}`, version: 1, n: i })));
    const ops = Array.from({ length: n }, (_, i) => replace(`d${i}`, { version: 1 }, { version: 2, n: -i }));
    const r = await coll.bulkWrite(ops, { ordered: false });
    expect([r.matchedCount, r.modifiedCount]).toEqual([n, n]);
    const back = await coll.find({}).sort({ n: -1 }).toArray();
    expect(back).toHaveLength(n);
    expect(back[7]).toEqual({ _id: 'd7', version: 2, n: -7 });
    expect(Object.keys(back[7]!)).toEqual(['_id', 'version', 'n']);
    expect(back.every((d) => d.version === 2 && d.n === -Number(String(d._id).slice(1)))).toBe(true);
  });

  it('answers as MongoDB for stale, absent, unchanged, array-valued and differently typed documents', async () => {
    const coll = db.collection<Doc>('mixed');
    const oid = new ObjectId();
    await coll.insertMany([
      { _id: 'fresh', version: 3, p: 'p0', on: true },
      { _id: 'stale', version: 5 },
      { _id: 'same', version: 1, v: 'x' },
      { _id: 'arr', version: [1, 2] },
      { _id: 'dbl', version: new Double(2) },
      { _id: 'str', version: '4' },
      { _id: 'sub', version: { a: 1 } },
      { _id: oid, version: 7 },
    ]);
    const r = await coll.bulkWrite(
      [
        replace('fresh', { version: 3, p: 'p0', on: true }, { version: 4, p: 'p0' }),
        replace('stale', { version: 4 }, { version: 5, lost: true }),
        replace('absent', { version: 1 }, { version: 2 }),
        replace('same', { version: 1 }, { version: 1, v: 'x' }),
        replace('arr', { version: 2 }, { version: 3 }),
        replace('dbl', { version: 2 }, { version: 3 }),
        replace('str', { version: 4 }, { version: 5 }),
        replace('sub', { version: 1 }, { version: 2 }),
        replace(oid, { version: 7 }, { _id: oid, version: 8 }),
      ],
      { ordered: false },
    );
    // fresh, same (unchanged), arr (an array holding 2 matches 2), dbl (2.0 equals 2), oid.
    // FerretDB counts an unchanged replacement as modified, MongoDB does not.
    const ferret = typeof (await db.admin().command({ buildInfo: 1 })).ferretdbVersion === 'string';
    expect([r.matchedCount, r.modifiedCount, r.upsertedCount]).toEqual([5, ferret ? 5 : 4, 0]);
    const byId = new Map((await coll.find({}).toArray()).map((d) => [String(d._id), d]));
    expect(byId.get('fresh')).toEqual({ _id: 'fresh', version: 4, p: 'p0' });
    expect(byId.get('stale')).toEqual({ _id: 'stale', version: 5 });
    expect(byId.has('absent')).toBe(false);
    expect(byId.get('same')).toEqual({ _id: 'same', version: 1, v: 'x' });
    expect(byId.get('arr')).toEqual({ _id: 'arr', version: 3 });
    expect(byId.get('dbl')).toEqual({ _id: 'dbl', version: 3 });
    expect(byId.get('str')).toEqual({ _id: 'str', version: '4' });
    expect(byId.get('sub')).toEqual({ _id: 'sub', version: { a: 1 } });
    expect(byId.get(String(oid))).toEqual({ _id: oid, version: 8 });
  });

  it('applies two replacements of one document in order', async () => {
    const coll = db.collection<Doc>('twice');
    await coll.insertOne({ _id: 't', version: 1 });
    const r = await coll.bulkWrite(
      [replace('t', { version: 1 }, { version: 2 }), replace('t', { version: 2 }, { version: 3 })],
      { ordered: true },
    );
    expect(r.matchedCount).toBe(2);
    expect(await coll.findOne({ _id: 't' })).toEqual({ _id: 't', version: 3 });
  });

  it('refuses a replacement that changes _id, after the statements before it, as MongoDB does', async () => {
    const coll = db.collection<Doc>('immutable');
    await coll.insertMany([
      { _id: 'a', version: 1 },
      { _id: 'b', version: 1 },
    ]);
    const err = await coll
      .bulkWrite(
        [
          replace('b', { version: 1 }, { version: 2 }),
          replace('a', { version: 1 }, { _id: 'z', version: 2 }),
        ],
        { ordered: true },
      )
      .catch((e: unknown) => e);
    expect(String(err)).toMatch(/_id/);
    expect(await coll.find({}).sort({ _id: 1 }).toArray()).toEqual([
      { _id: 'a', version: 1 },
      { _id: 'b', version: 2 },
    ]);
  });

  it('runs a command of 300 update statements of the other kinds without stalling other clients', async () => {
    const coll = db.collection<{ _id: string; version: number }>('ops');
    await coll.insertMany(Array.from({ length: 300 }, (_, i) => ({ _id: `o${i}`, version: 1 })));
    const ops = Array.from({ length: 300 }, (_, i) => ({
      updateOne: { filter: { _id: `o${i}` }, update: { $inc: { version: 1 } } },
    }));
    const [r, other] = await Promise.all([
      coll.bulkWrite(ops, { ordered: false }),
      db.collection<Doc>('other').insertOne({ _id: 'x', version: 1 }),
    ]);
    expect(r.modifiedCount).toBe(300);
    expect(other.acknowledged).toBe(true);
    expect(await coll.countDocuments({ version: 2 })).toBe(300);
  }, 60_000);
});
