import { canonicalJson } from '@asp/domain';
import {
  type CommitRecord,
  commitRecordSchema,
  decodeCommitRecord,
  decodeValue,
  encode,
  encodeCommitRecord,
} from '@asp/protocol';
import { describe, expect, it } from 'vitest';
import { recordTs } from '../src/decode.ts';
import { RecordSource } from './support/source.ts';
import { Workload } from './support/workload.ts';

/** What the schema (the contract's declarative description) reads, without the results. */
function reference(bytes: Uint8Array): CommitRecord {
  return { ...commitRecordSchema.parse(decodeValue(bytes, 'application/msgpack')), results: [] };
}

const memo = 'm'.repeat(1024);

function record(data: Record<string, unknown>, o: Partial<CommitRecord> = {}): CommitRecord {
  return {
    v: 1,
    partition: 'p0',
    seq: 7,
    ts: 1_795_000_000_123,
    results: [{ id: 'c1', status: 'accepted', seq: 7 }],
    events: [{ commandId: 'c1', aggregateType: 'counter', aggregateId: 'k', version: 1, type: 't', data }],
    ...o,
  };
}

// The reader itself is @asp/protocol's (its own tests hold it to the schema field by field);
// here it reads what the projector is fed: real workload records, 1 KB memos included.
describe('the records the projector reads', () => {
  it('decode without their results exactly as the schema reads them', () => {
    const src = new RecordSource('pd');
    const w = new Workload(5, 'pd');
    src.commit(w.setup());
    for (let i = 0; i < 5; i++) {
      const commands = w.next(200).map((c) => ({ ...c, data: { ...(c.data as object), memo } }));
      src.commit(commands);
    }
    for (const r of src.records) {
      const bytes = encodeCommitRecord(r);
      const mine = decodeCommitRecord(bytes, { results: false });
      expect(mine).toEqual(reference(bytes));
      expect(canonicalJson(mine)).toBe(canonicalJson(reference(bytes)));
    }
  });
});

describe("the lag probe's quick read of a record's ts", () => {
  it('reads ts as the decoder does, the quick way and the slow way', () => {
    for (const ts of [0, 1, 200, 70_000, 4_000_000_000, 1_795_000_000_123]) {
      const r = record({ memo }, { ts });
      expect(recordTs(encodeCommitRecord(r))).toBe(ts);
      // Another key order (not the sequencer's): read by decoding.
      const { events, results, ...head } = r;
      expect(recordTs(encode({ events, results, ...head }, 'application/msgpack'))).toBe(ts);
    }
    expect(recordTs(encode({ v: 1, seq: 1 }, 'application/msgpack'))).toBeUndefined();
  });
});
