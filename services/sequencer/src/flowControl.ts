import { EVENTS_STREAM } from '@asp/protocol';
import type { Logger } from '@asp/service';
import type { JetStreamManager } from '@nats-io/jetstream';
import {
  CommitLog,
  FLOW_STATES,
  type FlowState,
  type FlowVerdict,
  IDLE,
  judge,
  Pacer,
  PaceWindow,
} from './flow.ts';
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
 * Commits remembered: ~22 minutes of records at the broker load's ~12 a second, ~6 minutes at
 * `single`'s ~44 (unthrottled: 378 records in 30 s; 11,157 commands/s in batches of ~256).
 */
const COMMITS_MAX = 16_384;

/**
 * Flow control's I/O: every `pollMs` it reads the projector's consumer on ASP_EVENTS (records
 * of this partition not yet acknowledged = the read side's position) and judges (flow.ts)
 * the rate the committer may take commands at. The committer calls `ready()` before each take
 * and `admitted()` with the commands it took; `ready()` answers at once unless the rate's
 * bucket is in debt or the state is `throttled`.
 *
 * A failed poll (NATS down, no such consumer) never throttles: flow control fails open.
 */
export class FlowControl {
  readonly #o: FlowControlOptions;
  readonly #commits = new CommitLog(COMMITS_MAX);
  readonly #window = new PaceWindow();
  readonly #pacer = new Pacer();
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

  /** A record of `commands` commands is durable and handed to the relay. */
  committed(seq: number, commands: number): void {
    this.#committedSeq = seq;
    this.#commits.note(seq, Date.now(), commands);
  }

  /** The committer took a batch of `commands` commands: they count against the rate. */
  admitted(commands: number): void {
    this.#pacer.admit(commands, Date.now());
  }

  /**
   * Undefined when the committer may go on now; else a promise that resolves when it may: once
   * the rate allows the next batch, or (throttled) once a poll finds the lag back under twice
   * the target.
   */
  ready(): Promise<void> | undefined {
    const ms = this.#blocked();
    return ms === 0 ? undefined : this.#wait(ms);
  }

  /** 0: go; Infinity: until a poll says otherwise; else ms until the rate allows a batch. */
  #blocked(): number {
    if (this.#stopped) return 0;
    if (this.#verdict.state === 'throttled') return Number.POSITIVE_INFINITY;
    return this.#pacer.waitMs(Date.now());
  }

  async #wait(first: number): Promise<void> {
    const since = performance.now();
    // Asked again after every wake: a poll may have changed the rate or ended a throttle.
    for (let ms = first; ms > 0; ms = this.#blocked()) {
      await new Promise<void>((resolve) => {
        const timer = ms === Number.POSITIVE_INFINITY ? undefined : setTimeout(resolve, Math.ceil(ms));
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    this.#o.metrics.flowWaitSeconds.inc((performance.now() - since) / 1000);
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
      if (applied === undefined) this.#window.clear();
      else this.#window.add(now, this.#commits.commandsThrough(applied), this.#commits.total);
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
      commits: this.#commits,
      pace: this.#window.pace(),
      targetMs: this.#o.targetMs,
      stallMs: this.#o.stallMs,
      rate: this.#verdict.rate,
    });
    this.#pacer.setRate(this.#verdict.rate, now);
    const state = this.#verdict.state;
    if (state !== before) this.#changed(before, state);
    this.#show();
    // Waiters ask again: the rate may have changed, a throttle ended.
    this.#release();
  }

  #changed(before: FlowState, state: FlowState): void {
    const { lagMs, rate } = this.#verdict;
    const fields = { from: before, to: state, lagMs: Math.round(lagMs), rate: Math.round(rate) };
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
    m.flowRateLimit.set(this.#verdict.rate);
    for (const s of FLOW_STATES) m.flowState.set({ state: s }, s === this.#verdict.state ? 1 : 0);
  }

  /** Wakes every waiter to ask again: after each poll, and at stop() (then they go). */
  #release(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }
}
