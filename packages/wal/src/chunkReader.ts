import type { FileHandle } from 'node:fs/promises';

/**
 * Sequential reads in large chunks, so replaying hundreds of MB costs a few
 * hundred syscalls rather than two per record. A record larger than a chunk
 * gets a buffer of its own size.
 *
 * Buffers are never reused: when more bytes are needed, the unread tail moves
 * to a fresh buffer. So a payload view handed out earlier stays valid (it
 * pins its chunk in memory until dropped — copy it if you keep many).
 */
export class ChunkReader {
  readonly fileSize: number;
  private readonly file: FileHandle;
  private readonly chunkBytes: number;
  private buf: Buffer = Buffer.alloc(0);
  private start = 0;
  private end = 0;
  /** File offset of buf[end]. */
  private filePos: number;

  constructor(file: FileHandle, position: number, fileSize: number, chunkBytes: number) {
    this.file = file;
    this.filePos = position;
    this.fileSize = fileSize;
    this.chunkBytes = chunkBytes;
  }

  /** File offset of the next unread byte. */
  get offset(): number {
    return this.filePos - (this.end - this.start);
  }

  /** The buffer holding the next unread bytes, which start at `cursor`. */
  get bytes(): Buffer {
    return this.buf;
  }

  get cursor(): number {
    return this.start;
  }

  /** Makes `n` bytes available from the cursor; false when the file (as sized) ends first. */
  async ensure(n: number): Promise<boolean> {
    const have = this.end - this.start;
    if (have >= n) return true;
    if (this.offset + n > this.fileSize) return false;
    const want = Math.min(Math.max(n, this.chunkBytes), this.fileSize - this.offset);
    const next = Buffer.allocUnsafe(want);
    this.buf.copy(next, 0, this.start, this.end);
    let filled = have;
    while (filled < want) {
      const { bytesRead } = await this.file.read(next, filled, want - filled, this.filePos);
      if (bytesRead === 0) break; // the file is shorter than it was sized: the caller reports it
      filled += bytesRead;
      this.filePos += bytesRead;
    }
    this.buf = next;
    this.start = 0;
    this.end = filled;
    return filled >= n;
  }

  consume(n: number): void {
    this.start += n;
  }

  /** Moves the cursor `n` bytes on without reading what it passes. */
  skip(n: number): void {
    if (n <= this.end - this.start) {
      this.start += n;
      return;
    }
    this.filePos = this.offset + n;
    this.buf = Buffer.alloc(0);
    this.start = 0;
    this.end = 0;
  }
}

/** Reads exactly `length` bytes at `position` (fewer only when the file ends). */
export async function readAt(
  file: FileHandle,
  target: Buffer,
  position: number,
  length: number,
): Promise<number> {
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await file.read(target, filled, length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled;
}
