import { PullQueue, type Taken } from '@asp/nats';
import type { Consumer, JsMsg } from '@nats-io/jetstream';
import type { DecodeAhead } from './records.ts';

export interface TakeLimits {
  recordsMax: number;
  bytesMax: number;
  /** Once a batch has begun, how long to wait for more records while it is below its limits (default 0). */
  lingerMs?: number;
}

/**
 * A consumer read in batches: `take()` waits (up to `waitMs`) for the first
 * record, then takes what is already queued (and, with a linger, what comes
 * within it), so a batch leaves at once under light load and grows with the
 * backlog under heavy load. The same idea as the sequencer's intake, plus the
 * timeout an idle projector needs to look for a rebuild's fence.
 *
 * The records are pumped into a queue while a batch is being written (see
 * PullQueue): a lagging projector's next batch is as large as its limits
 * allow, not the 100 records nats.js alone would have buffered. With the
 * `single` scenario's records 11 batches became 6, and FerretDB's CPU fell
 * by ~40% (docs/read-models.md, "Deleting replaced documents").
 */
export class Intake {
  readonly #q: PullQueue;
  readonly #ahead: DecodeAhead | undefined;

  private constructor(q: PullQueue, ahead: DecodeAhead | undefined) {
    this.#q = q;
    this.#ahead = ahead;
  }

  /** `ahead`: decodes the records as they are queued (see DecodeAhead). */
  static async open(
    consumer: Consumer,
    window: { recordsMax: number; bytesMax: number; payloadMax?: number; endWhenGone?: boolean },
    ahead?: DecodeAhead,
  ): Promise<Intake> {
    // A record is one sequencer batch, 200 B to megabytes: the window is bounded both ways.
    const q = await PullQueue.open(consumer, {
      messagesMax: window.recordsMax,
      bytesMax: window.bytesMax,
      payloadMax: window.payloadMax,
      endWhenGone: window.endWhenGone,
      ...(ahead ? { onQueued: (m: JsMsg) => ahead.offer(m) } : {}),
    });
    return new Intake(q, ahead);
  }

  /** Records queued behind the batches taken so far. */
  get queued(): number {
    return this.#q.queued;
  }

  get queuedBytes(): number {
    return this.#q.queuedBytes;
  }

  /** Why the consumer ended, when the client ended it (see PullQueue.failure). */
  get failure(): Error | undefined {
    return this.#q.failure;
  }

  /** The next batch; [] when nothing came within `waitMs`; undefined once closed. */
  async take(limits: TakeLimits, waitMs: number): Promise<JsMsg[] | undefined> {
    const q = this.#q;
    if (!(await q.wait(waitMs))) return [];
    if (q.queued === 0) return undefined;
    const batch: Taken = { msgs: [], bytes: 0 };
    const bounds = { messagesMax: limits.recordsMax, bytesMax: limits.bytesMax };
    const until = Date.now() + (limits.lingerMs ?? 0);
    for (;;) {
      if (q.takeInto(batch, bounds)) break;
      const left = until - Date.now();
      if (batch.msgs.length >= limits.recordsMax || left <= 0 || q.ended) break;
      if (!(await q.wait(left))) break;
    }
    this.#ahead?.taken(batch.msgs);
    return batch.msgs;
  }

  /**
   * Stops pulling; delivered records not acknowledged are redelivered (or
   * dropped with the consumer).
   */
  async close(): Promise<void> {
    await this.#q.close();
  }
}
