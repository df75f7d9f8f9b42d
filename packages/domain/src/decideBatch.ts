import type { BatchItem, BatchOutcome, DecidedResult } from './batch.ts';
import { chainEnd, closeOpenChain, firstInvalid, groupFailed } from './chains.ts';
import { decideOne } from './decideOne.ts';
import { Overlay } from './overlay.ts';
import type { EventRecord, RejectedResult } from './protocol.ts';
import type { Registry } from './registry.ts';
import type { StateView } from './types.ts';

/**
 * Decides a batch: one command at a time, in order, each against the base plus every earlier
 * accepted command of the batch. A group (a linked chain, or a single command) is applied
 * whole or not at all; `base` is never written.
 */
export function decideBatch(registry: Registry, batch: readonly BatchItem[], base: StateView): BatchOutcome {
  const items = closeOpenChain(batch);
  const overlay = new Overlay(base);
  const results: DecidedResult[] = new Array(items.length);
  const events: EventRecord[] = [];
  let start = 0;
  while (start < items.length) {
    const end = chainEnd(items, start);
    decideGroup(registry, items, start, end, overlay, results, events);
    overlay.release();
    start = end + 1;
  }
  return { results, events, changed: overlay.changes };
}

function decideGroup(
  registry: Registry,
  items: readonly BatchItem[],
  start: number,
  end: number,
  overlay: Overlay,
  results: DecidedResult[],
  events: EventRecord[],
): void {
  const failed = failingMember(registry, items, start, end, overlay, results, events);
  if (failed === undefined) return;
  for (let i = start; i <= end; i++) {
    const item = items[i]!;
    if (i === failed.index) results[i] = failed.result;
    else results[i] = item.ok ? groupFailed(item.id, failed.result) : item.result;
  }
}

/**
 * Decides the group's members in order until one fails, and returns that one. A member
 * rejected before deciding fails the group without deciding any other member.
 */
function failingMember(
  registry: Registry,
  items: readonly BatchItem[],
  start: number,
  end: number,
  overlay: Overlay,
  results: DecidedResult[],
  events: EventRecord[],
): { index: number; result: RejectedResult } | undefined {
  const mark = overlay.mark();
  const eventsMark = events.length;
  const invalid = firstInvalid(items, start, end);
  for (let i = start; i <= end; i++) {
    const item = items[i]!;
    if (!item.ok) return { index: i, result: item.result };
    if (invalid !== -1) continue;
    const rejected = decideOne(item, overlay, registry.aggregates, events);
    if (rejected !== undefined) {
      overlay.rollback(mark);
      events.length = eventsMark;
      return { index: i, result: rejected };
    }
    results[i] = { id: item.id, status: 'accepted' };
  }
  return undefined;
}
