import { copyFileSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { FRAME_HEADER_BYTES, SEGMENT_HEADER_BYTES, Wal, type WalTruncation } from '../src/index.ts';
import {
  collect,
  expectPayloads,
  frameOffsets,
  payload,
  rejection,
  segmentFiles,
  tempDir,
} from './helpers.ts';

async function writeLog(dir: string, payloads: Uint8Array[], segmentBytesMax?: number): Promise<void> {
  const wal = await Wal.open(dir, segmentBytesMax === undefined ? {} : { segmentBytesMax });
  for (const p of payloads) await wal.append([p]);
  await wal.close();
}

function flipBit(path: string, offset: number): void {
  const bytes = readFileSync(path);
  expect(offset).toBeLessThan(bytes.length);
  bytes[offset]! ^= 0x10;
  writeFileSync(path, bytes);
}

const sizes = [16, 16, 16, 16, 16];
const records = sizes.map((size, i) => payload(i + 1, size));

describe('recovery: torn tails', () => {
  it('recovers the longest valid prefix when the last frame is cut at every byte offset', async () => {
    const base = tempDir();
    await writeLog(base, records);
    const [name] = segmentFiles(base);
    const lastFrame = frameOffsets(sizes).at(-1)!;
    const end = lastFrame + FRAME_HEADER_BYTES + 16;
    for (let cut = lastFrame; cut < end; cut++) {
      const dir = tempDir();
      copyFileSync(join(base, name!), join(dir, name!));
      truncateSync(join(dir, name!), cut);
      const onTruncate = vi.fn<(info: WalTruncation) => void>();
      const wal = await Wal.open(dir, { onTruncate });
      expect(wal.lastSeq).toBe(4);
      expect(statSync(join(dir, name!)).size).toBe(lastFrame);
      if (cut === lastFrame) expect(onTruncate).not.toHaveBeenCalled();
      else
        expect(onTruncate).toHaveBeenCalledWith(expect.objectContaining({ offset: lastFrame, lastSeq: 4 }));
      expect(await wal.append([payload(50, 3)])).toEqual({ firstSeq: 5, lastSeq: 5 });
      await wal.close();
      // Reopening re-checks every CRC and chain link, the new record's included.
      const reopened = await Wal.open(dir);
      expectPayloads(await collect(reopened.read(1)), [...records.slice(0, 4), payload(50, 3)]);
      await reopened.close();
    }
  });

  it('treats a flipped bit in the last record as a torn write', async () => {
    const dir = tempDir();
    await writeLog(dir, records);
    const lastFrame = frameOffsets(sizes).at(-1)!;
    flipBit(join(dir, segmentFiles(dir)[0]!), lastFrame + FRAME_HEADER_BYTES + 3);
    const onTruncate = vi.fn<(info: WalTruncation) => void>();
    const wal = await Wal.open(dir, { onTruncate });
    expect(wal.lastSeq).toBe(4);
    expect(onTruncate).toHaveBeenCalledWith(
      expect.objectContaining({
        offset: lastFrame,
        reason: 'crc mismatch',
        droppedBytes: FRAME_HEADER_BYTES + 16,
      }),
    );
    await wal.close();
  });

  it('cuts zero-filled and garbage tails', async () => {
    for (const tail of [Buffer.alloc(4096), Buffer.from('not a frame at all, just noise '.repeat(20))]) {
      const dir = tempDir();
      await writeLog(dir, records);
      const path = join(dir, segmentFiles(dir)[0]!);
      writeFileSync(path, Buffer.concat([readFileSync(path), tail]));
      const wal = await Wal.open(dir);
      expect(wal.lastSeq).toBe(5);
      expect(wal.stats().bytes).toBe(readFileSync(path).length);
      await wal.close();
    }
  });

  it('deletes a last segment whose header was torn at creation', async () => {
    for (const keep of [0, 5, SEGMENT_HEADER_BYTES - 1]) {
      const dir = tempDir();
      await writeLog(dir, records, 100);
      const names = segmentFiles(dir);
      const last = names.at(-1)!;
      const before = names.length;
      // Make the last segment look like a crash right after its creation.
      writeFileSync(join(dir, last), readFileSync(join(dir, last)).subarray(0, keep));
      const wal = await Wal.open(dir, { segmentBytesMax: 100 });
      expect(segmentFiles(dir)).toHaveLength(before - 1);
      expect(wal.lastSeq).toBe(records.length - 1);
      await wal.append([payload(60, 2)]);
      expect(wal.lastSeq).toBe(records.length);
      await wal.close();
    }
  });
});

describe('recovery: corruption', () => {
  it('halts on a flipped bit in the middle of a single segment, naming file, offset and seq', async () => {
    const dir = tempDir();
    await writeLog(dir, records);
    const name = segmentFiles(dir)[0]!;
    const offset = frameOffsets(sizes)[2]!;
    flipBit(join(dir, name), offset + FRAME_HEADER_BYTES + 5);
    const err = await rejection(Wal.open(dir));
    expect(err.code).toBe('ASP_ERR_WAL_CORRUPT');
    expect(err.message).toContain(name);
    expect(err.message).toContain(`byte offset ${offset}`);
    expect(err.message).toContain('seq 3');
    // A failed open leaves the directory unlocked and the bytes untouched.
    expect((await rejection(Wal.open(dir))).code).toBe('ASP_ERR_WAL_CORRUPT');
  });

  it('finds the valid record after a bad one when it lies chunks away', async () => {
    const dir = tempDir();
    const big = [100, 9000, 9000, 100];
    await writeLog(
      dir,
      big.map((size, i) => payload(i + 1, size)),
    );
    const offset = frameOffsets(big)[1]!;
    flipBit(join(dir, segmentFiles(dir)[0]!), offset + FRAME_HEADER_BYTES + 4000);
    const err = await rejection(Wal.open(dir, { readChunkBytes: 4096 }));
    expect(err.code).toBe('ASP_ERR_WAL_CORRUPT');
    expect(err.message).toContain(`byte offset ${offset} (seq 2): crc mismatch, yet a valid record follows`);
    expect(err.message).toContain(`byte offset ${frameOffsets(big)[2]} (seq 3)`);
  });

  it('halts on a flipped length bit followed by valid records', async () => {
    const dir = tempDir();
    await writeLog(dir, records);
    const offset = frameOffsets(sizes)[1]!;
    flipBit(join(dir, segmentFiles(dir)[0]!), offset + 6);
    const err = await rejection(Wal.open(dir));
    expect(err.code).toBe('ASP_ERR_WAL_CORRUPT');
    expect(err.message).toContain(`byte offset ${offset} (seq 2)`);
  });

  it('halts on a flipped bit in the first of several segments (its last record, nothing after it there)', async () => {
    const dir = tempDir();
    // Two 40-byte frames per segment: 24 + 2 * 40 <= 110.
    await writeLog(dir, records, 110);
    const names = segmentFiles(dir);
    expect(names.length).toBeGreaterThan(2);
    const offset = frameOffsets(sizes)[1]!;
    flipBit(join(dir, names[0]!), offset + FRAME_HEADER_BYTES);
    const err = await rejection(Wal.open(dir));
    expect(err.code).toBe('ASP_ERR_WAL_CORRUPT');
    expect(err.message).toContain(names[0]!);
    expect(err.message).toContain(`byte offset ${offset} (seq 2)`);
  });

  it('halts on a missing middle segment', async () => {
    const dir = tempDir();
    await writeLog(dir, records, 60);
    const names = segmentFiles(dir);
    rmSync(join(dir, names[2]!));
    const err = await rejection(Wal.open(dir));
    expect(err.code).toBe('ASP_ERR_WAL_CORRUPT');
    expect(err.message).toMatch(/seqs 3\.\.3 are missing/);
  });

  it('halts on a segment spliced in from another log (the hash chain breaks)', async () => {
    const dir = tempDir();
    const other = tempDir();
    await writeLog(dir, records, 110);
    await writeLog(
      other,
      records.map((_, i) => payload(100 + i, 16)),
      110,
    );
    const name = segmentFiles(dir)[1]!;
    copyFileSync(join(other, name), join(dir, name));
    const err = await rejection(Wal.open(dir));
    expect(err.code).toBe('ASP_ERR_WAL_CORRUPT');
    expect(err.message).toContain(`${name} at byte offset 0 (seq 3): chain break`);
  });

  it('halts on a valid-looking record with the wrong seq (no torn write makes a valid CRC)', async () => {
    const dir = tempDir();
    await writeLog(dir, records);
    const path = join(dir, segmentFiles(dir)[0]!);
    const bytes = readFileSync(path);
    const lastFrame = frameOffsets(sizes).at(-1)!;
    writeFileSync(path, Buffer.concat([bytes, bytes.subarray(lastFrame)]));
    const err = await rejection(Wal.open(dir));
    expect(err.code).toBe('ASP_ERR_WAL_CORRUPT');
    expect(err.message).toContain(`byte offset ${bytes.length} (seq 6)`);
  });

  it('reports corruption found while reading', async () => {
    const dir = tempDir();
    const wal = await Wal.open(dir);
    for (const p of records) await wal.append([p]);
    flipBit(join(dir, segmentFiles(dir)[0]!), frameOffsets(sizes)[3]! + FRAME_HEADER_BYTES);
    const err = await rejection(collect(wal.read(2)));
    expect(err.code).toBe('ASP_ERR_WAL_CORRUPT');
    expect(err.message).toContain('seq 4');
    await wal.close();
  });
});
