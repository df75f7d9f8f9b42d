import { describe, expect, it } from 'vitest';
import { Wal } from '../src/index.ts';
import { collect, expectPayloads, payload, rejection, segmentFiles, tempDir } from './helpers.ts';

describe('retention', () => {
  it('removes whole segments below a seq, never the active one, and survives reopen', async () => {
    const dir = tempDir();
    // Two 64-byte frames per segment: 24 + 2 * 64 <= 160.
    const opts = { segmentBytesMax: 160 };
    let wal = await Wal.open(dir, opts);
    const written = Array.from({ length: 20 }, (_, i) => payload(i + 1, 40));
    for (const p of written) await wal.append([p]);
    const before = segmentFiles(dir).length;
    expect(before).toBe(10);

    expect(await wal.removeSegmentsBefore(1)).toBe(0);
    // Segments hold seqs [1,2], [3,4], …: below 10 only the first four are wholly under it.
    expect(await wal.removeSegmentsBefore(10)).toBe(4);
    expect(wal.firstSeq).toBe(9);
    expect(segmentFiles(dir)).toHaveLength(before - 4);
    expectPayloads(await collect(wal.read(9)), written.slice(8), 9);
    expect((await rejection(collect(wal.read(3)))).code).toBe('ASP_ERR_WAL_RANGE');
    await wal.close();

    wal = await Wal.open(dir, opts);
    expect([wal.firstSeq, wal.lastSeq]).toEqual([9, 20]);
    expect(await wal.removeSegmentsBefore(1_000)).toBe(5);
    expect(segmentFiles(dir)).toHaveLength(1);
    expect(await wal.append([payload(21, 40)])).toEqual({ firstSeq: 21, lastSeq: 21 });
    await wal.close();

    wal = await Wal.open(dir, opts);
    expect([wal.firstSeq, wal.lastSeq]).toEqual([19, 21]);
    expectPayloads(await collect(wal.read(19)), [...written.slice(18), payload(21, 40)], 19);
    await wal.close();
  });
});
