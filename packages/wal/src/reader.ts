import { type FileHandle, open } from 'node:fs/promises';
import { join } from 'node:path';
import { ChunkReader } from './chunkReader.ts';
import { corrupt, WalError } from './errors.ts';
import { decodeSegmentHeader, SEGMENT_HEADER_BYTES } from './format.ts';
import { readFrames } from './frames.ts';
import { errnoCode } from './lock.ts';
import type { SegmentMeta } from './segment.ts';

export interface WalRecord {
  seq: number;
  /** A view into the reader's chunk buffer (never overwritten); copy it to keep it long. */
  payload: Uint8Array;
}

/** What the reader needs from the log: the current segment list and whether it may still be used. */
export interface ReadSource {
  dir: string;
  readChunkBytes: number;
  /** The segment holding `seq` in the current list, or undefined when retention removed it. */
  segmentFor(seq: number): SegmentMeta | undefined;
  /** Throws when the log is closed or poisoned. */
  check(): void;
}

/**
 * Yields records fromSeq..upTo (upTo: the lastSeq when read() was called).
 * Each segment is read up to its durable size as of when the reader reaches
 * it, so frames an in-flight append is writing are never looked at.
 */
export async function* readRecords(
  src: ReadSource,
  fromSeq: number,
  upTo: number,
): AsyncGenerator<WalRecord> {
  if (fromSeq > upTo + 1) throw range(`cannot read from seq ${fromSeq}: the log ends at seq ${upTo}`);
  let next = fromSeq;
  while (next <= upTo) {
    src.check();
    const meta = src.segmentFor(next);
    if (!meta) throw range(`seq ${next} is no longer in the log (removed by retention)`);
    const end = Math.min(meta.lastSeq, upTo);
    const file = await openSegment(src.dir, meta.name, next);
    try {
      const reader = new ChunkReader(file, 0, meta.size, src.readChunkBytes);
      const header = (await reader.ensure(SEGMENT_HEADER_BYTES))
        ? decodeSegmentHeader(reader.bytes.subarray(0, SEGMENT_HEADER_BYTES))
        : 'segment header cut short';
      if (typeof header === 'string') throw corrupt(meta.name, 0, next, header);
      reader.consume(SEGMENT_HEADER_BYTES);
      for await (const frame of readFrames(reader, header, next)) {
        if (!frame.ok) throw corrupt(meta.name, frame.offset, frame.seq, frame.why);
        src.check();
        yield { seq: frame.seq, payload: frame.payload };
        next = frame.seq + 1;
        if (next > end) break;
      }
    } finally {
      await file.close();
    }
    if (next <= end) throw corrupt(meta.name, meta.size, next, 'the segment ends before its last record');
  }
}

async function openSegment(dir: string, name: string, seq: number): Promise<FileHandle> {
  try {
    return await open(join(dir, name), 'r');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') throw range(`seq ${seq} is no longer in the log (removed by retention)`);
    throw new WalError('ASP_ERR_WAL_IO', `cannot open WAL segment ${name}: ${String(err)}`, { cause: err });
  }
}

function range(message: string): WalError {
  return new WalError('ASP_ERR_WAL_RANGE', message);
}
