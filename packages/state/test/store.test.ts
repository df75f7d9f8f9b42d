import { ClassicLevel } from 'classic-level';
import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { FORMAT_VERSION, StateStore } from '../src/index.ts';
import { batchOf, collect, openStore, rejection, tempDir } from './helpers.ts';

const packr = new Packr({ useRecords: false });

/** Writes raw entries into a closed store's directory, as damage or an older build would. */
async function writeRaw(dir: string, entries: [string, Uint8Array][]): Promise<void> {
  const db = new ClassicLevel<string, Uint8Array>(dir, { keyEncoding: 'utf8', valueEncoding: 'view' });
  await db.batch(entries.map(([key, value]) => ({ type: 'put' as const, key, value })));
  await db.close();
}

/** Reads raw values from a closed store's directory. */
async function readRaw(dir: string, keys: string[]): Promise<(Uint8Array | undefined)[]> {
  const db = new ClassicLevel<string, Uint8Array>(dir, { keyEncoding: 'utf8', valueEncoding: 'view' });
  try {
    return await db.getMany(keys);
  } finally {
    await db.close();
  }
}

describe('open and close', () => {
  it('starts a new store at seq 0 and keeps appliedSeq and publishedSeq across reopen', async () => {
    const dir = tempDir();
    const store = await openStore(dir);
    expect(store.appliedSeq).toBe(0);
    expect(store.publishedSeq).toBe(0);
    await store.applyBatch(batchOf(1, ['org/a']));
    await store.applyBatch(batchOf(2, ['org/b']));
    await store.setPublishedSeq(1);
    await store.close();
    await store.close();

    const again = await openStore(dir);
    expect(again.appliedSeq).toBe(2);
    expect(again.publishedSeq).toBe(1);
    expect(await again.getAggregates(['org/a', 'org/b'])).toEqual([
      { version: 1, state: { key: 'org/a', seq: 1 } },
      { version: 2, state: { key: 'org/b', seq: 2 } },
    ]);
    await again.applyBatch(batchOf(3, ['org/a']));
    expect(again.appliedSeq).toBe(3);
  });

  it('refuses a second open of the same directory with a coded error naming the lock', async () => {
    const dir = tempDir();
    await openStore(dir);
    const err = await rejection(StateStore.open(dir));
    expect(err.code).toBe('ASP_ERR_STATE_OPEN');
    expect(err.message).toMatch(/is locked: another process/);
  });

  it('refuses a store of an unknown format version', async () => {
    const dir = tempDir();
    await (await openStore(dir)).close();
    await writeRaw(dir, [['m:format', packr.pack(FORMAT_VERSION + 1)]]);
    const err = await rejection(StateStore.open(dir));
    expect(err.code).toBe('ASP_ERR_STATE_FORMAT');
    expect(err.message).toMatch(/format version 3; this build reads versions 1 and 2/);
    // The failed open released LevelDB's lock.
    await writeRaw(dir, [['m:format', packr.pack(FORMAT_VERSION)]]);
    expect((await openStore(dir)).appliedSeq).toBe(0);
  });

  it('stores a result without its id, an accepted one as its seq alone', async () => {
    const dir = tempDir();
    const store = await openStore(dir);
    const rejected = {
      id: 'r-1',
      status: 'rejected',
      code: 'ASP_REJ_INVARIANT',
      message: 'too many seats',
      invariant: 'seats.withinLicense',
      cause: 'r-0',
    } as const;
    await store.applyBatch({
      seq: 1,
      aggregates: new Map(),
      results: [{ id: 'a-1', status: 'accepted', seq: 1 }, rejected],
    });
    await store.close();
    const raw = await readRaw(dir, ['r:a-1', 'r:r-1', 'm:format']);
    expect(packr.unpack(raw[0]!)).toBe(1);
    const { id: _id, ...rest } = rejected;
    expect(packr.unpack(raw[1]!)).toEqual(rest);
    expect(packr.unpack(raw[2]!)).toBe(FORMAT_VERSION);
    // Read back from LevelDB (a reopened store has nothing cached), each with its id.
    const again = await openStore(dir);
    expect(await again.getResults(['a-1', 'r-1'])).toEqual([
      { id: 'a-1', status: 'accepted', seq: 1 },
      rejected,
    ]);
  });

  it('opens a format 1 store, reads its results and marks it format 2 before writing', async () => {
    const dir = tempDir();
    await (await openStore(dir)).close();
    // What a format 1 build wrote: the format, and each result whole, its id included.
    const old = { id: 'old', status: 'rejected', code: 'ASP_REJ_SCHEMA', message: 'bad' } as const;
    await writeRaw(dir, [
      ['m:format', packr.pack(1)],
      ['r:old', packr.pack(old)],
      ['r:older', packr.pack({ id: 'older', status: 'accepted', seq: 7 })],
    ]);
    const store = await openStore(dir);
    expect(await store.getResults(['old', 'older'])).toEqual([
      old,
      { id: 'older', status: 'accepted', seq: 7 },
    ]);
    await store.applyBatch({
      seq: 1,
      aggregates: new Map(),
      results: [{ id: 'new', status: 'accepted', seq: 1 }],
    });
    await store.close();
    // A format 1 build now refuses the store instead of misreading `r:new`.
    const [format, fresh] = await readRaw(dir, ['m:format', 'r:new']);
    expect(packr.unpack(format!)).toBe(2);
    expect(packr.unpack(fresh!)).toBe(1);
    const again = await openStore(dir);
    expect(await again.getResults(['old', 'new'])).toEqual([old, { id: 'new', status: 'accepted', seq: 1 }]);
  });

  it('reports a result value of neither format as corruption', async () => {
    const dir = tempDir();
    await (await openStore(dir)).close();
    await writeRaw(dir, [
      ['r:zero', packr.pack(0)],
      ['r:shape', packr.pack({ nope: 1 })],
      ['r:badid', packr.pack({ id: 7, status: 'accepted', seq: 1 })],
    ]);
    const store = await openStore(dir);
    for (const id of ['zero', 'shape', 'badid']) {
      const err = await rejection(store.getResults([id]));
      expect(err.code).toBe('ASP_ERR_STATE_CORRUPT');
      expect(err.message).toContain(`r:${id}`);
    }
  });

  it('refuses LevelDB data that is not a state store', async () => {
    const dir = tempDir();
    await writeRaw(dir, [['something', new Uint8Array([1])]]);
    expect((await rejection(StateStore.open(dir))).code).toBe('ASP_ERR_STATE_FORMAT');
  });

  it('validates options at open', async () => {
    const dir = tempDir();
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      const err = await rejection(StateStore.open(dir, { aggregateCacheEntriesMax: bad }));
      expect(err.code).toBe('ASP_ERR_STATE_OPTIONS');
      expect(err.message).toMatch(/aggregateCacheEntriesMax must be a positive integer/);
    }
    expect((await rejection(StateStore.open(dir, { resultsRetainMax: 0 }))).code).toBe(
      'ASP_ERR_STATE_OPTIONS',
    );
    expect((await rejection(StateStore.open(dir, { openFilesMax: 0 }))).message).toMatch(
      /openFilesMax must be a positive integer/,
    );
  });

  it('reports an undecodable value as corruption, with its key', async () => {
    const dir = tempDir();
    await (await openStore(dir)).close();
    await writeRaw(dir, [
      ['a:org/bad', new Uint8Array([0xc1])],
      ['a:org/shape', packr.pack({ nope: 1 })],
    ]);
    const store = await openStore(dir);
    for (const key of ['org/bad', 'org/shape']) {
      const err = await rejection(store.getAggregates([key]));
      expect(err.code).toBe('ASP_ERR_STATE_CORRUPT');
      expect(err.message).toContain(key);
    }
  });

  it('asserts on use after close (a programmer error)', async () => {
    const store = await openStore(tempDir());
    await store.close();
    await expect(store.getAggregates(['org/a'])).rejects.toThrow(/closed/);
    await expect(collect(store.iterateAggregates())).rejects.toThrow(/closed/);
  });
});
