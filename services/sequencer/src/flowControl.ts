import { EVENTS_STREAM } from '@asp/protocol';
import type { Logger } from '@asp/service';
import type { JetStreamManager } from '@nats-io/jetstream';
import { CommitTimes, FLOW_STATES, type FlowState, type FlowVerdict, IDLE, judge } from './flow.ts';
import type { SequencerMetrics } from './metrics.ts';

export interface FlowControlOptions {
  jsm: JetStreamManager;
  /** The read side's durable consumer on ASP_EVENTS. */
  consumer: string;
  /** 0 turns flow control off. */
  targetMs: number;
  pollMs: number;
  stallMs: number;
  /** The last WAL seq the relay has in ASP_EVENTS. */
  publishedSeq: () => number;
  metrics: SequencerMetrics;
  log: Logger;
}

/**
 * Commit times kept: ~22 minutes of records at the broker load's ~12 a second, ~6 minutes at
 * `single`'s ~44 (unthrottled: 378 records in 30 s; 11,157 commands/s in batches of ~256).
 */
const COMMIT_TIMES_MAX = 16_384;

/**
 * Flow control's I/O: every `pollMs` it reads the projector's consumer on ASP_EVENTS (records
 * of this partition not yet acknowledged = the read side's position) and judges (flow.ts)
 * how long the committer waits before its next batch. The committer calls `ready()` before
 * each take; it answers at once unless a pause is set or the state is `throttled`.
 *
 * A failed poll (NATS down, no such consumer) never throttles: flow control fails open.
 */
export class FlowControl {
  readonly #o: FlowControlOptions;
  readonly #times = new CommitTimes(COMMIT_TIMES_MAX);
  #committedSeq = 0;
  #applied: number | undefined;
  #progressAt = Date.now();
  #verdict: FlowVerdict = IDLE;
  #timer: NodeJS.Timeout | undefined;
  #polling = false;
  #waiters: (() => void)[] = [];
  #stopped = false;

  constructor(o: FlowControlOptions) {
    this.#o = o;
    this.#show();
  }

  get verdict(): FlowVerdict {
    return this.#verdict;
  }

  /** `walLastSeq`: records recovered from the WAL count as committed (at an unknown time). */
  start(walLastSeq: number): void {
    this.#committedSeq = walLastSeq;
    if (this.#o.targetMs === 0) return;
    this.#timer = setInterval(() => void this.#poll(), this.#o.pollMs);
    this.#timer.unref();
  }

  /** Releases every waiter for good: a draining sequencer takes what it was delivered. */
  stop(): void {
    this.#stopped = true;
    clearInterval(this.#timer);
    this.#release();
  }

  /** A record is durable and handed to the relay. */
  committed(seq: number): void {
    this.#committedSeq = seq;
    this.#times.note(seq, Date.now());
  }

  /**
   * Undefined when the committer may go on now; else a promise that resolves when it may: after
   * the pause, or (throttled) once a poll finds the lag back under twice the target.
   */
  ready(): Promise<void> | undefined {
    const { state, pauseMs } = this.#verdict;
    if (this.#stopped || (state !== 'throttled' && pauseMs === 0)) return undefined;
    const since = performance.now();
    return new Promise<void>((resolve) => {
      let settled = false;
      const done = () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.#o.metrics.flowWaitSeconds.inc((performance.now() - since) / 1000);
        resolve();
      };
      const timer = state === 'throttled' ? undefined : setTimeout(done, pauseMs);
      this.#waiters.push(done);
    });
  }

  async #poll(): Promise<void> {
    if (this.#polling || this.#stopped) return;
    this.#polling = true;
    try {
      // Read before the request: a record published while it runs then counts as not applied,
      // so the lag can only come out a record too high, never too low.
      const published = this.#o.publishedSeq();
      const applied = await this.#readApplied(published);
      const now = Date.now();
      if (applied !== undefined && (applied > (this.#applied ?? -1) || applied >= this.#committedSeq)) {
        this.#progressAt = now;
      }
      this.#applied = applied;
      this.#judge(now);
    } finally {
      this.#polling = false;
    }
  }

  async #readApplied(published: number): Promise<number | undefined> {
    try {
      const info = await this.#o.jsm.consumers.info(EVENTS_STREAM, this.#o.consumer);
      return Math.max(0, published - info.num_pending - info.num_ack_pending);
    } catch (err) {
      // No projector yet (consumer not found), or NATS unreachable: nothing to follow.
      if (this.#applied !== undefined) {
        this.#o.log.warn({ err: String(err) }, 'flow control: cannot read the read side; not throttling');
      }
      return undefined;
    }
  }

  #judge(now: number): void {
    const before = this.#verdict.state;
    this.#verdict = judge({
      now,
      committedSeq: this.#committedSeq,
      appliedSeq: this.#applied,
      progressAt: this.#progressAt,
      commitTimes: this.#times,
      targetMs: this.#o.targetMs,
      stallMs: this.#o.stallMs,
      pauseMs: this.#verdict.pauseMs,
    });
    const state = this.#verdict.state;
    if (state !== before) this.#changed(before, state);
    this.#show();
    if (before === 'throttled' && state !== 'throttled') this.#release();
  }

  #changed(before: FlowState, state: FlowState): void {
    const fields = { from: before, to: state, lagMs: Math.round(this.#verdict.lagMs) };
    if (state === 'stalled') {
      this.#o.log.warn(
        { ...fields, stallMs: this.#o.stallMs },
        'flow control: the read models made no progress; writes go on without waiting for them',
      );
    } else {
      this.#o.log.debug(fields, 'flow control state');
    }
  }

  #show(): void {
    const m = this.#o.metrics;
    m.flowLagSeconds.set(this.#verdict.lagMs / 1000);
    m.flowPauseSeconds.set(this.#verdict.pauseMs / 1000);
    for (const s of FLOW_STATES) m.flowState.set({ state: s }, s === this.#verdict.state ? 1 : 0);
  }

  /** Wakes every waiter, a pause before its time too: when a throttle ends, and at stop(). */
  #release(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }
}
