/**
 * Flow control's pure core: how far behind the read models are, and how long the sequencer
 * should wait for them before it takes the next batch.
 *
 * Why: the sequencer can commit faster than a projector and its MongoDB-wire server can apply
 * (on two cores they take CPU from each other). Without a bound the read models fall behind
 * for as long as the load lasts — minutes of stale reads, and ASP_EVENTS growing without
 * limit. Like MongoDB's flow control (which throttles a primary whose secondaries lag), the
 * sequencer slows down while the read side is more than a target behind, so the throughput it
 * reports is the one the whole pipeline sustains. It never waits for a read side that makes
 * no progress: a stopped projector must not stop the writes.
 *
 * How: a pause before each batch, doubled at each poll that finds the lag above the target and
 * halved at each one that finds it under half the target (additive steps would take seconds to
 * find the right pause; halving and doubling take a few polls); above twice the target no batch
 * at all until the lag is back under. A pause rather than only a stop, so the sequencer can go
 * on with the CPU the read side leaves. In the broker load the read side's own chain (projector,
 * then its server, one after the other) bounds both alike: 40 s runs, one each, stopping at the
 * target 13,654 items/s with 1.59 of 2 cores busy, pausing 13,868 with 1.61.
 */

/** The first pause, and the longest. */
export const PAUSE_MS_MIN = 2;
export const PAUSE_MS_MAX = 500;

/** The read side's state as flow control sees it. */
export type FlowState =
  /** Flow control is off, or no projector has a consumer on this partition. */
  | 'idle'
  /** A live projector is within the target, or the pause is still coming down. */
  | 'open'
  /** A live projector is more than twice the target behind: take no new batch. */
  | 'throttled'
  /** The projector made no progress for the stall time: writes go on without it. */
  | 'stalled';

export const FLOW_STATES: readonly FlowState[] = ['idle', 'open', 'throttled', 'stalled'];

export interface FlowVerdict {
  state: FlowState;
  /** Age of the oldest committed record the read side has not applied, ms (0 when caught up). */
  lagMs: number;
  /** How long to wait before the next batch while `open`. */
  pauseMs: number;
}

/** Nothing to follow (off, or no projector): no lag, no pause. */
export const IDLE: FlowVerdict = { state: 'idle', lagMs: 0, pauseMs: 0 };

export interface FlowInputs {
  now: number;
  /** The last WAL seq committed (fsynced and handed to the relay). */
  committedSeq: number;
  /** The last seq the read side acknowledged; undefined when there is no read side to follow. */
  appliedSeq: number | undefined;
  /** When the read side last advanced, or was last seen caught up. */
  progressAt: number;
  commitTimes: CommitTimes;
  targetMs: number;
  stallMs: number;
  /** The pause the last verdict set. */
  pauseMs: number;
}

export function judge(i: FlowInputs): FlowVerdict {
  if (i.targetMs === 0 || i.appliedSeq === undefined) return IDLE;
  const behind = i.appliedSeq < i.committedSeq;
  const since = behind ? i.commitTimes.timeOf(i.appliedSeq + 1) : undefined;
  const lagMs = since === undefined ? 0 : Math.max(0, i.now - since);
  if (i.now - i.progressAt > i.stallMs) return { state: 'stalled', lagMs, pauseMs: 0 };
  const pauseMs = nextPause(i.pauseMs, lagMs, i.targetMs);
  return { state: lagMs > 2 * i.targetMs ? 'throttled' : 'open', lagMs, pauseMs };
}

function nextPause(pauseMs: number, lagMs: number, targetMs: number): number {
  if (lagMs > targetMs) return Math.min(PAUSE_MS_MAX, Math.max(PAUSE_MS_MIN, pauseMs * 2));
  if (lagMs > targetMs / 2) return pauseMs;
  const half = pauseMs / 2;
  return half < PAUSE_MS_MIN ? 0 : half;
}

/**
 * When each of the last `capacity` WAL records was committed. Seqs come in order without gaps
 * (one per batch); a seq older than those remembered answers with the oldest time remembered,
 * which is later than its own: the lag is then under-estimated, never over (and at
 * `capacity` records it is far above any sensible target anyway).
 */
export class CommitTimes {
  readonly #times: Float64Array;
  /** The seq held at index `seq % capacity` is in [first, last]. */
  #first = 0;
  #last = 0;

  constructor(capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1)
      throw new Error(`assertion failed: capacity ${capacity}`);
    this.#times = new Float64Array(capacity);
  }

  /**
   * Records that `seq` was committed at `at`. Records committed before this process started
   * (recovered from the WAL) are never noted: they count as committed at the first one noted.
   */
  note(seq: number, at: number): void {
    if (this.#last !== 0 && seq !== this.#last + 1) {
      throw new Error(`assertion failed: commit seq ${seq} after ${this.#last}`);
    }
    if (this.#last === 0) this.#first = seq;
    this.#last = seq;
    this.#times[seq % this.#times.length] = at;
    if (this.#last - this.#first >= this.#times.length) this.#first = this.#last - this.#times.length + 1;
  }

  /** The commit time of `seq`; undefined for a seq not committed in this process's memory yet. */
  timeOf(seq: number): number | undefined {
    if (this.#last === 0 || seq > this.#last) return undefined;
    return this.#times[Math.max(seq, this.#first) % this.#times.length];
  }
}
