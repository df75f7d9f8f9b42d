/**
 * Flow control's pure core: how far behind the read models are, and how many commands a
 * second the sequencer may take so they stay within the target.
 *
 * Why: the sequencer can commit faster than a projector and its MongoDB-wire server can apply
 * (on two cores they take CPU from each other). Without a bound the read models fall behind
 * for as long as the load lasts — minutes of stale reads, and ASP_EVENTS growing without
 * limit. Like MongoDB's flow control (which throttles a primary whose secondaries lag), the
 * sequencer slows down while the read side is behind, so the throughput it reports is the one
 * the whole pipeline sustains. It never waits for a read side that makes no progress: a
 * stopped projector must not stop the writes.
 *
 * How: a rate, not a pause. The read side's own pace — the commands it applied over the last
 * RATE_WINDOW_MS — is what the pipeline can sustain; the sequencer may take that many times a
 * gain that falls with the lag: twice as many with nothing behind, as many at the target, half
 * as many from half a target above it. So the read side always has work and the writes never
 * run far ahead of it. The pause this replaces (doubled above the target, halved below half of
 * it) swung between bursts and a standstill: in `pnpm bench broker` the answered rate went 6k,
 * 24k, 6k, 27k items/s second by second, the read side idle in the troughs. Below half the
 * target there is no limit; above twice it no batch at all until the lag is back under.
 */

/** The window over which the read side's pace is measured: several projector batches. */
export const RATE_WINDOW_MS = 2000;
/** The lowest rate set: a paced sequencer still takes a batch now and then. */
export const RATE_MIN = 50;
/**
 * The lag is held at the target times this. The projector applies what is behind in one go,
 * and a bigger backlog is cheaper per command (fewer, fuller writes to its server): held at
 * 0.5 or 0.75 of the target, `pnpm bench single` answered 4–19% fewer items/s than the pause
 * this replaces (its FerretDB spent 20–37 µs more per command); at the target, within the noise.
 */
export const SETPOINT = 1;
/** The gain's range (see `gainOf`). */
export const GAIN_MIN = 0.5;
export const GAIN_MAX = 2;
/**
 * A rate is lifted when the sequencer used less than this share of it over the window, with
 * the lag under a quarter of the target: the limit is not what holds the writes back (a light
 * load), so it would only delay bursts.
 */
export const LIFT_USE_MAX = 0.6;

/** The read side's state as flow control sees it. */
export type FlowState =
  /** Flow control is off, or no projector has a consumer on this partition. */
  | 'idle'
  /** A live projector keeps up: no limit. */
  | 'open'
  /** A live projector is behind: the sequencer takes at most `rate` commands a second. */
  | 'paced'
  /** A live projector is more than twice the target behind: take no new batch. */
  | 'throttled'
  /** The projector made no progress for the stall time: writes go on without it. */
  | 'stalled';

export const FLOW_STATES: readonly FlowState[] = ['idle', 'open', 'paced', 'throttled', 'stalled'];

export interface FlowVerdict {
  state: FlowState;
  /** Age of the oldest committed record the read side has not applied, ms (0 when caught up). */
  lagMs: number;
  /** Commands a second the sequencer may take; 0: no limit. */
  rate: number;
}

/** Nothing to follow (off, or no projector): no lag, no limit. */
export const IDLE: FlowVerdict = { state: 'idle', lagMs: 0, rate: 0 };

export interface FlowInputs {
  now: number;
  /** The last WAL seq committed (fsynced and handed to the relay). */
  committedSeq: number;
  /** The last seq the read side acknowledged; undefined when there is no read side to follow. */
  appliedSeq: number | undefined;
  /** When the read side last advanced, or was last seen caught up. */
  progressAt: number;
  commits: CommitLog;
  /** Commands a second over the last window: applied by the read side, committed by us. */
  pace: Pace | undefined;
  targetMs: number;
  stallMs: number;
  /** The rate the last verdict set (0: none). */
  rate: number;
}

export interface Pace {
  applied: number;
  committed: number;
}

function lagOf(i: Pick<FlowInputs, 'now' | 'committedSeq' | 'appliedSeq' | 'commits'>): number {
  if (i.appliedSeq === undefined || i.appliedSeq >= i.committedSeq) return 0;
  const since = i.commits.timeOf(i.appliedSeq + 1);
  return since === undefined ? 0 : Math.max(0, i.now - since);
}

export function judge(i: FlowInputs): FlowVerdict {
  if (i.targetMs === 0 || i.appliedSeq === undefined) return IDLE;
  const lagMs = lagOf(i);
  if (i.now - i.progressAt > i.stallMs) return { state: 'stalled', lagMs, rate: 0 };
  if (lagMs > 2 * i.targetMs) return { state: 'throttled', lagMs, rate: i.rate };
  // Without a window of history there is no pace to follow yet: no limit until there is.
  if (i.pace === undefined) return { state: 'open', lagMs, rate: 0 };
  const limited = i.rate > 0;
  if (!limited && lagMs < i.targetMs / 2) return { state: 'open', lagMs, rate: 0 };
  if (limited && lagMs < i.targetMs / 4 && i.pace.committed < LIFT_USE_MAX * i.rate) {
    return { state: 'open', lagMs, rate: 0 };
  }
  const rate = Math.max(RATE_MIN, i.pace.applied * gainOf(lagMs, i.targetMs));
  return { state: 'paced', lagMs, rate };
}

/**
 * GAIN_MAX with nothing behind, 1 at SETPOINT times the target (where the lag is held),
 * GAIN_MIN half a target above that — linear between.
 */
export function gainOf(lagMs: number, targetMs: number): number {
  const hold = SETPOINT * targetMs;
  const g =
    lagMs <= hold
      ? GAIN_MAX - ((GAIN_MAX - 1) * lagMs) / hold
      : 1 - ((1 - GAIN_MIN) * (lagMs - hold)) / (targetMs / 2);
  return Math.min(GAIN_MAX, Math.max(GAIN_MIN, g));
}

/**
 * When each of the last `capacity` WAL records was committed, and how many commands had been
 * committed up to it. Seqs come in order without gaps (one per batch). A seq older than those
 * remembered answers with the oldest time remembered, which is later than its own (the lag is
 * then under-estimated, never over; at `capacity` records it is far above any sensible target
 * anyway), and with the commands counted before the oldest remembered.
 */
export class CommitLog {
  readonly #times: Float64Array;
  /** Commands committed in this process up to and including the seq at the same index. */
  readonly #counts: Float64Array;
  /** The seq held at index `seq % capacity` is in [first, last]. */
  #first = 0;
  #last = 0;
  #total = 0;
  /** Commands of the seqs no longer remembered. */
  #forgotten = 0;

  constructor(capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1)
      throw new Error(`assertion failed: capacity ${capacity}`);
    this.#times = new Float64Array(capacity);
    this.#counts = new Float64Array(capacity);
  }

  /** Commands committed since this process started. */
  get total(): number {
    return this.#total;
  }

  /**
   * Records that `seq`, holding `commands`, was committed at `at`. Records committed before this
   * process started (recovered from the WAL) are never noted: they count as committed at the
   * first one noted, with no commands.
   */
  note(seq: number, at: number, commands: number): void {
    if (this.#last !== 0 && seq !== this.#last + 1) {
      throw new Error(`assertion failed: commit seq ${seq} after ${this.#last}`);
    }
    const cap = this.#times.length;
    if (this.#last === 0) this.#first = seq;
    else if (seq - this.#first >= cap) {
      this.#forgotten = this.#counts[this.#first % cap]!;
      this.#first++;
    }
    this.#last = seq;
    this.#total += commands;
    this.#times[seq % cap] = at;
    this.#counts[seq % cap] = this.#total;
  }

  /** The commit time of `seq`; undefined for a seq not committed in this process's memory yet. */
  timeOf(seq: number): number | undefined {
    if (this.#last === 0 || seq > this.#last) return undefined;
    return this.#times[Math.max(seq, this.#first) % this.#times.length];
  }

  /** Commands committed in this process up to and including `seq` (a lower bound for a forgotten seq). */
  commandsThrough(seq: number): number {
    if (this.#last === 0) return 0;
    if (seq < this.#first) return this.#forgotten;
    return this.#counts[Math.min(seq, this.#last) % this.#counts.length]!;
  }
}

/**
 * The pace of the last RATE_WINDOW_MS from samples of two running totals (commands applied by
 * the read side, committed by us) taken at each poll. Bounded: samples older than the window
 * are dropped as new ones come.
 */
export class PaceWindow {
  readonly #samples: { at: number; applied: number; committed: number }[] = [];

  add(at: number, applied: number, committed: number): void {
    this.#samples.push({ at, applied, committed });
    // Keep one sample at or before the window's start: the base the rates are taken from.
    while (this.#samples.length > 2 && this.#samples[1]!.at <= at - RATE_WINDOW_MS) this.#samples.shift();
  }

  /** Undefined until the samples span most of a window: a shorter one is one projector batch. */
  pace(): Pace | undefined {
    const first = this.#samples[0];
    const last = this.#samples.at(-1);
    if (!first || !last || last.at - first.at < (RATE_WINDOW_MS * 3) / 4) return undefined;
    const s = (last.at - first.at) / 1000;
    // Applied can go back (the read side's consumer made again for a rebuild): no pace, not a negative one.
    return {
      applied: Math.max(0, last.applied - first.applied) / s,
      committed: (last.committed - first.committed) / s,
    };
  }

  clear(): void {
    this.#samples.length = 0;
  }
}

/**
 * A token bucket of commands: a batch is taken whole (never split) and may leave the bucket in
 * debt; the next one waits until the debt is paid. Burst: BURST_MS of the rate.
 */
export class Pacer {
  static readonly BURST_MS = 100;
  #rate = 0;
  #tokens = 0;
  #at = 0;

  /** A new limit (0: none) starts from an empty bucket: it meets a sequencer that was running free. */
  setRate(rate: number, now: number): void {
    if (rate === this.#rate) return;
    if (this.#rate > 0 && rate > 0) this.#refill(now);
    else this.#tokens = 0;
    this.#rate = rate;
    this.#at = now;
  }

  admit(commands: number, now: number): void {
    if (this.#rate === 0) return;
    this.#refill(now);
    this.#tokens -= commands;
  }

  /** How long until the next batch may be taken; 0: now. */
  waitMs(now: number): number {
    if (this.#rate === 0) return 0;
    this.#refill(now);
    return this.#tokens >= 0 ? 0 : (-this.#tokens / this.#rate) * 1000;
  }

  #refill(now: number): void {
    const burst = (this.#rate * Pacer.BURST_MS) / 1000;
    this.#tokens = Math.min(burst, this.#tokens + ((now - this.#at) * this.#rate) / 1000);
    this.#at = now;
  }
}
