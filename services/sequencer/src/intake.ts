import { PullQueue, type Taken } from '@asp/nats';
import type { Consumer, JsMsg } from '@nats-io/jetstream';

export interface IntakeLimits {
  /** Bytes of command messages queued ahead of the committer (the pull window). */
  pullBytesMax: number;
  /** Messages queued ahead of the committer: the consumer's max_ack_pending. */
  pullMessagesMax: number;
  /** The server's max_payload: the window must hold one message (PullQueueLimits.payloadMax). */
  payloadMax?: number;
}

/** A batch is whole messages (each is acknowledged as a unit), bounded by count and bytes. */
export interface TakeLimits {
  messagesMax: number;
  bytesMax: number;
}

/**
 * The committer's view of the commands consumer. Delivered messages are
 * pumped into a bounded queue (PullQueue); `take()` waits for the first
 * message, then takes only what is already queued: under light load a batch
 * leaves at once (no fetch expiry to wait out), under heavy load the batch is
 * whatever arrived while the previous one was being fsynced — group commit
 * without a timer.
 *
 * Why a queue and not the client's iterator directly: its getPending() counts
 * already-processed status callbacks, so "is another message buffered?"
 * could say yes when none is, and the batch in hand would wait for the next
 * publish. The window is bounded both ways: 1000-command messages are ~1 MB,
 * single-command ones ~200 B.
 */
export class Intake {
  readonly #q: PullQueue;

  private constructor(q: PullQueue) {
    this.#q = q;
  }

  static async open(consumer: Consumer, limits: IntakeLimits): Promise<Intake> {
    const q = await PullQueue.open(consumer, {
      messagesMax: limits.pullMessagesMax,
      bytesMax: limits.pullBytesMax,
      payloadMax: limits.payloadMax,
      // The sequencer owns this durable consumer: deleted, it is recreated (Sequencer).
      endWhenGone: true,
    });
    return new Intake(q);
  }

  /** Messages queued behind the batches taken so far. */
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

  /** It ended because the consumer or its stream was deleted (PullQueue.gone). */
  get gone(): boolean {
    return this.#q.gone;
  }

  /**
   * The next batch, or undefined once the intake is closed and drained. `gate` (flow control)
   * is asked once a message is there and before the batch is taken, so a batch never forms
   * before a wait: what arrives during it joins the batch.
   */
  async take(limits: TakeLimits, gate?: () => Promise<void> | undefined): Promise<JsMsg[] | undefined> {
    await this.#q.wait();
    const wait = gate?.();
    if (wait) await wait;
    const batch: Taken = { msgs: [], bytes: 0 };
    this.#q.takeInto(batch, limits);
    return batch.msgs.length > 0 ? batch.msgs : undefined;
  }

  /**
   * Stops pulling. The end marker queues behind the messages already
   * delivered, so a draining committer still commits those before `take()`
   * returns undefined. (The client's close() would wait for its iterator to
   * be drained, which never happens once the committer stopped after a
   * failure; unacknowledged messages are redelivered to the next sequencer
   * after the ack wait.)
   */
  close(): void {
    this.#q.stop();
  }
}
