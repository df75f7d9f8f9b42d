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
 * Splits delivered messages by WAL sequence against the last applied one.
 * The header says the sequence without decoding, so a replay of thousands of
 * applied records costs almost nothing; the record itself must agree.
 */
export function sortOut(msgs: readonly JsMsg[], appliedSeq: number, partition: string): Sorted {
  const out: Sorted = { fresh: [], stale: [] };
  let next = appliedSeq + 1;
  for (const m of msgs) {
    const header = walSeqOf(m);
    if (header !== undefined && header < next) {
      out.stale.push(m);
      continue;
    }
    const record = decode(m, partition);
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
