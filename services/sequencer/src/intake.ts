import type { Consumer, ConsumerMessages, JsMsg } from '@nats-io/jetstream';

export interface IntakeLimits {
  /** Bytes the client keeps buffered ahead of the committer (the pull window). */
  pullBytesMax: number;
}

/** A batch is whole messages (each is acknowledged as a unit), bounded by count and bytes. */
export interface TakeLimits {
  messagesMax: number;
  bytesMax: number;
}

/**
 * The committer's view of the commands consumer. A pump moves delivered
 * messages into a queue; `take()` waits for the first message, then takes
 * only what is already queued: under light load a batch leaves at once (no
 * fetch expiry to wait out), under heavy load the batch is whatever arrived
 * while the previous one was being fsynced — group commit without a timer.
 *
 * Why a pump and not the client's iterator directly: its getPending() counts
 * already-processed status callbacks, so "is another message buffered?"
 * could say yes when none is, and the batch in hand would wait for the next
 * publish. The queue is bounded by the pull window (bytes) and the
 * consumer's max_ack_pending, as the client's own buffer is.
 */
export class Intake {
  readonly #messages: ConsumerMessages;
  readonly #queue: JsMsg[] = [];
  #head = 0;
  #ended = false;
  #wake: (() => void) | undefined;

  private constructor(messages: ConsumerMessages) {
    this.#messages = messages;
    void this.#pump();
  }

  static async open(consumer: Consumer, limits: IntakeLimits): Promise<Intake> {
    // Bounded by bytes (the client takes bytes or messages, not both):
    // 1000-command messages are ~1 MB, single-command ones ~200 B, so a
    // message-count window would either buffer gigabytes of the first or
    // starve the second. The consumer's max_ack_pending bounds the count.
    const messages = await consumer.consume({ max_bytes: limits.pullBytesMax });
    return new Intake(messages);
  }

  async #pump(): Promise<void> {
    try {
      for await (const m of this.#messages) {
        this.#queue.push(m);
        this.#wake?.();
      }
    } finally {
      this.#ended = true;
      this.#wake?.();
    }
  }

  get queued(): number {
    return this.#queue.length - this.#head;
  }

  /** The next batch, or undefined once the intake is closed and drained. */
  async take(limits: TakeLimits): Promise<JsMsg[] | undefined> {
    while (this.queued === 0) {
      if (this.#ended) return undefined;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
      this.#wake = undefined;
    }
    const batch: JsMsg[] = [];
    let bytes = 0;
    while (this.queued > 0 && batch.length < limits.messagesMax) {
      const m = this.#queue[this.#head]!;
      // The first message always goes, even when larger than the bound.
      if (batch.length > 0 && bytes + m.data.length > limits.bytesMax) break;
      batch.push(m);
      bytes += m.data.length;
      this.#head++;
    }
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue.splice(0, this.#head);
      this.#head = 0;
    }
    return batch;
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
    this.#messages.stop();
  }
}
