import { type FileHandle, mkdir, open } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/**
 * The write path's I/O, replaceable so tests can make any step fail (or write
 * half a buffer and then fail, like a power cut). The defaults run on libuv's
 * thread pool: while one batch's fdatasync is in flight the event loop keeps
 * deciding the next batch — that overlap is the commit pipeline.
 */
export interface WalIo {
  /** Writes every byte of `chunks`, in order, at `position`. */
  write(file: FileHandle, chunks: readonly Uint8Array[], position: number): Promise<void>;
  datasync(file: FileHandle): Promise<void>;
  /** fsync of a directory, so a created or deleted segment's name is durable. */
  syncDir(dir: string): Promise<void>;
}

async function write(file: FileHandle, chunks: readonly Uint8Array[], position: number): Promise<void> {
  let pending = chunks.filter((c) => c.byteLength > 0);
  let at = position;
  // libuv splits past IOV_MAX and retries short writes itself; this loop is the
  // belt to that brace, and a write that makes no progress is an error.
  while (pending.length > 0) {
    const { bytesWritten } = await file.writev(pending, at);
    if (bytesWritten === 0) throw new Error('writev wrote 0 bytes');
    at += bytesWritten;
    pending = dropWritten(pending, bytesWritten);
  }
}

function dropWritten(chunks: readonly Uint8Array[], written: number): Uint8Array[] {
  const rest: Uint8Array[] = [];
  let skip = written;
  for (const chunk of chunks) {
    if (skip >= chunk.byteLength) {
      skip -= chunk.byteLength;
    } else {
      rest.push(skip > 0 ? chunk.subarray(skip) : chunk);
      skip = 0;
    }
  }
  return rest;
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export const defaultIo: WalIo = {
  write,
  datasync: (file) => file.datasync(),
  syncDir,
};

/**
 * Creates the directory if needed. A directory we create must itself be durable
 * (its entry fsynced in its parent), or a power cut could take the whole log
 * with it after its first acknowledged append.
 */
export async function makeDurableDir(dir: string, io: WalIo): Promise<void> {
  const created = await mkdir(dir, { recursive: true });
  if (created === undefined) return;
  for (let d = resolve(dir); d !== dirname(resolve(created)); d = dirname(d)) await io.syncDir(dirname(d));
}
