import type { Consumer, ConsumerMessages, JsMsg } from '@nats-io/jetstream';

export interface TakeLimits {
  recordsMax: number;
  bytesMax: number;
  /** Once a batch has begun, how long to wait for more records while it is below its limits (default 0). */
  lingerMs?: number;
}

/**
 * A consumer read in batches: `take()` waits (up to `waitMs`) for the first
 * record, then takes what is already buffered (and, with a linger, what comes
 * within it), so a batch leaves at once under light load and grows with the
 * backlog under heavy load. The same idea as the sequencer's intake, plus the
 * timeout an idle projector needs to look for a rebuild's fence.
 */
export class Intake {
  readonly #messages: ConsumerMessages;
  readonly #iterator: AsyncIterator<JsMsg>;
  /** A read that outlived a take's timeout: the next take gets its message. */
  #next: Promise<IteratorResult<JsMsg>> | undefined;
  /** A message read past a batch's byte limit, first in the next batch. */
  #carry: JsMsg | undefined;

  private constructor(messages: ConsumerMessages) {
    this.#messages = messages;
    this.#iterator = messages[Symbol.asyncIterator]();
  }

  static async open(consumer: Consumer, window: { recordsMax: number; bytesMax: number }): Promise<Intake> {
    // Bounded by bytes (the client takes max_messages or max_bytes, not both): a record is
    // one sequencer batch, 200 B to megabytes. The consumer's max_ack_pending bounds the count.
    const messages = await consumer.consume({ max_bytes: window.bytesMax });
    return new Intake(messages);
  }

  /** The next batch; [] when nothing came within `waitMs`; undefined once closed. */
  async take(limits: TakeLimits, waitMs: number): Promise<JsMsg[] | undefined> {
    let first = this.#carry;
    this.#carry = undefined;
    if (!first) {
      const r = await this.#read(waitMs);
      if (r === 'timeout') return [];
      if (r.done) return undefined;
      first = r.value;
    }
    const batch = [first];
    let bytes = first.data.length;
    const until = Date.now() + (limits.lingerMs ?? 0);
    while (batch.length < limits.recordsMax) {
      // getPending() can stay above 0 with nothing buffered (nats.js counts the pull requests
      // it queues on the iterator), so a read takes what is already there, and only the
      // linger waits for more.
      let r = this.#messages.getPending() > 0 ? await this.#read(0) : 'timeout';
      if (r === 'timeout') {
        const left = until - Date.now();
        if (left <= 0) break;
        r = await this.#read(left);
      }
      if (r === 'timeout' || r.done) break;
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

  /** The next message, or 'timeout' after `waitMs` (0: unless it is buffered already). */
  async #read(waitMs: number): Promise<IteratorResult<JsMsg> | 'timeout'> {
    const next = this.#next ?? this.#iterator.next();
    this.#next = undefined;
    let cancel = () => {};
    const timeout = new Promise<'timeout'>((resolve) => {
      // A buffered message comes in microtasks; setImmediate runs after them.
      if (waitMs === 0) {
        const t = setImmediate(() => resolve('timeout'));
        cancel = () => clearImmediate(t);
      } else {
        const t = setTimeout(() => resolve('timeout'), waitMs);
        cancel = () => clearTimeout(t);
      }
    });
    const r = await Promise.race([next, timeout]);
    cancel();
    if (r === 'timeout') this.#next = next;
    return r;
  }

  /**
   * Stops pulling; delivered records not acknowledged are redelivered (or
   * dropped with the consumer). nats.js queues its stop behind the buffered
   * messages and resolves close() only once the iterator reached it, so the
   * buffer is read through (and dropped) here.
   */
  async close(): Promise<void> {
    const closed = this.#messages.close();
    this.#carry = undefined;
    for (;;) {
      const r = await this.#read(1000);
      if (r === 'timeout' || r.done) break;
    }
    await closed;
  }
}
