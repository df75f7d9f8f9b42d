import type { FileHandle } from 'node:fs/promises';
import { type ChunkReader, readAt } from './chunkReader.ts';
import { FRAME_HEADER_BYTES, FRAME_MAGIC, frameCrcMatches, readFrameHeader } from './format.ts';

export interface GoodFrame {
  ok: true;
  seq: number;
  crc: number;
  offset: number;
  payload: Buffer;
}

/** The first frame that does not continue the log. `definite`: its CRC holds, so no torn write made it. */
export interface BadFrame {
  ok: false;
  /** The seq the frame should have had. */
  seq: number;
  offset: number;
  why: string;
  definite: boolean;
}

/**
 * Yields a segment's frames from the reader's cursor, checking each one's
 * CRC, seq and chain link, and stops after yielding the first bad one.
 * Frames below `skipBelow` are stepped over by their headers (seq and chain
 * still checked, payload neither read nor CRC-checked): a reader starting
 * mid-segment skips what it does not return.
 */
export async function* readFrames(
  reader: ChunkReader,
  first: { firstSeq: number; prevCrc: number },
  skipBelow = 0,
): AsyncGenerator<GoodFrame | BadFrame> {
  const link = { seq: first.firstSeq, prevCrc: first.prevCrc };
  while (reader.offset < reader.fileSize) {
    const frame = await nextFrame(reader, link, skipBelow);
    if (frame === undefined) continue;
    yield frame;
    if (!frame.ok) return;
  }
}

/** One frame at the cursor; undefined when it was skipped. Advances `link` past every good frame. */
async function nextFrame(
  reader: ChunkReader,
  link: { seq: number; prevCrc: number },
  skipBelow: number,
): Promise<GoodFrame | BadFrame | undefined> {
  const offset = reader.offset;
  const bad = (why: string, definite = false): BadFrame => ({
    ok: false,
    seq: link.seq,
    offset,
    why,
    definite,
  });
  if (!(await reader.ensure(FRAME_HEADER_BYTES))) return bad('record header cut short');
  const header = readFrameHeader(reader.bytes, reader.cursor);
  if (typeof header === 'string') return bad(header);
  const frameBytes = FRAME_HEADER_BYTES + header.length;
  if (header.seq < skipBelow && header.seq === link.seq && header.prevCrc === link.prevCrc) {
    if (offset + frameBytes > reader.fileSize) return bad('record cut short');
    reader.skip(frameBytes);
    link.seq += 1;
    link.prevCrc = header.crc;
    return undefined;
  }
  if (!(await reader.ensure(frameBytes))) return bad('record cut short');
  const at = reader.cursor;
  const payload = reader.bytes.subarray(at + FRAME_HEADER_BYTES, at + frameBytes);
  if (!frameCrcMatches(reader.bytes, at, header, payload)) return bad('crc mismatch');
  if (header.seq !== link.seq) return bad(`record holds seq ${header.seq}`, true);
  if (header.prevCrc !== link.prevCrc) return bad('chain break (previous checksum differs)', true);
  reader.consume(frameBytes);
  const frame: GoodFrame = { ok: true, seq: link.seq, crc: header.crc, offset, payload };
  link.seq += 1;
  link.prevCrc = header.crc;
  return frame;
}

/**
 * The first whole frame (magic and CRC valid, whatever its seq) starting at or
 * after `from`. Recovery asks this after a bad frame in the last segment: a
 * torn write leaves garbage or zeros behind it, never a later valid frame.
 */
export async function findValidFrame(
  file: FileHandle,
  from: number,
  fileSize: number,
  chunkBytes: number,
): Promise<{ offset: number; seq: number } | undefined> {
  // Each window overlaps the next by a header, so a header straddling two windows is seen whole.
  const window = Buffer.allocUnsafe(chunkBytes + FRAME_HEADER_BYTES);
  for (let base = from; base + FRAME_HEADER_BYTES <= fileSize; base += chunkBytes) {
    const bytes = window.subarray(
      0,
      await readAt(file, window, base, Math.min(window.length, fileSize - base)),
    );
    for (
      let i = bytes.indexOf(FRAME_MAGIC);
      i !== -1 && i < chunkBytes;
      i = bytes.indexOf(FRAME_MAGIC, i + 1)
    ) {
      if (i + FRAME_HEADER_BYTES > bytes.length) break;
      const header = readFrameHeader(bytes, i);
      const payloadAt = base + i + FRAME_HEADER_BYTES;
      if (typeof header === 'string' || payloadAt + header.length > fileSize) continue;
      const payload = Buffer.allocUnsafe(header.length);
      await readAt(file, payload, payloadAt, header.length);
      if (frameCrcMatches(bytes, i, header, payload)) return { offset: base + i, seq: header.seq };
    }
  }
  return undefined;
}
