import {
  type Consumer,
  type ConsumerMessages,
  JetStreamApiCodes,
  JetStreamApiError,
  JetStreamError,
  type JsMsg,
} from '@nats-io/jetstream';
import { NatsError } from './errors.ts';

/** A batch being taken: its messages and their payload bytes. */
export interface Taken {
  msgs: JsMsg[];
  bytes: number;
}

export interface PullQueueLimits {
  /** Messages queued ahead of the reader; the pump pauses at this many. */
  messagesMax: number;
  /** Bytes of payload queued ahead of the reader; the pump pauses above this much. */
  bytesMax: number;
  /**
   * Told of each message as it is queued, while the reader may be busy elsewhere: work done
   * here on the next messages overlaps the reader's waits (the projector decodes ahead).
   */
  onQueued?: (m: JsMsg) => void;
  /**
   * The server's max_payload (`nc.info.max_payload`). A window smaller than one message could
   * never take it: the consumer would end on the first such message, so opening refuses it.
   */
  payloadMax?: number;
  /**
   * End the queue (with `failure`, and `gone` true) when the consumer or its stream is deleted,
   * for a durable consumer its owner recreates. Without it nats.js 3.4.0 keeps asking for the
   * consumer every 30 s, forever: a reader that waits for messages waits silently. (An ordered
   * consumer recreates itself; leave this off for those.)
   */
  endWhenGone?: boolean;
}

/**
 * True for what nats.js ends a consumer with when the consumer or its stream no longer
 * exists: a pull's `409 Consumer Deleted`, or a consumer info that found nothing.
 */
function isConsumerGone(err: unknown): boolean {
  if (err instanceof JetStreamApiError) {
    return err.code === JetStreamApiCodes.ConsumerNotFound || err.code === JetStreamApiCodes.StreamNotFound;
  }
  // A pull's status comes as a JetStreamStatusError (not exported), with the status code.
  return (
    err instanceof JetStreamError &&
    (err as { code?: unknown }).code === 409 &&
    /consumer deleted/i.test(err.message)
  );
}

/**
 * A JetStream consumer's messages, moved into a bounded queue as they arrive.
 *
 * Why not read the client's iterator directly: nats.js's `consume()` takes a
 * window of bytes or of messages, not both, and with bytes it clamps the
 * messages to 100; its refill requests wait in the iterator behind the
 * messages already delivered. So a reader that stops reading while it works
 * (the projector writing a batch) finds at most 100 messages buffered when it
 * comes back, however small they are: 13 MB of the `single` scenario's
 * records, where its bytes window allows 32 MiB.
 *
 * Why bounded: a pump that always reads lets the client pull again at once,
 * so only the consumer's max_ack_pending would bound what piles up — 4,096
 * one-megabyte command messages. The pump pauses once the queue holds
 * `messagesMax` messages or more than `bytesMax` bytes; the client's refill
 * then waits behind it, and at most one more window (`bytesMax`, or 100
 * messages) is in flight.
 *
 * A message larger than what the pulls in flight have left ends them (a 409
 * from the server); nats.js 3.4.0 then waited for two missed heartbeats, 30 s
 * and more, before pulling again. Our patch of it pulls a whole window at once
 * (patches/README.md), on top of what the other pulls still have left: two
 * windows in flight at most, for as long as those last.
 *
 * One reader at a time: `wait()` wakes one caller.
 */
export class PullQueue {
  readonly #messages: ConsumerMessages;
  readonly #limits: PullQueueLimits;
  readonly #queue: JsMsg[] = [];
  #head = 0;
  #bytes = 0;
  #ended = false;
  #failure: Error | undefined;
  /** Closing: what arrives is dropped (and redelivered later), so the client can end. */
  #dropping = false;
  #wake: (() => void) | undefined;
  #room: (() => void) | undefined;

  private constructor(messages: ConsumerMessages, limits: PullQueueLimits) {
    this.#messages = messages;
    this.#limits = limits;
    void this.#pump();
  }

  static async open(consumer: Consumer, limits: PullQueueLimits): Promise<PullQueue> {
    if (limits.payloadMax !== undefined && limits.bytesMax < limits.payloadMax) {
      throw new NatsError(
        'ASP_ERR_NATS_PULL_WINDOW',
        `a pull window of ${limits.bytesMax} bytes is smaller than the server's max_payload ` +
          `(${limits.payloadMax}): one message could fill more than the window, and its consumer would stop there`,
      );
    }
    const messages = await consumer.consume({
      max_bytes: limits.bytesMax,
      ...(limits.endWhenGone ? { abort_on_missing_resource: true } : {}),
    });
    return new PullQueue(messages, limits);
  }

  async #pump(): Promise<void> {
    try {
      for await (const m of this.#messages) {
        if (this.#dropping) continue;
        this.#queue.push(m);
        this.#bytes += m.data.length;
        this.#limits.onQueued?.(m);
        this.#wake?.();
        while (this.#full() && !this.#dropping) {
          await new Promise<void>((resolve) => {
            this.#room = resolve;
          });
          this.#room = undefined;
        }
      }
    } catch (err) {
      // The client ended the consumer (a status it cannot go on from): the reader sees the end.
      this.#failure = err instanceof Error ? err : new Error(String(err));
    } finally {
      this.#ended = true;
      this.#wake?.();
    }
  }

  #full(): boolean {
    return this.queued >= this.#limits.messagesMax || this.#bytes > this.#limits.bytesMax;
  }

  /** Messages queued. */
  get queued(): number {
    return this.#queue.length - this.#head;
  }

  /** Bytes of payload queued. */
  get queuedBytes(): number {
    return this.#bytes;
  }

  /** True once the client ended (stopped or closed) and the pump delivered all it had. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Why the client ended the consumer, when it was not stopped or closed by us. */
  get failure(): Error | undefined {
    return this.#failure;
  }

  /** The consumer ended because it, or its stream, was deleted (see `endWhenGone`). */
  get gone(): boolean {
    return this.#failure !== undefined && isConsumerGone(this.#failure);
  }

  /** The next message, left in the queue. */
  peek(): JsMsg | undefined {
    return this.#queue[this.#head];
  }

  /** Takes the next message. */
  shift(): JsMsg | undefined {
    if (this.queued === 0) return undefined;
    const m = this.#queue[this.#head]!;
    // Let go of it now: the queue is compacted only every thousand-odd messages, and the
    // sequencer's intake before this kept that many taken 1 MB messages alive (~1.3 GB).
    this.#queue[this.#head] = undefined as unknown as JsMsg;
    this.#head++;
    this.#bytes -= m.data.length;
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue.splice(0, this.#head);
      this.#head = 0;
    }
    if (!this.#full()) this.#room?.();
    return m;
  }

  /**
   * Moves queued messages into `batch` while it holds fewer than `messagesMax` and the next
   * one fits in `bytesMax` (the first message of a batch always goes, even when larger).
   * Returns true when it stopped at a message that did not fit: the batch is full by bytes.
   */
  takeInto(batch: Taken, limits: { messagesMax: number; bytesMax: number }): boolean {
    for (let m = this.peek(); m !== undefined && batch.msgs.length < limits.messagesMax; m = this.peek()) {
      if (batch.msgs.length > 0 && batch.bytes + m.data.length > limits.bytesMax) return true;
      batch.msgs.push(this.shift()!);
      batch.bytes += m.data.length;
    }
    return false;
  }

  /**
   * Resolves true once a message is queued or the queue ended (at once if so
   * already), false when `ms` passed first (undefined: no time limit).
   */
  async wait(ms?: number): Promise<boolean> {
    if (this.queued > 0 || this.#ended) return true;
    let timer: NodeJS.Timeout | undefined;
    const woken = await new Promise<boolean>((resolve) => {
      this.#wake = () => resolve(true);
      if (ms !== undefined) timer = setTimeout(() => resolve(false), ms);
    });
    clearTimeout(timer);
    this.#wake = undefined;
    return woken;
  }

  /**
   * Stops pulling. The client's end marker queues behind the messages it
   * delivered already, which are still taken before the queue ends.
   */
  stop(): void {
    this.#messages.stop();
  }

  /**
   * Stops pulling and drops what is queued and what is still in flight; all
   * of it unacknowledged, so redelivered after the ack wait (or dropped with
   * the consumer). nats.js resolves its close() only once its iterator
   * reached the end marker, so the pump reads on, dropping.
   */
  async close(): Promise<void> {
    this.#dropping = true;
    this.#queue.length = 0;
    this.#head = 0;
    this.#bytes = 0;
    this.#room?.();
    await this.#messages.close();
  }
}
