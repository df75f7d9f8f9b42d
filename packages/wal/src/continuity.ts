import { corrupt } from './errors.ts';
import type { SegmentHeader } from './format.ts';
import type { SegmentMeta } from './segment.ts';

/**
 * A segment must start where its predecessor ended: the seq right after the
 * previous segment's last one (a gap means a lost segment) and the chain link
 * equal to that record's CRC (anything else means a segment from another log
 * or a rewritten one). Its name must match its header.
 */
export function checkContinuity(
  ctx: { name: string; nameSeq: number; prev: SegmentMeta | undefined },
  header: SegmentHeader,
): void {
  const { name, prev } = ctx;
  if (header.firstSeq !== ctx.nameSeq) {
    throw corrupt(name, 0, ctx.nameSeq, `the segment header says it starts at seq ${header.firstSeq}`);
  }
  if (!prev) {
    if (header.firstSeq === 1 && header.prevCrc !== 0) throw corrupt(name, 0, 1, 'seq 1 has a chain link');
    return;
  }
  const expected = prev.lastSeq + 1;
  if (header.firstSeq > expected) {
    throw corrupt(name, 0, expected, `seqs ${expected}..${header.firstSeq - 1} are missing (lost segment?)`);
  }
  if (header.firstSeq < expected) throw corrupt(name, 0, header.firstSeq, `overlaps ${prev.name}`);
  if (header.prevCrc !== prev.lastCrc) throw corrupt(name, 0, expected, `chain break with ${prev.name}`);
}
