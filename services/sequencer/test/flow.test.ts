import { describe, expect, it } from 'vitest';
import { CommitTimes, type FlowInputs, judge, PAUSE_MS_MAX, PAUSE_MS_MIN } from '../src/flow.ts';

function times(from: number, to: number, at: (seq: number) => number): CommitTimes {
  const t = new CommitTimes(8);
  for (let s = from; s <= to; s++) t.note(s, at(s));
  return t;
}

const base = (over: Partial<FlowInputs>): FlowInputs => ({
  now: 10_000,
  committedSeq: 10,
  appliedSeq: 10,
  progressAt: 10_000,
  commitTimes: times(1, 10, (s) => s * 1000),
  targetMs: 1000,
  stallMs: 5000,
  pauseMs: 0,
  ...over,
});

describe('CommitTimes', () => {
  it('answers the commit time of each remembered seq, and the oldest one for older seqs', () => {
    const t = times(5, 20, (s) => s * 10);
    expect(t.timeOf(20)).toBe(200);
    expect(t.timeOf(13)).toBe(130);
    // Capacity 8: 13..20 are remembered; older seqs answer 13's time (a lower bound of their lag).
    expect(t.timeOf(12)).toBe(130);
    expect(t.timeOf(1)).toBe(130);
    expect(t.timeOf(21)).toBeUndefined();
    expect(new CommitTimes(4).timeOf(1)).toBeUndefined();
  });

  it('refuses a seq out of order (a programmer error)', () => {
    const t = times(1, 3, () => 0);
    expect(() => t.note(5, 0)).toThrow(/commit seq 5 after 3/);
    expect(() => t.note(3, 0)).toThrow(/commit seq 3 after 3/);
  });
});

describe('judge', () => {
  it('is idle when off or when there is no read side to follow', () => {
    expect(judge(base({ targetMs: 0, appliedSeq: 1 }))).toEqual({ state: 'idle', lagMs: 0, pauseMs: 0 });
    expect(judge(base({ appliedSeq: undefined, pauseMs: 64 }))).toEqual({
      state: 'idle',
      lagMs: 0,
      pauseMs: 0,
    });
  });

  it('measures the lag from the commit of the oldest record not applied', () => {
    expect(judge(base({ appliedSeq: 10 })).lagMs).toBe(0);
    // Record 9 committed at 9,000: at 10,000 it is 1 s old.
    expect(judge(base({ appliedSeq: 8 })).lagMs).toBe(1000);
    expect(judge(base({ appliedSeq: 3 })).lagMs).toBe(6000);
    // Records recovered from the WAL have no commit time in memory: no lag is made up for them.
    expect(judge(base({ committedSeq: 12, appliedSeq: 11 })).lagMs).toBe(0);
  });

  it('doubles the pause above the target, keeps it between half and the target, halves it below', () => {
    const lagOf = (lagMs: number) => ({ appliedSeq: 9, now: 10_000 + lagMs });
    expect(judge(base({ ...lagOf(1001), pauseMs: 0 })).pauseMs).toBe(PAUSE_MS_MIN);
    expect(judge(base({ ...lagOf(1500), pauseMs: 40 }))).toMatchObject({ state: 'open', pauseMs: 80 });
    expect(judge(base({ ...lagOf(1500), pauseMs: PAUSE_MS_MAX })).pauseMs).toBe(PAUSE_MS_MAX);
    expect(judge(base({ ...lagOf(700), pauseMs: 40 })).pauseMs).toBe(40);
    expect(judge(base({ ...lagOf(400), pauseMs: 40 })).pauseMs).toBe(20);
    expect(judge(base({ ...lagOf(400), pauseMs: 3 })).pauseMs).toBe(0);
  });

  it('stops above twice the target', () => {
    expect(judge(base({ appliedSeq: 9, now: 12_001 })).state).toBe('throttled');
    expect(judge(base({ appliedSeq: 9, now: 12_000 })).state).toBe('open');
  });

  it('never waits for a read side that made no progress for the stall time', () => {
    const v = judge(base({ appliedSeq: 2, now: 15_001, progressAt: 10_000, pauseMs: 200 }));
    expect(v).toEqual({ state: 'stalled', lagMs: 12_001, pauseMs: 0 });
    expect(judge(base({ appliedSeq: 2, now: 15_000, progressAt: 10_000 })).state).toBe('throttled');
  });
});
