import { type CommitRecord, decodeCommitRecord, HEADER_WAL_SEQ } from '@asp/protocol';
import type { JsMsg } from '@nats-io/jetstream';
import { ProjectorError } from './errors.ts';

export interface Fresh {
  msg: JsMsg;
  /** Decoded without its results, which the projector does not use. */
  record: CommitRecord;
}

export interface Sorted {
  /** The records that follow the applied one without a hole, decoded, in order. */
  fresh: Fresh[];
  /** Records at or below the applied seq: delivered again, already applied. */
  stale: JsMsg[];
  /** Set when a record came before the one it must follow; it and the rest are left alone. */
  gap?: { expected: number; got: number };
}

function walSeqOf(m: JsMsg): number | undefined {
  const h = m.headers?.get(HEADER_WAL_SEQ);
  const n = h ? Number(h) : Number.NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

function decode(m: JsMsg, partition: string): CommitRecord {
  let record: CommitRecord;
  try {
    record = decodeCommitRecord(m.data, { results: false });
  } catch (err) {
    throw new ProjectorError(
      'ASP_ERR_PROJECTOR_RECORD',
      `ASP_EVENTS message ${m.seq} is not a commit record`,
      {
        cause: err,
      },
    );
  }
  if (record.partition !== partition) {
    throw new ProjectorError(
      'ASP_ERR_PROJECTOR_RECORD',
      `ASP_EVENTS message ${m.seq} on ${m.subject} holds a record of partition ${record.partition}, not ${partition}`,
    );
  }
  return record;
}

/**
 * Decodes records ahead of their batch, while the projector waits for MongoDB: on FerretDB the
 * projector and the server otherwise take turns on the CPU, and decoding is ~17% of the
 * projector's. Each record is decoded in its own `setImmediate`, which runs only once the event
 * loop has nothing else to do (a write awaiting its answer), so the projector's own work is
 * never held up by more than one record's decoding (~10 ms for 2,000 commands). Bounded: at most
 * `bytesMax` of records decoded and not yet taken into a batch. A record its header says is
 * applied already is left alone (a replay stays cheap), and one that does not decode is left
 * for `sortOut` to decode again and report.
 */
export class DecodeAhead {
  readonly #records = new WeakMap<JsMsg, CommitRecord>();
  /** Queued, not yet looked at; taken ones are skipped (`#taken`). */
  readonly #pending: JsMsg[] = [];
  readonly #taken = new WeakSet<JsMsg>();
  readonly #partition: string;
  readonly #bytesMax: number;
  readonly #appliedSeq: () => number;
  /** Bytes of the records decoded and still queued. */
  #bytes = 0;
  #scheduled = false;
  /** The next pending record does not fit: nothing to do until a batch is taken. */
  #full = false;

  constructor(partition: string, bytesMax: number, appliedSeq: () => number) {
    this.#partition = partition;
    this.#bytesMax = bytesMax;
    this.#appliedSeq = appliedSeq;
  }

  /** A message was queued (see PullQueueLimits.onQueued). */
  offer(m: JsMsg): void {
    this.#pending.push(m);
    this.#schedule();
  }

  /** Messages left the queue for a batch: no longer decoded ahead, nor counted against the bound. */
  taken(msgs: readonly JsMsg[]): void {
    for (const m of msgs) {
      this.#taken.add(m);
      if (this.#records.has(m)) this.#bytes -= m.data.length;
    }
    this.#full = false;
    this.#schedule();
  }

  /** The message's record if it was decoded ahead (once: it is let go). */
  take(m: JsMsg): CommitRecord | undefined {
    const r = this.#records.get(m);
    this.#records.delete(m);
    return r;
  }

  #schedule(): void {
    if (this.#scheduled || this.#full || this.#pending.length === 0) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#decodeNext();
      this.#schedule();
    });
  }

  /** Decodes the next pending record that is still queued, if there is room. */
  #decodeNext(): void {
    for (let m = this.#pending.shift(); m !== undefined; m = this.#pending.shift()) {
      if (this.#taken.has(m)) continue;
      if (this.#bytes + m.data.length > this.#bytesMax) {
        // No room until a batch is taken (see taken). The pending messages are the queue's,
        // so they are as bounded as the queue.
        this.#pending.unshift(m);
        this.#full = true;
        return;
      }
      const header = walSeqOf(m);
      if (header === undefined || header <= this.#appliedSeq()) continue;
      try {
        this.#records.set(m, decode(m, this.#partition));
        this.#bytes += m.data.length;
      } catch {
        // sortOut decodes it again and throws.
      }
      return;
    }
  }
}

/**
 * Splits delivered messages by WAL sequence against the last applied one.
 * The header says the sequence without decoding, so a replay of thousands of
 * applied records costs almost nothing; the record itself must agree.
 */
export function sortOut(
  msgs: readonly JsMsg[],
  appliedSeq: number,
  partition: string,
  ahead?: DecodeAhead,
): Sorted {
  const out: Sorted = { fresh: [], stale: [] };
  let next = appliedSeq + 1;
  for (const m of msgs) {
    const header = walSeqOf(m);
    if (header !== undefined && header < next) {
      out.stale.push(m);
      continue;
    }
    const record = ahead?.take(m) ?? decode(m, partition);
    if (header !== undefined && header !== record.seq) {
      throw new ProjectorError(
        'ASP_ERR_PROJECTOR_RECORD',
        `ASP_EVENTS message ${m.seq}: header ${HEADER_WAL_SEQ} ${header} but the record's seq is ${record.seq}`,
      );
    }
    if (record.seq < next) {
      out.stale.push(m);
      continue;
    }
    if (record.seq > next) {
      out.gap = { expected: next, got: record.seq };
      break;
    }
    out.fresh.push({ msg: m, record });
    next++;
  }
  return out;
}
