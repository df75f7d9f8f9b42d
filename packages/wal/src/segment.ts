import { type FileHandle, open } from 'node:fs/promises';
import { join } from 'node:path';
import {
  encodeSegmentHeader,
  FRAME_HEADER_BYTES,
  SEGMENT_HEADER_BYTES,
  segmentName,
  writeFrameHeader,
} from './format.ts';
import type { WalIo } from './io.ts';
import type { StatsRecorder } from './stats.ts';

/** What the log knows about one segment file. Only the active (last) one changes, and only after an fsync. */
export interface SegmentMeta {
  name: string;
  firstSeq: number;
  /** CRC of the record before firstSeq: the segment header's chain link. */
  prevCrc: number;
  /** firstSeq - 1 while the segment holds no record. */
  lastSeq: number;
  lastCrc: number;
  /** Bytes up to the end of the last durable record: readers never look past it. */
  size: number;
}

/** Binary search in a list sorted by firstSeq: the segment holding `seq`, if still listed. */
export function findSegment(segments: readonly SegmentMeta[], seq: number): SegmentMeta | undefined {
  if (segments.length === 0 || seq < segments[0]!.firstSeq) return undefined;
  let lo = 0;
  let hi = segments.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (segments[mid]!.firstSeq <= seq) lo = mid;
    else hi = mid - 1;
  }
  return segments[lo];
}

export interface AppendResult {
  firstSeq: number;
  lastSeq: number;
}

/** The segment appends go to, with its open handle. */
export class ActiveSegment {
  readonly meta: SegmentMeta;
  private readonly file: FileHandle;

  private constructor(meta: SegmentMeta, file: FileHandle) {
    this.meta = meta;
    this.file = file;
  }

  /**
   * Reopens the last segment after recovery and fdatasyncs it: records a crashed
   * process wrote but never synced sit in the page cache looking valid, and must
   * be durable before anything (replay, the relay) treats them as committed.
   */
  static async reopen(dir: string, meta: SegmentMeta, io: WalIo): Promise<ActiveSegment> {
    const file = await open(join(dir, meta.name), 'r+');
    const segment = new ActiveSegment(meta, file);
    try {
      await io.datasync(file);
    } catch (err) {
      await file.close();
      throw err;
    }
    return segment;
  }

  /** Creates a segment with its header, synced, and makes its name durable (directory fsync). */
  static async create(dir: string, firstSeq: number, prevCrc: number, io: WalIo): Promise<ActiveSegment> {
    const name = segmentName(firstSeq);
    const file = await open(join(dir, name), 'wx');
    const meta = {
      name,
      firstSeq,
      prevCrc,
      lastSeq: firstSeq - 1,
      lastCrc: prevCrc,
      size: SEGMENT_HEADER_BYTES,
    };
    try {
      await io.write(file, [encodeSegmentHeader({ firstSeq, prevCrc })], 0);
      await io.datasync(file);
      await io.syncDir(dir);
    } catch (err) {
      await file.close().catch(() => {});
      throw err;
    }
    return new ActiveSegment(meta, file);
  }

  get hasRecords(): boolean {
    return this.meta.lastSeq >= this.meta.firstSeq;
  }

  /**
   * Writes the batch's frames with one writev — headers from one buffer, each
   * payload by reference, so no payload is copied — then ONE fdatasync. The
   * meta moves only after the sync: until then the records do not exist for
   * readers, lastSeq or anyone else.
   */
  async writeBatch(
    payloads: readonly Uint8Array[],
    payloadCrcs: readonly number[],
    io: WalIo,
    stats: StatsRecorder,
  ): Promise<AppendResult> {
    const headers = Buffer.allocUnsafe(FRAME_HEADER_BYTES * payloads.length);
    const chunks: Uint8Array[] = [];
    let seq = this.meta.lastSeq;
    let prevCrc = this.meta.lastCrc;
    let bytes = 0;
    for (const [i, payload] of payloads.entries()) {
      seq += 1;
      const at = i * FRAME_HEADER_BYTES;
      prevCrc = writeFrameHeader(headers, at, {
        length: payload.byteLength,
        seq,
        prevCrc,
        payloadCrc: payloadCrcs[i]!,
      });
      chunks.push(headers.subarray(at, at + FRAME_HEADER_BYTES), payload);
      bytes += FRAME_HEADER_BYTES + payload.byteLength;
    }
    await io.write(this.file, chunks, this.meta.size);
    const started = performance.now();
    await io.datasync(this.file);
    stats.fsynced(performance.now() - started);
    stats.appended(payloads.length, bytes);
    const firstSeq = this.meta.lastSeq + 1;
    this.meta.size += bytes;
    this.meta.lastSeq = seq;
    this.meta.lastCrc = prevCrc;
    return { firstSeq, lastSeq: seq };
  }

  close(): Promise<void> {
    return this.file.close();
  }
}
