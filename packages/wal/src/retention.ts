import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { WalError } from './errors.ts';
import type { WalIo } from './io.ts';
import type { SegmentMeta } from './segment.ts';

/**
 * Deletes the oldest segments whose every record is below `seq`, never the
 * last (active) one, and returns how many. Only a prefix of the list goes, so
 * the log stays contiguous.
 */
export async function removeSegmentsBefore(
  dir: string,
  segments: SegmentMeta[],
  seq: number,
  io: WalIo,
): Promise<number> {
  let count = 0;
  while (count < segments.length - 1 && segments[count]!.lastSeq < seq) count += 1;
  if (count === 0) return 0;
  // Off the list synchronously, so readers and rolls never see a half-removed segment;
  // deleted oldest first, so a crash midway still leaves a contiguous log. A file whose
  // delete failed stays on disk and is simply part of the log again at the next open.
  const removed = segments.splice(0, count);
  try {
    for (const segment of removed) await rm(join(dir, segment.name));
    await io.syncDir(dir);
  } catch (err) {
    throw new WalError('ASP_ERR_WAL_IO', `WAL retention failed: ${err}`, { cause: err });
  }
  return count;
}
