import { crc32c } from '@node-rs/crc32';

/*
 * The on-disk format (docs/wal.md has the byte tables). Every integer is
 * little-endian. A frame's CRC32C covers its payload first and then header
 * bytes 0–19, so the costly payload part can be computed before the frame's
 * seq and chain link are known (while the previous append is still syncing).
 */
export const FORMAT_VERSION = 1;
export const FRAME_HEADER_BYTES = 24;
export const SEGMENT_HEADER_BYTES = 24;
/** The format's hard ceiling; a length above it is impossible whatever recordBytesMax is. */
export const FRAME_PAYLOAD_BYTES_MAX = 2 ** 30;
/** 'W' 'R' version flags: the four bytes every frame starts with (the forward scan searches for them). */
export const FRAME_MAGIC = Buffer.from([0x57, 0x52, FORMAT_VERSION, 0]);
const SEGMENT_MAGIC = Buffer.from([0x57, 0x53, FORMAT_VERSION, 0]);
const CRC_COVERED = 20;

export interface FrameHeader {
  length: number;
  seq: number;
  prevCrc: number;
  crc: number;
}

export interface SegmentHeader {
  firstSeq: number;
  /** The CRC of the record before firstSeq (0 for the log's first record): the chain crosses segments. */
  prevCrc: number;
}

function writeU64(buf: Buffer, value: number, at: number): void {
  buf.writeUInt32LE(value % 2 ** 32, at);
  buf.writeUInt32LE(Math.floor(value / 2 ** 32), at + 4);
}

/** undefined when the value does not fit a JS safe integer (so it cannot be one we wrote). */
function readU64(buf: Buffer, at: number): number | undefined {
  const hi = buf.readUInt32LE(at + 4);
  if (hi > 0x1fffff) return undefined;
  return hi * 2 ** 32 + buf.readUInt32LE(at);
}

/** Writes a frame header at `at` and returns the frame's CRC (the next frame's chain link). */
export function writeFrameHeader(
  buf: Buffer,
  at: number,
  frame: { length: number; seq: number; prevCrc: number; payloadCrc: number },
): number {
  FRAME_MAGIC.copy(buf, at);
  buf.writeUInt32LE(frame.length, at + 4);
  writeU64(buf, frame.seq, at + 8);
  buf.writeUInt32LE(frame.prevCrc, at + 16);
  const crc = crc32c(buf.subarray(at, at + CRC_COVERED), frame.payloadCrc);
  buf.writeUInt32LE(crc, at + CRC_COVERED);
  return crc;
}

/** Parses the 24 header bytes at `at`; a string says why they cannot start a frame. */
export function readFrameHeader(buf: Buffer, at: number): FrameHeader | string {
  if (buf.compare(FRAME_MAGIC, 0, 4, at, at + 4) !== 0) return 'bad magic or version';
  const length = buf.readUInt32LE(at + 4);
  if (length > FRAME_PAYLOAD_BYTES_MAX) return `impossible length ${length}`;
  const seq = readU64(buf, at + 8);
  if (seq === undefined || seq < 1) return 'impossible seq';
  return { length, seq, prevCrc: buf.readUInt32LE(at + 16), crc: buf.readUInt32LE(at + CRC_COVERED) };
}

/** True when the stored CRC matches header bytes 0–19 and the payload. */
export function frameCrcMatches(buf: Buffer, at: number, header: FrameHeader, payload: Uint8Array): boolean {
  return crc32c(buf.subarray(at, at + CRC_COVERED), crc32c(payload)) === header.crc;
}

export function encodeSegmentHeader(header: SegmentHeader): Buffer {
  const buf = Buffer.alloc(SEGMENT_HEADER_BYTES);
  SEGMENT_MAGIC.copy(buf, 0);
  writeU64(buf, header.firstSeq, 8);
  buf.writeUInt32LE(header.prevCrc, 16);
  buf.writeUInt32LE(crc32c(buf.subarray(0, CRC_COVERED)), CRC_COVERED);
  return buf;
}

export function decodeSegmentHeader(buf: Buffer): SegmentHeader | string {
  if (buf.length < SEGMENT_HEADER_BYTES) return 'segment header cut short';
  if (buf.compare(SEGMENT_MAGIC, 0, 4, 0, 4) !== 0) return 'bad segment magic or version';
  if (crc32c(buf.subarray(0, CRC_COVERED)) !== buf.readUInt32LE(CRC_COVERED))
    return 'segment header crc mismatch';
  const firstSeq = readU64(buf, 8);
  if (firstSeq === undefined || firstSeq < 1 || buf.readUInt32LE(4) !== 0) return 'impossible segment header';
  return { firstSeq, prevCrc: buf.readUInt32LE(16) };
}

const SEGMENT_NAME = /^(\d{20})\.wal$/;

/** Zero-padded to 20 digits (u64's width) so names sort in seq order. */
export function segmentName(firstSeq: number): string {
  return `${String(firstSeq).padStart(20, '0')}.wal`;
}

export function parseSegmentName(name: string): number | undefined {
  const match = SEGMENT_NAME.exec(name);
  if (!match) return undefined;
  const seq = Number(match[1]);
  return Number.isSafeInteger(seq) && seq >= 1 ? seq : undefined;
}
