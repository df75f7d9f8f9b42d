import { type CommitRecord, encodeCommitRecord } from '@asp/protocol';
import type { JsMsg } from '@nats-io/jetstream';
import { describe, expect, it } from 'vitest';
import { sortOut } from '../src/records.ts';

function msg(seq: number, streamSeq: number, o: { partition?: string; header?: boolean } = {}): JsMsg {
  const record: CommitRecord = { v: 1, partition: o.partition ?? 'p0', seq, ts: 1, results: [], events: [] };
  const h = new Map([['Asp-Wal-Seq', String(seq)]]);
  return {
    seq: streamSeq,
    subject: 'asp.evt.p0',
    data: encodeCommitRecord(record),
    headers: o.header === false ? undefined : { get: (k: string) => h.get(k) ?? '' },
  } as unknown as JsMsg;
}

const seqs = (ms: { record: CommitRecord }[]) => ms.map((m) => m.record.seq);

describe('sortOut', () => {
  it('takes the records that follow the applied one and sets aside those already applied', () => {
    const s = sortOut([msg(3, 13), msg(4, 14), msg(2, 12), msg(5, 15), msg(5, 16)], 2, 'p0');
    expect(seqs(s.fresh)).toEqual([3, 4, 5]);
    expect(s.stale.map((m) => m.seq)).toEqual([12, 16]);
    expect(s.gap).toBeUndefined();
  });

  it('stops at a missing record and leaves the rest alone', () => {
    const s = sortOut([msg(3, 13), msg(5, 15), msg(4, 14)], 2, 'p0');
    expect(seqs(s.fresh)).toEqual([3]);
    expect(s.gap).toEqual({ expected: 4, got: 5 });
  });

  it('reads the seq from the record when the header is missing', () => {
    const s = sortOut([msg(1, 1, { header: false }), msg(1, 2, { header: false })], 0, 'p0');
    expect(seqs(s.fresh)).toEqual([1]);
    expect(s.stale).toHaveLength(1);
  });

  it('refuses a record of another partition and bytes that are not a record', () => {
    expect(() => sortOut([msg(1, 1, { partition: 'p1' })], 0, 'p0')).toThrow(/partition p1, not p0/);
    const junk = { ...msg(1, 1), data: new Uint8Array([1, 2, 3]) } as unknown as JsMsg;
    expect(() => sortOut([junk], 0, 'p0')).toThrow(
      expect.objectContaining({ code: 'ASP_ERR_PROJECTOR_RECORD' }),
    );
  });
});
