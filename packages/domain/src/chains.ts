import type { BatchItem, InvalidCommand } from './batch.ts';
import type { RejectedResult } from './protocol.ts';

/**
 * Atomic groups are chains of consecutive items with `linked: true`, ended by the first item
 * without it (TigerBeetle's linked events). A chain still open at the end of a message must
 * not run into the next message's commands, so it is rejected whole with ASP_REJ_GROUP_OPEN.
 *
 * Returns `items` itself when its last item closes its chain (the usual case); otherwise a
 * copy where the open chain's members are rejected and unlinked. Members already rejected
 * keep their own rejection: it says more about them than the open chain does. A sequencer
 * that puts several messages in one batch calls this on each message's items before
 * concatenating them; decideBatch calls it on the whole batch.
 */
export function closeOpenChain(items: readonly BatchItem[]): readonly BatchItem[] {
  const last = items.length - 1;
  if (last < 0 || !items[last]!.linked) return items;
  let first = last;
  while (first > 0 && items[first - 1]!.linked) first -= 1;
  const closed = items.slice();
  for (let i = first; i <= last; i++) {
    const item = items[i]!;
    const result: RejectedResult = item.ok
      ? {
          id: item.id,
          status: 'rejected',
          code: 'ASP_REJ_GROUP_OPEN',
          message: 'linked group still open at the end of the message: its last command has linked: true',
        }
      : item.result;
    closed[i] = { ok: false, linked: false, result } satisfies InvalidCommand;
  }
  return closed;
}

/** The index of the last item of the chain that starts at `start` (the chain must be closed). */
export function chainEnd(items: readonly BatchItem[], start: number): number {
  let end = start;
  while (items[end]!.linked) end += 1;
  return end;
}

/** The first already-rejected item of `items[start..end]`, or -1. */
export function firstInvalid(items: readonly BatchItem[], start: number, end: number): number {
  for (let i = start; i <= end; i++) {
    if (!items[i]!.ok) return i;
  }
  return -1;
}

/**
 * The result of a group member that did not fail itself but was failed by `cause`. Worded like
 * @asp/protocol's decoder-side results, plus the cause's code.
 */
export function groupFailed(id: string, cause: RejectedResult): RejectedResult {
  return {
    id,
    status: 'rejected',
    code: 'ASP_REJ_GROUP_FAILED',
    message: `atomic group failed: command ${JSON.stringify(cause.id)} of the same linked group was rejected (${cause.code})`,
    cause: cause.id,
  };
}
