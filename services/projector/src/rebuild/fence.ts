import { setTimeout as sleep } from 'node:timers/promises';
import type { Checkpoints } from '../checkpoint.ts';
import { ProjectorError } from '../errors.ts';

export interface HoldLimits {
  leaseMs: number;
  /** How long to wait for a live projector to stop writing. */
  holdTimeoutMs: number;
  /** A projector whose heartbeat is older than this is taken for stopped. */
  aliveStaleMs: number;
}

/**
 * Fences every partition, then waits until each one's projector has
 * stopped writing: it acknowledged the fence, or it is not running (no
 * heartbeat for `aliveStaleMs`; one that starts later sees the fence and
 * holds). Returns each partition's checkpoint seq as of the hold: the
 * rebuilt models must reach it before they may replace the live ones.
 */
export async function fenceAndHold(
  checkpoints: Checkpoints,
  partitions: readonly string[],
  by: string,
  l: HoldLimits,
): Promise<Map<string, number>> {
  const until = new Date(Date.now() + l.leaseMs);
  for (const p of partitions) {
    if (!(await checkpoints.fence(p, by, until))) {
      throw new ProjectorError('ASP_ERR_PROJECTOR_REBUILD', `partition ${p} is held by another rebuild`);
    }
  }
  const deadline = Date.now() + l.holdTimeoutMs;
  for (;;) {
    const held = new Map<string, number>();
    const waiting: string[] = [];
    for (const p of partitions) {
      const cp = await checkpoints.load(p);
      if (cp.fence?.by !== by) {
        throw new ProjectorError('ASP_ERR_PROJECTOR_REBUILD', `lost the hold on partition ${p} (it lapsed?)`);
      }
      const alive = cp.aliveAt !== undefined && Date.now() - cp.aliveAt.getTime() < l.aliveStaleMs;
      if (cp.fence.heldAt || !alive) held.set(p, cp.seq);
      else waiting.push(p);
    }
    if (waiting.length === 0) return held;
    if (Date.now() > deadline) {
      throw new ProjectorError(
        'ASP_ERR_PROJECTOR_REBUILD',
        `the projector of partition ${waiting.join(', ')} did not stop writing within ${l.holdTimeoutMs} ms`,
      );
    }
    await sleep(50);
  }
}

/** Lifts the fences; with positions, the checkpoints move to where the rebuilt models stand. */
export async function releaseAll(
  checkpoints: Checkpoints,
  partitions: readonly string[],
  by: string,
  positions?: ReadonlyMap<string, { seq: number; streamSeq: number; ts: number }>,
): Promise<void> {
  for (const p of partitions) await checkpoints.release(p, by, positions?.get(p));
}
