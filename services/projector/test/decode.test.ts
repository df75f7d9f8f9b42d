import { canonicalJson } from '@asp/domain';
import { type CommitRecord, decodeCommitRecord, encode, encodeCommitRecord } from '@asp/protocol';
import { describe, expect, it } from 'vitest';
import { decodeRecordEvents, recordTs } from '../src/decode.ts';
import { RecordSource } from './support/source.ts';
import { Workload } from './support/workload.ts';

/** What the protocol's decoder reads, without the results (the projector's reader skips them). */
function reference(bytes: Uint8Array): CommitRecord {
  return { ...decodeCommitRecord(bytes), results: [] };
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

describe("the projector's record reader", () => {
  it('reads the events of real records as the protocol decoder does, memos included', () => {
    const src = new RecordSource('pd');
    const w = new Workload(5, 'pd');
    src.commit(w.setup());
    for (let i = 0; i < 5; i++) {
      const commands = w.next(200).map((c) => ({ ...c, data: { ...(c.data as object), memo } }));
      src.commit(commands);
    }
    for (const r of src.records) {
      const bytes = encodeCommitRecord(r);
      const mine = decodeRecordEvents(bytes);
      expect(mine).toEqual(reference(bytes));
      expect(canonicalJson(mine)).toBe(canonicalJson(reference(bytes)));
    }
  });

  it('reads every plain value as msgpackr does: numbers of each width, unicode, nesting', () => {
    const data = {
      small: 5,
      negative: -3,
      byte: 200,
      short: -200,
      word: 70_000,
      int: -70_000,
      big: 2 ** 40,
      bigNegative: -(2 ** 40),
      float: 1.5,
      nil: null,
      yes: true,
      no: false,
      text: 'héllo ✓ 𝄞',
      long: `ü${'x'.repeat(2000)}`,
      nested: { list: [1, 'two', { three: [3] }], empty: {}, none: [] },
    };
    const bytes = encodeCommitRecord(record(data));
    expect(decodeRecordEvents(bytes)).toEqual(reference(bytes));
  });

  it('refuses what the schema refuses: a bad seq, version, partition, missing data, trailing bytes', () => {
    const cases: CommitRecord[] = [
      record({}, { seq: 0 }),
      record({}, { partition: 'P 0' }),
      { ...record({}), events: [{ ...record({}).events[0]!, version: 0 }] },
      { ...record({}), events: [{ ...record({}).events[0]!, aggregateId: '' }] },
    ];
    for (const c of cases) expect(() => decodeRecordEvents(encodeCommitRecord(c))).toThrow(/malformed/);
    const noData = { ...record({}), events: [{ ...record({}).events[0]!, data: undefined }] };
    expect(() => decodeRecordEvents(encode(noData, 'application/msgpack'))).toThrow(/malformed/);
    const good = encodeCommitRecord(record({}));
    expect(() => decodeRecordEvents(new Uint8Array([...good, 0]))).toThrow();
    expect(() => decodeRecordEvents(good.subarray(0, good.length - 3))).toThrow();
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
