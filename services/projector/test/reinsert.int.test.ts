import { stateHash, type Versioned } from '@asp/domain';
import { testEnv, testMongo } from '@asp/testing';
import { Collection, type Db, type MongoClient, MongoNetworkError } from 'mongodb';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Applier } from '../src/apply/applier.ts';
import { DocCache } from '../src/apply/cache.ts';
import { Intents } from '../src/apply/intents.ts';
import { META_COLLECTION } from '../src/readmodels/collections.ts';
import { readModels } from './support/harness.ts';
import { type RecordSource, seededSource } from './support/source.ts';

// FerretDB's write path (inserts, and delete-then-insert steps behind a redo log), run on
// whichever server the tests have: it is forced with guard 'id-only'.

const env = testEnv('rw');
let mongo: MongoClient;

beforeAll(async () => {
  mongo = await testMongo(env);
});

afterAll(async () => {
  await mongo?.close();
});

afterEach(() => {
  vi.restoreAllMocks();
});

const PARTITION = 'prw';

function applier(db: Db, src: RecordSource, epoch = 0): Applier {
  return new Applier({
    db,
    engine: src.engine,
    cache: new DocCache(10_000),
    guard: 'id-only',
    intents: new Intents(db, PARTITION, epoch),
  });
}

class Crash extends Error {}

/**
 * Kills the "process" at its `at`-th write (1-based): that write and every
 * later one do not happen, or for an insertMany only its first half does
 * (FerretDB commits 100 documents at a time). Counts the writes tried.
 */
function crashAt(at: number, partialInsert: boolean): { seen: () => number } {
  let n = 0;
  const methods = ['insertMany', 'insertOne', 'deleteMany', 'deleteOne', 'bulkWrite'] as const;
  for (const m of methods) {
    const original = Collection.prototype[m] as (...args: unknown[]) => Promise<unknown>;
    vi.spyOn(Collection.prototype, m).mockImplementation(async function (
      this: Collection,
      ...args: unknown[]
    ) {
      n += 1;
      // A dead process writes nothing more, whatever the code that caught the error tries next.
      if (n > at) throw new Crash('dead');
      if (n === at) {
        if (m === 'insertMany' && partialInsert) {
          const docs = args[0] as unknown[];
          await original.call(this, docs.slice(0, Math.ceil(docs.length / 2)), { ordered: false });
        }
        throw new Crash(`crash at write ${at} (${m})`);
      }
      return original.apply(this, args);
    } as never);
  }
  return { seen: () => n };
}

function versions(models: Map<string, Versioned>): Map<string, number> {
  return new Map([...models].map(([k, v]) => [k, v.version]));
}

describe("FerretDB's write path, crashed at every write", () => {
  it('converges after a crash at any write of a batch, and no document ever goes back a version', async () => {
    const { src } = seededSource(PARTITION, 11, 8, 25);
    const applied = src.records.slice(0, 3); // up to the checkpoint
    const crashing = src.records.slice(3, 6); // the batch in hand when the process dies
    let crashes = 0;
    for (const partial of [false, true]) {
      for (let at = 1; ; at++) {
        const db = mongo.db(`${env.prefix}${partial ? 'p' : 'c'}${at}`);
        await applier(db, src).apply(applied);
        const before = versions(await readModels(db, src.engine));
        const probe = crashAt(at, partial);
        const crashed = await applier(db, src)
          .apply(crashing)
          .then(() => false)
          .catch((err: unknown) => {
            if (!(err instanceof Crash)) throw err;
            return true;
          });
        const writes = probe.seen();
        vi.restoreAllMocks();
        if (!crashed) {
          expect(writes).toBeGreaterThan(5);
          break;
        }
        crashes++;
        // The restart: the interrupted step is redone, then everything after the checkpoint replayed.
        await new Intents(db, PARTITION, 0).redo(db);
        const afterRedo = versions(await readModels(db, src.engine));
        for (const [key, version] of before) {
          expect(afterRedo.get(key) ?? -1, `${key} after a crash at write ${at}`).toBeGreaterThanOrEqual(
            version,
          );
        }
        await applier(db, src).apply(src.records.slice(3));
        const models = await readModels(db, src.engine);
        expect(stateHash(models.entries()), `crash at write ${at}, partial ${partial}`).toBe(
          stateHash(src.state.entries()),
        );
        expect(
          await db.collection(META_COLLECTION).countDocuments({ _id: `intent:${PARTITION}` as never }),
        ).toBe(0);
        await db.dropDatabase();
      }
    }
    expect(crashes).toBeGreaterThan(10);
  });
});

describe("FerretDB's write path, failed once at every write", () => {
  it('retries the batch in the same session: the half-done step is finished first, no version gap', async () => {
    const { src } = seededSource(PARTITION, 12, 4, 25);
    let failures = 0;
    for (let at = 1; ; at++) {
      const db = mongo.db(`${env.prefix}f${at}`);
      const a = applier(db, src);
      await a.apply(src.records.slice(0, 2));
      let n = 0;
      for (const m of ['insertMany', 'insertOne', 'deleteMany', 'deleteOne'] as const) {
        const original = Collection.prototype[m] as (...args: unknown[]) => Promise<unknown>;
        vi.spyOn(Collection.prototype, m).mockImplementation(async function (
          this: Collection,
          ...args: unknown[]
        ) {
          // FerretDB restarting: this write fails as the network does, the next ones go through.
          if (++n === at) throw new MongoNetworkError(`connection lost at write ${at}`);
          return original.apply(this, args);
        } as never);
      }
      const failed = await a
        .apply(src.records.slice(2))
        .then(() => false)
        .catch((err: unknown) => {
          if (!(err instanceof MongoNetworkError)) throw err;
          return true;
        });
      if (!failed) break;
      failures++;
      // What the batch's retry loop does: the same records again, on the same applier.
      await a.apply(src.records.slice(2));
      vi.restoreAllMocks();
      expect(stateHash((await readModels(db, src.engine)).entries()), `failure at write ${at}`).toBe(
        stateHash(src.state.entries()),
      );
      await db.dropDatabase();
    }
    expect(failures).toBeGreaterThan(5);
  });
});

describe('the redo log', () => {
  const doc = (id: string, version: number) => ({
    _id: id,
    value: version,
    max: null,
    version,
    seq: version,
    partition: PARTITION,
    updatedAt: new Date(version),
  });

  it('redoes a step of several collections from its blob', async () => {
    const db = mongo.db(`${env.prefix}b`);
    await db.collection<{ _id: string }>('counters').insertMany([doc('a', 1), doc('b', 1)]);
    const sku = (version: number, onHand: number) => {
      const { value: _, max: __, ...meta } = doc('s', version);
      return { ...meta, onHand, reserved: 0 };
    };
    await db.collection<{ _id: string }>('skus').insertOne(sku(3, 1));
    const intents = new Intents(db, PARTITION, 0);
    await intents.beginStep([
      { collection: 'counters', deleteIds: ['a', 'b'], docs: [doc('a', 2), doc('b', 2)] },
      { collection: 'skus', deleteIds: ['s'], docs: [sku(4, 2)] },
    ]);
    await db.collection<{ _id: string }>('counters').deleteMany({ _id: { $in: ['a', 'b'] } }); // and the process dies
    expect(await new Intents(db, PARTITION, 0).redo(db)).toBe(true);
    expect(await db.collection<{ _id: string }>('counters').find({}).sort({ _id: 1 }).toArray()).toEqual([
      doc('a', 2),
      doc('b', 2),
    ]);
    expect(await db.collection<{ _id: string }>('skus').findOne({ _id: 's' })).toEqual(sku(4, 2));
  });

  it('still redoes an entry of the earlier shape (one collection, its documents as fields)', async () => {
    const db = mongo.db(`${env.prefix}o`);
    await db.collection(META_COLLECTION).insertOne({
      _id: `intent:${PARTITION}` as never,
      epoch: 0,
      collection: 'counters',
      deleteIds: ['k'],
      docs: [doc('k', 5)],
    });
    expect(await new Intents(db, PARTITION, 0).redo(db)).toBe(true);
    expect(await db.collection<{ _id: string }>('counters').findOne({ _id: 'k' })).toEqual(doc('k', 5));
  });

  it('finishes a step a failed attempt left half done before the batch is tried again', async () => {
    const db = mongo.db(`${env.prefix}r`);
    await db.collection<{ _id: string }>('counters').insertOne(doc('k', 1));
    const intents = new Intents(db, PARTITION, 0);
    await intents.resume(db); // nothing begun: nothing to do
    expect(await db.collection<{ _id: string }>('counters').findOne({ _id: 'k' })).toEqual(doc('k', 1));
    await intents.beginStep([{ collection: 'counters', deleteIds: ['k'], docs: [doc('k', 2)] }]);
    await db.collection<{ _id: string }>('counters').deleteMany({ _id: { $in: ['k'] } }); // then FerretDB went away
    await intents.resume(db);
    expect(await db.collection<{ _id: string }>('counters').findOne({ _id: 'k' })).toEqual(doc('k', 2));
    expect(await db.collection(META_COLLECTION).countDocuments({})).toBe(0);
  });

  it('refuses to begin a step over one nobody finished (a second writer?), and keeps it', async () => {
    const db = mongo.db(`${env.prefix}d`);
    await new Intents(db, PARTITION, 0).beginStep([
      { collection: 'counters', deleteIds: [], docs: [doc('k', 7)] },
    ]);
    await expect(
      new Intents(db, PARTITION, 0).beginStep([
        { collection: 'counters', deleteIds: [], docs: [doc('k', 1)] },
      ]),
    ).rejects.toMatchObject({ code: 'ASP_ERR_PROJECTOR_CONFLICT' });
    await new Intents(db, PARTITION, 0).redo(db);
    expect(await db.collection<{ _id: string }>('counters').findOne({ _id: 'k' })).toMatchObject({
      version: 7,
    });
  });
});
