import type { DecodedItem, RejectedResult } from './types.ts';

/**
 * A linked chain of commands, `[start, end)` by position. `linked: true` chains a command to
 * the next one; the chain ends at the first command without it. `open` means the message
 * ended while the chain was still linked (its last command has `linked: true`).
 */
export interface LinkedGroup {
  start: number;
  end: number;
  open: boolean;
}

/**
 * The atomic groups among `count` commands: every chain of two or more, and an open chain of
 * any length. A command that is not linked and does not follow a linked one is not a group.
 * Shared by the decoder (protocol rejections) and the engine (decide-time failures), so both
 * agree on where a group starts and ends.
 */
export function linkedGroups(count: number, isLinked: (index: number) => boolean): LinkedGroup[] {
  const groups: LinkedGroup[] = [];
  let start = 0;
  for (let i = 0; i < count; i++) {
    if (isLinked(i)) continue;
    if (i > start) groups.push({ start, end: i + 1, open: false });
    start = i + 1;
  }
  if (start < count) groups.push({ start, end: count, open: true });
  return groups;
}

/** The result of a group member that failed only because `causeId` (another member) failed. */
export function groupFailedResult(id: string, causeId: string): RejectedResult {
  return {
    id,
    status: 'rejected',
    code: 'ASP_REJ_GROUP_FAILED',
    message: `atomic group failed: command ${JSON.stringify(causeId)} of the same linked group was rejected`,
    cause: causeId,
  };
}

export function groupOpenResult(id: string): RejectedResult {
  return {
    id,
    status: 'rejected',
    code: 'ASP_REJ_GROUP_OPEN',
    message: 'linked group still open at the end of the message: its last command has linked: true',
  };
}

/**
 * Groups are all-or-nothing: a member rejected here fails the others (GROUP_FAILED, with the
 * first failing member's id as `cause`); an open group fails whole (GROUP_OPEN). A member
 * rejected for its own reason keeps that reason. `linked[i]` is command i's chain flag.
 */
export function rejectBrokenGroups(items: DecodedItem[], linked: boolean[]): void {
  for (const g of linkedGroups(items.length, (i) => linked[i] === true)) {
    let cause: string | undefined;
    for (let i = g.start; i < g.end && cause === undefined; i++) {
      const item = items[i]!;
      if (item.kind === 'rejected') cause = item.result.id;
    }
    if (!g.open && cause === undefined) continue;
    for (let i = g.start; i < g.end; i++) {
      const item = items[i]!;
      if (item.kind === 'rejected') continue;
      const id = item.command.id;
      const result = g.open ? groupOpenResult(id) : groupFailedResult(id, cause!);
      items[i] = { kind: 'rejected', result };
    }
  }
}
