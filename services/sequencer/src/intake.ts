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
 * The committer's view of the commands consumer. `take()` waits for the first
 * message, then takes only what is already buffered: under light load a batch
 * leaves at once (no fetch expiry to wait out), under heavy load the batch is
 * whatever arrived while the previous one was being fsynced — group commit
 * without a timer.
 */
export class Intake {
  readonly #messages: ConsumerMessages;
  readonly #iterator: AsyncIterator<JsMsg>;
  /** A message read past a batch's limits, first in the next batch. */
  #carry: JsMsg | undefined;

  private constructor(messages: ConsumerMessages) {
    this.#messages = messages;
    this.#iterator = messages[Symbol.asyncIterator]();
  }

  static async open(consumer: Consumer, limits: IntakeLimits): Promise<Intake> {
    // Bounded by bytes (the client takes bytes or messages, not both):
    // 1000-command messages are ~1 MB, single-command ones ~200 B, so a
    // message-count window would either buffer gigabytes of the first or
    // starve the second. The consumer's max_ack_pending bounds the count.
    const messages = await consumer.consume({ max_bytes: limits.pullBytesMax });
    return new Intake(messages);
  }

  /** The next batch, or undefined once the intake is closed. */
  async take(limits: TakeLimits): Promise<JsMsg[] | undefined> {
    const batch: JsMsg[] = [];
    let first = this.#carry;
    this.#carry = undefined;
    if (!first) {
      const r = await this.#iterator.next();
      if (r.done) return undefined;
      first = r.value;
    }
    batch.push(first);
    let bytes = first.data.length;
    while (batch.length < limits.messagesMax && this.#messages.getPending() > 0) {
      const r = await this.#iterator.next();
      if (r.done) break;
      const m = r.value;
      if (bytes + m.data.length > limits.bytesMax) {
        this.#carry = m;
        break;
      }
      batch.push(m);
      bytes += m.data.length;
    }
    return batch;
  }

  /** Stops pulling; messages already delivered but not taken are redelivered after ack wait. */
  async close(): Promise<void> {
    await this.#messages.close();
  }
}
