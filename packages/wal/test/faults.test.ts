import { describe, expect, it } from 'vitest';
import { defaultIo, Wal, type WalIo } from '../src/index.ts';
import { collect, expectPayloads, payload, rejection, tempDir } from './helpers.ts';

/** Default I/O whose datasync or write can be told to fail (a write fails after writing `tearAt` bytes). */
function faultyIo(): { io: Partial<WalIo>; faults: { failSync: boolean; tearAt: number | undefined } } {
  const faults = { failSync: false, tearAt: undefined as number | undefined };
  const io: Partial<WalIo> = {
    datasync: async (file) => {
      if (faults.failSync) throw Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
      return defaultIo.datasync(file);
    },
    write: async (file, chunks, position) => {
      if (faults.tearAt === undefined) return defaultIo.write(file, chunks, position);
      const bytes = Buffer.concat(chunks);
      await defaultIo.write(file, [bytes.subarray(0, faults.tearAt)], position);
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    },
  };
  return { io, faults };
}

describe('fail closed', () => {
  it('poisons the log when fdatasync fails: that append and every later call reject', async () => {
    const dir = tempDir();
    const { io, faults } = faultyIo();
    const wal = await Wal.open(dir, { io });
    const acked = [payload(1, 30), payload(2, 30), payload(3, 30)];
    for (const p of acked) await wal.append([p]);
    faults.failSync = true;
    const failing = wal.append([payload(4, 30)]);
    const queued = wal.append([payload(5, 30)]);
    const err = await rejection(failing);
    expect(err.code).toBe('ASP_ERR_WAL_IO');
    expect((err.cause as Error).message).toContain('EIO');
    expect((await rejection(queued)).code).toBe('ASP_ERR_WAL_IO');
    expect(wal.lastSeq).toBe(3);
    // The fault is gone, but the log still refuses: after a failed fsync nothing is known.
    faults.failSync = false;
    expect((await rejection(wal.append([payload(6, 30)]))).code).toBe('ASP_ERR_WAL_IO');
    expect((await rejection(collect(wal.read(1)))).code).toBe('ASP_ERR_WAL_IO');
    expect((await rejection(wal.removeSegmentsBefore(2))).code).toBe('ASP_ERR_WAL_IO');
    await wal.close();

    const reopened = await Wal.open(dir);
    const records = await collect(reopened.read(1));
    // Everything acknowledged is there; the failed record may be too (it reached the page cache).
    expect(records.length).toBeGreaterThanOrEqual(3);
    expect(records.length).toBeLessThanOrEqual(4);
    expectPayloads(records, [...acked, payload(4, 30)].slice(0, records.length));
    await reopened.close();
  });

  it('poisons the log on a torn write and recovery cuts the torn frame', async () => {
    const dir = tempDir();
    const { io, faults } = faultyIo();
    const wal = await Wal.open(dir, { io });
    await wal.append([payload(1, 100)]);
    faults.tearAt = 70;
    expect((await rejection(wal.append([payload(2, 100), payload(3, 100)]))).code).toBe('ASP_ERR_WAL_IO');
    await wal.close();
    let truncated = 0;
    const reopened = await Wal.open(dir, { onTruncate: (t) => (truncated = t.droppedBytes) });
    expect(reopened.lastSeq).toBe(1);
    expect(truncated).toBe(70);
    expect(await reopened.append([payload(4, 10)])).toEqual({ firstSeq: 2, lastSeq: 2 });
    await reopened.close();
  });

  it('poisons the log when rolling a segment fails', async () => {
    const dir = tempDir();
    const { io, faults } = faultyIo();
    const wal = await Wal.open(dir, { io, segmentBytesMax: 100 });
    await wal.append([payload(1, 60)]);
    faults.failSync = true;
    expect((await rejection(wal.append([payload(2, 60)]))).code).toBe('ASP_ERR_WAL_IO');
    faults.failSync = false;
    expect((await rejection(wal.append([payload(3, 60)]))).code).toBe('ASP_ERR_WAL_IO');
    await wal.close();
    const reopened = await Wal.open(dir, { segmentBytesMax: 100 });
    expect(reopened.lastSeq).toBe(1);
    await reopened.append([payload(4, 60)]);
    expectPayloads(await collect(reopened.read(1)), [payload(1, 60), payload(4, 60)]);
    await reopened.close();
  });
});
