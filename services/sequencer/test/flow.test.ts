import { describe, expect, it } from 'vitest';
import {
  CommitLog,
  type FlowInputs,
  GAIN_MAX,
  GAIN_MIN,
  gainOf,
  judge,
  Pacer,
  PaceWindow,
  RATE_MIN,
  SETPOINT,
} from '../src/flow.ts';

/** Seqs `from`..`to` committed at `at(seq)`, 100 commands each. */
function log(from: number, to: number, at: (seq: number) => number, capacity = 8): CommitLog {
  const l = new CommitLog(capacity);
  for (let s = from; s <= to; s++) l.note(s, at(s), 100);
  return l;
}

const base = (over: Partial<FlowInputs>): FlowInputs => ({
  now: 10_000,
  committedSeq: 10,
  appliedSeq: 10,
  progressAt: 10_000,
  commits: log(1, 10, (s) => s * 1000),
  pace: { applied: 10_000, committed: 10_000 },
  targetMs: 1000,
  stallMs: 5000,
  rate: 0,
  ...over,
});

/** Record 9 was committed at 9,000: applied through 8, the lag is `now` − 9,000. */
const lagOf = (lagMs: number): Partial<FlowInputs> => ({
  appliedSeq: 8,
  now: 9000 + lagMs,
  progressAt: 9000 + lagMs,
});

describe('CommitLog', () => {
  it('answers the commit time of each remembered seq, and the oldest one for older seqs', () => {
    const l = log(5, 20, (s) => s * 10);
    expect(l.timeOf(20)).toBe(200);
    expect(l.timeOf(13)).toBe(130);
    // Capacity 8: 13..20 are remembered; older seqs answer 13's time (a lower bound of their lag).
    expect(l.timeOf(12)).toBe(130);
    expect(l.timeOf(1)).toBe(130);
    expect(l.timeOf(21)).toBeUndefined();
    expect(new CommitLog(4).timeOf(1)).toBeUndefined();
  });

  it('counts the commands committed through a seq, forgotten ones as a lower bound', () => {
    const l = log(5, 20, () => 0);
    expect(l.total).toBe(1600);
    expect(l.commandsThrough(20)).toBe(1600);
    expect(l.commandsThrough(25)).toBe(1600);
    expect(l.commandsThrough(13)).toBe(900);
    // 5..12 are forgotten: all 800 of their commands count as applied through any of them.
    expect(l.commandsThrough(12)).toBe(800);
    expect(l.commandsThrough(6)).toBe(800);
    // Seqs recovered from the WAL, before the first noted, hold no commands of this process.
    expect(log(5, 7, () => 0).commandsThrough(4)).toBe(0);
    expect(new CommitLog(4).commandsThrough(3)).toBe(0);
  });

  it('refuses a seq out of order (a programmer error)', () => {
    const l = log(1, 3, () => 0);
    expect(() => l.note(5, 0, 1)).toThrow(/commit seq 5 after 3/);
    expect(() => l.note(3, 0, 1)).toThrow(/commit seq 3 after 3/);
  });
});

describe('PaceWindow', () => {
  it('has no pace until its samples span most of a window', () => {
    const w = new PaceWindow();
    w.add(0, 0, 0);
    w.add(1000, 500, 800);
    expect(w.pace()).toBeUndefined();
    w.add(1500, 1000, 1200);
    expect(w.pace()).toEqual({ applied: 1000 / 1.5, committed: 1200 / 1.5 });
  });

  it('measures over the last window only', () => {
    const w = new PaceWindow();
    for (let t = 0; t <= 10_000; t += 100) w.add(t, t < 5000 ? 0 : (t - 5000) * 3, t * 2);
    // The base kept is the last sample at or before 10,000 − RATE_WINDOW_MS.
    expect(w.pace()).toEqual({ applied: 3000, committed: 2000 });
    // A read side that starts over (its consumer made again): its pace is 0, not negative.
    w.add(10_100, 0, 20_200);
    expect(w.pace()?.applied).toBe(0);
    w.clear();
    expect(w.pace()).toBeUndefined();
  });
});

describe('gainOf', () => {
  it('is GAIN_MAX caught up, 1 at the setpoint, GAIN_MIN half a target above it', () => {
    const hold = SETPOINT * 1000;
    expect(gainOf(0, 1000)).toBe(GAIN_MAX);
    expect(gainOf(hold / 2, 1000)).toBeCloseTo((GAIN_MAX + 1) / 2);
    expect(gainOf(hold, 1000)).toBe(1);
    expect(gainOf(hold + 250, 1000)).toBeCloseTo((1 + GAIN_MIN) / 2);
    expect(gainOf(hold + 500, 1000)).toBe(GAIN_MIN);
    expect(gainOf(hold + 5000, 1000)).toBe(GAIN_MIN);
  });
});

describe('judge', () => {
  it('is idle when off or when there is no read side to follow', () => {
    expect(judge(base({ targetMs: 0, appliedSeq: 1 }))).toEqual({ state: 'idle', lagMs: 0, rate: 0 });
    expect(judge(base({ appliedSeq: undefined, rate: 640 }))).toEqual({ state: 'idle', lagMs: 0, rate: 0 });
  });

  it('measures the lag from the commit of the oldest record not applied', () => {
    expect(judge(base({ appliedSeq: 10 })).lagMs).toBe(0);
    // Record 9 committed at 9,000: at 10,000 it is 1 s old.
    expect(judge(base({ appliedSeq: 8 })).lagMs).toBe(1000);
    expect(judge(base({ appliedSeq: 3, progressAt: 10_000 })).lagMs).toBe(6000);
    // Records recovered from the WAL have no commit time in memory: no lag is made up for them.
    expect(judge(base({ committedSeq: 12, appliedSeq: 11 })).lagMs).toBe(0);
  });

  it('sets no limit while the lag is under half the target, or before a window of pace', () => {
    expect(judge(base(lagOf(499)))).toEqual({ state: 'open', lagMs: 499, rate: 0 });
    expect(judge(base({ ...lagOf(900), pace: undefined }))).toEqual({ state: 'open', lagMs: 900, rate: 0 });
  });

  it('paces at the read side pace times the gain of the lag', () => {
    const hold = SETPOINT * 1000;
    expect(judge(base(lagOf(hold)))).toEqual({ state: 'paced', lagMs: hold, rate: 10_000 });
    expect(judge(base(lagOf(500))).rate).toBeCloseTo(10_000 * gainOf(500, 1000));
    expect(judge(base(lagOf(hold + 500)))).toEqual({
      state: 'paced',
      lagMs: hold + 500,
      rate: 10_000 * GAIN_MIN,
    });
    // Once paced it stays paced as the lag falls, the rate rising to GAIN_MAX times the pace.
    expect(judge(base({ ...lagOf(0), rate: 9000 }))).toEqual({
      state: 'paced',
      lagMs: 0,
      rate: 10_000 * GAIN_MAX,
    });
    // A read side that applied nothing in the window (but is not stalled yet): the floor.
    expect(judge(base({ ...lagOf(800), pace: { applied: 0, committed: 0 } })).rate).toBe(RATE_MIN);
  });

  it('lifts a limit the writes do not use, once the lag is under a quarter of the target', () => {
    const light = { pace: { applied: 5000, committed: 5000 }, rate: 10_000 };
    expect(judge(base({ ...lagOf(200), ...light }))).toEqual({ state: 'open', lagMs: 200, rate: 0 });
    // Used: the limit is what holds the writes at this pace.
    expect(judge(base({ ...lagOf(200), ...light, pace: { applied: 5000, committed: 6500 } })).state).toBe(
      'paced',
    );
    // Not used, but the lag is not low enough yet.
    expect(judge(base({ ...lagOf(300), ...light })).state).toBe('paced');
  });

  it('stops above twice the target, keeping the rate it had', () => {
    expect(judge(base({ ...lagOf(2001), rate: 700 }))).toEqual({
      state: 'throttled',
      lagMs: 2001,
      rate: 700,
    });
    expect(judge(base(lagOf(2000))).state).toBe('paced');
  });

  it('never waits for a read side that made no progress for the stall time', () => {
    const v = judge(base({ appliedSeq: 2, now: 15_001, progressAt: 10_000, rate: 200 }));
    expect(v).toEqual({ state: 'stalled', lagMs: 12_001, rate: 0 });
    expect(judge(base({ appliedSeq: 2, now: 15_000, progressAt: 10_000 })).state).toBe('throttled');
  });
});

describe('Pacer', () => {
  it('lets everything through without a rate', () => {
    const p = new Pacer();
    p.admit(1_000_000, 0);
    expect(p.waitMs(0)).toBe(0);
  });

  it('takes a batch whole and makes the next one wait until the debt is paid', () => {
    const p = new Pacer();
    p.setRate(1000, 0);
    // A new limit starts from an empty bucket.
    expect(p.waitMs(0)).toBe(0);
    p.admit(500, 0);
    expect(p.waitMs(0)).toBe(500);
    expect(p.waitMs(400)).toBeCloseTo(100);
    expect(p.waitMs(500)).toBe(0);
  });

  it('saves at most a burst of BURST_MS while idle', () => {
    const p = new Pacer();
    p.setRate(1000, 0);
    // Idle for 10 s: only 100 ms of the rate (100 commands) is saved.
    p.admit(300, 10_000);
    expect(p.waitMs(10_000)).toBeCloseTo(200);
  });

  it('carries the debt into a new rate, and drops it when the limit is lifted', () => {
    const p = new Pacer();
    p.setRate(1000, 0);
    p.admit(1000, 0);
    p.setRate(2000, 500);
    // 500 of the debt paid at 1,000/s; the other 500 at 2,000/s.
    expect(p.waitMs(500)).toBeCloseTo(250);
    p.setRate(0, 500);
    expect(p.waitMs(500)).toBe(0);
    p.setRate(2000, 600);
    expect(p.waitMs(600)).toBe(0);
  });
});
