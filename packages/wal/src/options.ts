import { WalError } from './errors.ts';
import { FRAME_PAYLOAD_BYTES_MAX } from './format.ts';
import { defaultIo, type WalIo } from './io.ts';

/** What recovery cut away from the end of the last segment (a torn write). */
export interface WalTruncation {
  file: string;
  /** The segment's new length: the end of its last valid record (0 when a torn segment was deleted). */
  offset: number;
  droppedBytes: number;
  /** Why the first dropped byte could not start a valid record. */
  reason: string;
  /** How many valid records the log has after the cut. */
  lastSeq: number;
}

export interface WalOptions {
  /** A segment is rolled before an append that would take it over this size. A larger batch goes in alone. */
  segmentBytesMax?: number;
  /** The largest payload append() accepts. */
  recordBytesMax?: number;
  /** The read size of the reader and of recovery: large, so replaying hundreds of MB takes few syscalls. */
  readChunkBytes?: number;
  /** How many appends may wait behind the one in flight before append() rejects with ASP_ERR_WAL_BUSY. */
  appendQueueMax?: number;
  onTruncate?: (info: WalTruncation) => void;
  /** Replaces the write path's I/O: tests use it to make writes and fsyncs fail. */
  io?: Partial<WalIo>;
}

export interface ResolvedOptions {
  segmentBytesMax: number;
  recordBytesMax: number;
  readChunkBytes: number;
  appendQueueMax: number;
  onTruncate: (info: WalTruncation) => void;
  io: WalIo;
}

const MiB = 1024 * 1024;

function limit(name: string, value: number | undefined, fallback: number, min: number, max: number): number {
  const v = value ?? fallback;
  if (!Number.isSafeInteger(v) || v < min || v > max) {
    throw new WalError(
      'ASP_ERR_WAL_OPTIONS',
      `WAL option ${name} must be an integer in [${min}, ${max}], got ${v}`,
    );
  }
  return v;
}

/** Checked once at open (TIGER_STYLE: every limit has a unit and a range). */
export function resolveOptions(opts: WalOptions): ResolvedOptions {
  if (opts.onTruncate !== undefined && typeof opts.onTruncate !== 'function') {
    throw new WalError('ASP_ERR_WAL_OPTIONS', 'WAL option onTruncate must be a function');
  }
  return {
    segmentBytesMax: limit('segmentBytesMax', opts.segmentBytesMax, 64 * MiB, 1, 2 ** 40),
    recordBytesMax: limit('recordBytesMax', opts.recordBytesMax, 16 * MiB, 0, FRAME_PAYLOAD_BYTES_MAX),
    readChunkBytes: limit('readChunkBytes', opts.readChunkBytes, 8 * MiB, 4096, 1024 * MiB),
    appendQueueMax: limit('appendQueueMax', opts.appendQueueMax, 64, 1, 1_000_000),
    onTruncate: opts.onTruncate ?? (() => {}),
    io: { ...defaultIo, ...opts.io },
  };
}
