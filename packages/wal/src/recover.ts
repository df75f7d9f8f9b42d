import { type FileHandle, open, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ChunkReader } from './chunkReader.ts';
import { checkContinuity } from './continuity.ts';
import { corrupt } from './errors.ts';
import {
  decodeSegmentHeader,
  FRAME_HEADER_BYTES,
  parseSegmentName,
  SEGMENT_HEADER_BYTES,
  type SegmentHeader,
} from './format.ts';
import { type BadFrame, findValidFrame, readFrames } from './frames.ts';
import type { ResolvedOptions, WalTruncation } from './options.ts';
import type { SegmentMeta } from './segment.ts';

/*
 * Recovery tells a torn tail from corruption by what follows the first bad
 * frame. A crash mid-write can only damage the end of the LAST segment, and
 * leaves garbage or zeros there, never a later valid frame: we never reuse or
 * preallocate files, so no stale frames exist. So:
 * - a bad frame in a sealed (not last) segment is corruption: a segment is
 *   sealed only after its last append was fsynced;
 * - a bad frame in the last segment followed by any whole frame (magic and
 *   CRC valid) is corruption: that frame was written after the bad one;
 * - a frame whose CRC holds but whose seq or chain link is wrong is
 *   corruption: no torn write produces a valid CRC;
 * - anything else is a torn tail: cut it off. This includes a flipped bit in
 *   the very last record, which we cannot tell from a torn write; it was
 *   never acknowledged if the crash tore it.
 */
export async function recoverDir(dir: string, opts: ResolvedOptions): Promise<SegmentMeta[]> {
  const found = (await readdir(dir))
    .map((name) => ({ name, seq: parseSegmentName(name) }))
    .filter((s): s is { name: string; seq: number } => s.seq !== undefined)
    .sort((a, b) => a.seq - b.seq);
  const segments: SegmentMeta[] = [];
  for (const [i, { name, seq }] of found.entries()) {
    const ctx = { dir, name, nameSeq: seq, prev: segments.at(-1), isLast: i === found.length - 1, opts };
    const meta = await recoverSegment(ctx);
    if (meta) segments.push(meta);
  }
  return segments;
}

interface SegmentContext {
  dir: string;
  name: string;
  nameSeq: number;
  prev: SegmentMeta | undefined;
  isLast: boolean;
  opts: ResolvedOptions;
}

/** Validates one segment; undefined when it was a torn creation and has been deleted. */
async function recoverSegment(ctx: SegmentContext): Promise<SegmentMeta | undefined> {
  const path = join(ctx.dir, ctx.name);
  const file = await open(path, ctx.isLast ? 'r+' : 'r');
  let outcome: { meta: SegmentMeta } | { torn: WalTruncation };
  try {
    outcome = await inspectSegment(ctx, file);
  } finally {
    await file.close();
  }
  if ('meta' in outcome) return outcome.meta;
  // A crash between creating the segment and syncing its header: no record was ever written to it.
  await rm(path);
  await ctx.opts.io.syncDir(ctx.dir);
  ctx.opts.onTruncate(outcome.torn);
  return undefined;
}

async function inspectSegment(
  ctx: SegmentContext,
  file: FileHandle,
): Promise<{ meta: SegmentMeta } | { torn: WalTruncation }> {
  const size = (await file.stat()).size;
  const reader = new ChunkReader(file, 0, size, ctx.opts.readChunkBytes);
  const header = (await reader.ensure(SEGMENT_HEADER_BYTES))
    ? decodeSegmentHeader(reader.bytes.subarray(reader.cursor, reader.cursor + SEGMENT_HEADER_BYTES))
    : 'segment header cut short';
  if (typeof header !== 'string') {
    checkContinuity(ctx, header);
    reader.consume(SEGMENT_HEADER_BYTES);
    return { meta: await scanSegment(ctx, file, reader, header) };
  }
  const seq = ctx.prev ? ctx.prev.lastSeq + 1 : ctx.nameSeq;
  if (!ctx.isLast) throw corrupt(ctx.name, 0, seq, `${header} in a sealed segment`);
  const later = await findValidFrame(file, 0, size, ctx.opts.readChunkBytes);
  if (later) throw corrupt(ctx.name, 0, seq, `${header}, yet a valid record follows at ${describe(later)}`);
  if (!ctx.prev && ctx.nameSeq !== 1) {
    throw corrupt(ctx.name, 0, seq, `${header}, and with no earlier segment where the log starts is unknown`);
  }
  return { torn: { file: ctx.name, offset: 0, droppedBytes: size, reason: header, lastSeq: seq - 1 } };
}

async function scanSegment(
  ctx: SegmentContext,
  file: FileHandle,
  reader: ChunkReader,
  header: SegmentHeader,
): Promise<SegmentMeta> {
  let last = { seq: header.firstSeq - 1, crc: header.prevCrc, end: SEGMENT_HEADER_BYTES };
  for await (const frame of readFrames(reader, header)) {
    if (frame.ok) {
      last = {
        seq: frame.seq,
        crc: frame.crc,
        end: frame.offset + FRAME_HEADER_BYTES + frame.payload.length,
      };
    } else {
      await cutTornTail(ctx, file, reader.fileSize, frame);
    }
  }
  return { ...header, name: ctx.name, lastSeq: last.seq, lastCrc: last.crc, size: last.end };
}

/** Cuts the last segment at its first bad frame, unless the bad frame is corruption (then throws). */
async function cutTornTail(
  ctx: SegmentContext,
  file: FileHandle,
  size: number,
  bad: BadFrame,
): Promise<void> {
  if (!ctx.isLast) throw corrupt(ctx.name, bad.offset, bad.seq, `${bad.why} in a sealed segment`);
  if (bad.definite) throw corrupt(ctx.name, bad.offset, bad.seq, bad.why);
  const later = await findValidFrame(file, bad.offset + 1, size, ctx.opts.readChunkBytes);
  if (later) {
    throw corrupt(
      ctx.name,
      bad.offset,
      bad.seq,
      `${bad.why}, yet a valid record follows at ${describe(later)}`,
    );
  }
  await file.truncate(bad.offset);
  await ctx.opts.io.datasync(file);
  ctx.opts.onTruncate({
    file: ctx.name,
    offset: bad.offset,
    droppedBytes: size - bad.offset,
    reason: bad.why,
    lastSeq: bad.seq - 1,
  });
}

function describe(frame: { offset: number; seq: number }): string {
  return `byte offset ${frame.offset} (seq ${frame.seq})`;
}
