import { type CommitRecord, encodeCommitRecord } from '@asp/protocol';
import type { JsMsg } from '@nats-io/jetstream';
import { describe, expect, it } from 'vitest';
import { DecodeAhead, sortOut } from '../src/records.ts';

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

/** What the event loop's setImmediate callbacks have done by now (each decodes one record). */
const idle = () => new Promise<void>((resolve) => setTimeout(resolve, 5));

describe('DecodeAhead', () => {
  it('decodes queued records when the loop is idle, for sortOut to take once', async () => {
    const ahead = new DecodeAhead('p0', 1 << 20, () => 2);
    const ms = [msg(2, 12), msg(3, 13), msg(4, 14)];
    for (const m of ms) ahead.offer(m);
    expect(ahead.take(ms[1]!)).toBeUndefined(); // nothing decoded before the loop turns
    await idle();
    ahead.taken(ms);
    expect(ahead.take(ms[0]!)).toBeUndefined(); // applied already (header 2 ≤ 2): left alone
    const early = ahead.take(ms[2]!)!;
    expect(early.seq).toBe(4);
    expect(ahead.take(ms[2]!)).toBeUndefined();
    const s = sortOut(ms.slice(1), 2, 'p0', ahead);
    expect(seqs(s.fresh)).toEqual([3, 4]);
    expect(s.fresh[1]!.record).not.toBe(early); // taken already: decoded again
    const again = [msg(5, 15)];
    ahead.offer(again[0]!);
    await idle();
    expect(sortOut(again, 4, 'p0', ahead).fresh[0]!.record.seq).toBe(5);
  });

  it('keeps at most bytesMax decoded ahead, and goes on once a batch is taken', async () => {
    const ms = [msg(1, 1), msg(2, 2), msg(3, 3)];
    const ahead = new DecodeAhead('p0', ms[0]!.data.length * 2, () => 0);
    for (const m of ms) ahead.offer(m);
    await idle();
    expect(ahead.take(ms[2]!)).toBeUndefined(); // no room for a third
    ahead.taken([ms[0]!]);
    expect(ahead.take(ms[0]!)?.seq).toBe(1);
    await idle();
    expect(ahead.take(ms[1]!)?.seq).toBe(2);
    expect(ahead.take(ms[2]!)?.seq).toBe(3); // decoded once the first left the queue
  });

  it('skips what a batch took before its turn, and leaves bad records to sortOut', async () => {
    const junk = { ...msg(2, 2), data: new Uint8Array([1, 2, 3]) } as unknown as JsMsg;
    const ms = [msg(1, 1), junk, msg(3, 3, { partition: 'p1' })];
    const ahead = new DecodeAhead('p0', 1 << 20, () => 0);
    for (const m of ms) ahead.offer(m);
    ahead.taken([ms[0]!]);
    await idle();
    expect(ahead.take(ms[0]!)).toBeUndefined();
    expect(ahead.take(junk)).toBeUndefined();
    expect(ahead.take(ms[2]!)).toBeUndefined();
    expect(() => sortOut([junk], 1, 'p0', ahead)).toThrow(
      expect.objectContaining({ code: 'ASP_ERR_PROJECTOR_RECORD' }),
    );
  });
});
