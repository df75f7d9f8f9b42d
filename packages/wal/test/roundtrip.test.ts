import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Wal } from '../src/index.ts';
import { collect, expectPayloads, payload, rejection, segmentFiles, tempDir } from './helpers.ts';

describe('append and read', () => {
  it('round-trips across many segments, reopens and continues with contiguous seqs', async () => {
    const dir = tempDir();
    const written: Uint8Array[] = [];
    let wal = await Wal.open(dir, { segmentBytesMax: 300 });
    for (let i = 0; i < 40; i++) {
      const batch = Array.from({ length: 1 + (i % 3) }, (_, j) =>
        payload(written.length + j, (i * 37 + j * 11) % 150),
      );
      const result = await wal.append(batch);
      expect(result).toEqual({ firstSeq: written.length + 1, lastSeq: written.length + batch.length });
      written.push(...batch);
    }
    expect(segmentFiles(dir).length).toBeGreaterThan(10);
    expectPayloads(await collect(wal.read(1)), written);
    await wal.close();

    wal = await Wal.open(dir, { segmentBytesMax: 300 });
    expect(wal.lastSeq).toBe(written.length);
    expectPayloads(await collect(wal.read(1)), written);
    expect(await wal.append([payload(999, 10)])).toEqual({
      firstSeq: written.length + 1,
      lastSeq: written.length + 1,
    });
    written.push(payload(999, 10));
    for (const from of [1, 2, 17, 50, written.length]) {
      expectPayloads(await collect(wal.read(from)), written.slice(from - 1), from);
    }
    expect(await collect(wal.read(written.length + 1))).toEqual([]);
    expect((await rejection(collect(wal.read(written.length + 2)))).code).toBe('ASP_ERR_WAL_RANGE');
    await wal.close();
  });

  it('puts a record larger than segmentBytesMax in a segment of its own', async () => {
    const dir = tempDir();
    const wal = await Wal.open(dir, { segmentBytesMax: 100 });
    await wal.append([payload(1, 10)]);
    await wal.append([payload(2, 500)]);
    await wal.append([payload(3, 10)]);
    expect(segmentFiles(dir)).toHaveLength(3);
    expectPayloads(await collect(wal.read(1)), [payload(1, 10), payload(2, 500), payload(3, 10)]);
    await wal.close();
  });

  it('queues concurrent appends in call order and bounds the queue', async () => {
    const wal = await Wal.open(tempDir(), { appendQueueMax: 8 });
    const results = await Promise.all(Array.from({ length: 9 }, (_, i) => wal.append([payload(i, 20)])));
    expect(results.map((r) => r.firstSeq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const flood = Array.from({ length: 12 }, (_, i) => wal.append([payload(i, 20)]));
    const settled = await Promise.allSettled(flood);
    const busy = settled.filter((s) => s.status === 'rejected');
    expect(busy.length).toBe(3);
    expect(busy.every((s) => (s.reason as { code: string }).code === 'ASP_ERR_WAL_BUSY')).toBe(true);
    expect(wal.lastSeq).toBe(18);
    await wal.close();
  });

  it('reads up to the lastSeq of the read() call while appends continue', async () => {
    const wal = await Wal.open(tempDir(), { segmentBytesMax: 200, readChunkBytes: 4096 });
    for (let i = 1; i <= 10; i++) await wal.append([payload(i, 50)]);
    const seen: number[] = [];
    for await (const record of wal.read(3)) {
      seen.push(record.seq);
      await wal.append([payload(100 + record.seq, 50)]);
    }
    expect(seen).toEqual([3, 4, 5, 6, 7, 8, 9, 10]);
    expect(wal.lastSeq).toBe(18);
    await wal.close();
  });

  it('reads records larger than a read chunk and skips across chunks', async () => {
    const wal = await Wal.open(tempDir(), { readChunkBytes: 4096 });
    const written = Array.from({ length: 8 }, (_, i) => payload(i + 1, 1000 + i * 1500));
    await wal.append(written);
    expectPayloads(await collect(wal.read(1)), written);
    expectPayloads(await collect(wal.read(6)), written.slice(5), 6);
    await wal.close();
  });

  it('rejects a payload over recordBytesMax and stays usable', async () => {
    const wal = await Wal.open(tempDir(), { recordBytesMax: 100 });
    await wal.append([payload(1, 100)]);
    const err = await rejection(wal.append([payload(2, 10), payload(3, 101)]));
    expect(err.code).toBe('ASP_ERR_WAL_RECORD_TOO_LARGE');
    expect(wal.lastSeq).toBe(1);
    expect(await wal.append([payload(4, 1)])).toEqual({ firstSeq: 2, lastSeq: 2 });
    await wal.close();
  });

  it('validates options at open and refuses calls after close', async () => {
    const dir = tempDir();
    expect((await rejection(Wal.open(dir, { segmentBytesMax: 0 }))).code).toBe('ASP_ERR_WAL_OPTIONS');
    expect((await rejection(Wal.open(dir, { recordBytesMax: 2 ** 31 }))).code).toBe('ASP_ERR_WAL_OPTIONS');
    expect((await rejection(Wal.open(dir, { readChunkBytes: 1.5 }))).code).toBe('ASP_ERR_WAL_OPTIONS');
    const wal = await Wal.open(dir);
    await wal.append([payload(1, 1)]);
    await wal.close();
    expect((await rejection(wal.append([payload(2, 1)]))).code).toBe('ASP_ERR_WAL_CLOSED');
    expect((await rejection(collect(wal.read(1)))).code).toBe('ASP_ERR_WAL_CLOSED');
  });

  it('counts appends and fsyncs in stats', async () => {
    const wal = await Wal.open(tempDir());
    await wal.append([payload(1, 10), payload(2, 10)]);
    await wal.append([payload(3, 10)]);
    const stats = wal.stats();
    expect(stats).toMatchObject({ segments: 1, firstSeq: 1, lastSeq: 3, appends: 2, records: 3, fsyncs: 2 });
    expect(stats.bytes).toBe(24 + 3 * (24 + 10));
    expect(stats.fsyncHistogram.counts.reduce((a, b) => a + b, 0)).toBe(2);
    expect(stats.fsyncSumMs).toBeGreaterThan(0);
    await wal.close();
  });
});

describe('open', () => {
  it('reports a directory it cannot use as ASP_ERR_WAL_IO and leaves no lock behind', async () => {
    const root = tempDir();
    writeFileSync(join(root, 'file'), 'not a directory');
    const err = await rejection(Wal.open(join(root, 'file')));
    expect(err.code).toBe('ASP_ERR_WAL_IO');
    const failingSync = { datasync: async () => Promise.reject(new Error('EIO')) };
    const dir = tempDir();
    await (await Wal.open(dir)).close();
    expect((await rejection(Wal.open(dir, { io: failingSync }))).code).toBe('ASP_ERR_WAL_IO');
    await (await Wal.open(dir)).close();
  });

  it('creates a missing directory and fsyncs the parents that gained an entry', async () => {
    const root = tempDir();
    const synced: string[] = [];
    const io = { syncDir: async (d: string) => void synced.push(d) };
    const wal = await Wal.open(join(root, 'a', 'b'), { io });
    expect(synced).toEqual(expect.arrayContaining([root, join(root, 'a'), join(root, 'a', 'b')]));
    await wal.append([payload(1, 1)]);
    await wal.close();
  });
});
