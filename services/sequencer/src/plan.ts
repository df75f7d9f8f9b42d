import type { BatchItem, BatchOutcome, Engine } from '@asp/domain';
import {
  type CommandResult,
  type CommitRecord,
  type ContentType,
  decodeEnvelope,
  type MessageError,
  type RejectedResult,
  type ResultsMessage,
} from '@asp/protocol';

/** One command message as the committer hands it over. */
export interface InboundMessage {
  data: Uint8Array;
  contentType: ContentType;
}

/** Where each command of a message gets its result from. */
type Slot =
  /** Decided in this batch: `items[index]`. */
  | { kind: 'item'; index: number }
  /** Answered without deciding: a retry of an earlier batch, or a per-message duplicate id. */
  | { kind: 'fixed'; result: CommandResult }
  /** A retry of a command decided earlier in this same batch: the answer of `items[index]`. */
  | { kind: 'same'; index: number };

export interface PlannedMessage {
  error?: MessageError;
  slots: Slot[];
}

export interface DecodedBatch {
  messages: ({ ok: false; error: MessageError } | { ok: true; decoded: Decoded[] })[];
  /** Every command id worth looking up in the result index, once each. */
  ids: string[];
}

type Decoded = {
  id: string;
  linked: boolean;
  item: BatchItem | undefined;
  rejected: RejectedResult | undefined;
};

export interface Plan {
  messages: PlannedMessage[];
  /** The engine's batch: only commands seen for the first time. */
  items: BatchItem[];
  /** Commands answered with the result of an earlier copy (retries), and ones the decoder refused. */
  retried: number;
  refused: number;
}

/** Step 1 (pure): decode and validate each message; collect the ids to look up. */
export function decodeBatch(engine: Engine, inbound: readonly InboundMessage[]): DecodedBatch {
  const ids = new Set<string>();
  const messages = inbound.map((m): DecodedBatch['messages'][number] => {
    const env = decodeEnvelope(m.data, m.contentType);
    if (!env.ok) return { ok: false, error: env.error };
    const decoded = env.items.map((it): Decoded => {
      if (it.kind === 'rejected') {
        return { id: it.result.id, linked: false, item: undefined, rejected: it.result };
      }
      ids.add(it.command.id);
      return {
        id: it.command.id,
        linked: it.command.linked === true,
        item: engine.validate(it.command),
        rejected: undefined,
      };
    });
    return { ok: true, decoded };
  });
  return { messages, ids: [...ids] };
}

/**
 * Every validated command of the batch, retries included: a superset of what planBatch keeps,
 * so its aggregates can be read while the result index is, not after it.
 */
export function validatedItems(decoded: DecodedBatch): BatchItem[] {
  const items: BatchItem[] = [];
  for (const m of decoded.messages) {
    if (!m.ok) continue;
    for (const d of m.decoded) if (d.item) items.push(d.item);
  }
  return items;
}

/**
 * Step 2 (pure): with the stored results of earlier batches, decide which
 * commands the engine must decide. A command whose id already has a result is
 * a retry and gets that original result (exactly-once effect); a second copy
 * of an id in the same batch but another message is a retry too.
 */
export function planBatch(decoded: DecodedBatch, stored: ReadonlyMap<string, CommandResult>): Plan {
  const items: BatchItem[] = [];
  const firstIndex = new Map<string, number>();
  let retried = 0;
  let refused = 0;
  const messages = decoded.messages.map((m): PlannedMessage => {
    if (!m.ok) return { error: m.error, slots: [] };
    const slots: Slot[] = [];
    for (const d of m.decoded) {
      if (d.rejected) {
        // Decoder rejections (a duplicate id inside one message, a bad type
        // string, an open group) are answered but never indexed: the id may
        // belong to another command.
        slots.push({ kind: 'fixed', result: d.rejected });
        refused++;
        continue;
      }
      const prior = stored.get(d.id);
      if (prior) {
        slots.push({ kind: 'fixed', result: prior });
        retried++;
        unlinkPrevious(items, slots, d.linked);
        continue;
      }
      const same = firstIndex.get(d.id);
      if (same !== undefined) {
        slots.push({ kind: 'same', index: same });
        retried++;
        unlinkPrevious(items, slots, d.linked);
        continue;
      }
      firstIndex.set(d.id, items.length);
      slots.push({ kind: 'item', index: items.length });
      items.push(d.item!);
    }
    closeMessageChain(items, slots);
    return { slots };
  });
  return { messages, items, retried, refused };
}

/**
 * When a chain member is answered from a prior result, the chain must still
 * end where the producer ended it: if the skipped member closed the chain,
 * the previous decided member of this message now closes it.
 */
function unlinkPrevious(items: BatchItem[], slots: Slot[], skippedLinked: boolean): void {
  if (skippedLinked) return;
  for (let i = slots.length - 2; i >= 0; i--) {
    const s = slots[i]!;
    if (s.kind === 'item') {
      const it = items[s.index]!;
      if (it.linked) items[s.index] = { ...it, linked: false };
      return;
    }
  }
}

/** A chain never runs into the next message (the decoder already rejected open chains). */
function closeMessageChain(items: BatchItem[], slots: Slot[]): void {
  for (let i = slots.length - 1; i >= 0; i--) {
    const s = slots[i]!;
    if (s.kind !== 'item') continue;
    const it = items[s.index]!;
    if (it.linked) items[s.index] = { ...it, linked: false };
    return;
  }
}

export interface Assembled {
  /** undefined when the batch decided nothing new (every command was a retry or unreadable). */
  record: CommitRecord | undefined;
  /** The results of the newly decided commands, for the result index. */
  results: CommandResult[];
  replies: ResultsMessage[];
}

/** Step 3 (pure): stamp the WAL seq on accepted results; build the commit record and the replies. */
export function assemble(
  plan: Plan,
  outcome: BatchOutcome,
  at: { partition: string; seq: number; ts: number },
): Assembled {
  const results: CommandResult[] = outcome.results.map((r) =>
    r.status === 'accepted' ? { id: r.id, status: 'accepted', seq: at.seq } : r,
  );
  const record: CommitRecord | undefined =
    results.length === 0
      ? undefined
      : { v: 1, partition: at.partition, seq: at.seq, ts: at.ts, results, events: outcome.events };
  const replies = plan.messages.map((m): ResultsMessage => {
    if (m.error) return { v: 1, error: m.error };
    return {
      v: 1,
      results: m.slots.map((s) => (s.kind === 'fixed' ? s.result : results[s.index]!)),
    };
  });
  return { record, results, replies };
}
