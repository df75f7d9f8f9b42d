import { ClientError } from './errors.ts';
import type { Slots } from './slots.ts';

export interface BatcherOptions {
  batchCommandsMax: number;
  lingerMs: number;
  submitQueueMax: number;
}

/** One queued item with the callbacks of the promise its caller holds. */
export interface Queued<T, R> {
  item: T;
  resolve(result: R): void;
  reject(err: unknown): void;
}

/**
 * Automatic batching for callers that submit one command at a time ("natural batching").
 * While a slot is free, a batch leaves after `lingerMs` (0 = the next macrotask: everything
 * submitted in the same tick goes together); while every slot is busy, submissions accumulate
 * and leave as one batch the moment a slot frees. Latency stays low under light load and
 * batches grow by themselves under heavy load, with no timer to tune.
 *
 * `dispatch` runs with a slot held and must settle every item of its batch; the slot is
 * released when its promise settles. It may hand items back with `unshift` before its first
 * await (e.g. a batch that encodes too large is split).
 */
export class Batcher<T, R> {
  readonly #o: BatcherOptions;
  readonly #slots: Slots;
  readonly #dispatch: (batch: Queued<T, R>[]) => Promise<void>;
  readonly #idOf: (item: T) => string;
  #queue: Queued<T, R>[] = [];
  #running = false;

  constructor(
    o: BatcherOptions,
    slots: Slots,
    dispatch: (batch: Queued<T, R>[]) => Promise<void>,
    idOf: (item: T) => string,
  ) {
    this.#o = o;
    this.#slots = slots;
    this.#dispatch = dispatch;
    this.#idOf = idOf;
  }

  /** Items waiting for a slot. */
  get size(): number {
    return this.#queue.length;
  }

  /** Queues an item; throws ASP_ERR_CLIENT_QUEUE_FULL past `submitQueueMax`. */
  push(q: Queued<T, R>): void {
    if (this.#queue.length >= this.#o.submitQueueMax) {
      const message = `${this.#queue.length} commands already wait for an in-flight slot (submitQueueMax): slow down`;
      throw new ClientError('ASP_ERR_CLIENT_QUEUE_FULL', message, { ids: [this.#idOf(q.item)] });
    }
    this.#queue.push(q);
    if (!this.#running) {
      this.#running = true;
      void this.#run();
    }
  }

  /** Puts items back at the head of the queue, in order. */
  unshift(items: Queued<T, R>[]): void {
    this.#queue = items.concat(this.#queue);
  }

  /** Fails every queued item (close): none was sent. */
  rejectAll(errFor: (ids: string[]) => unknown): void {
    const queued = this.#queue;
    this.#queue = [];
    if (queued.length === 0) return;
    const err = errFor(queued.map((q) => this.#idOf(q.item)));
    for (const q of queued) q.reject(err);
  }

  async #run(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const waited = !this.#slots.tryAcquire();
        if (waited) await this.#slots.acquire();
        if (!waited && this.#queue.length < this.#o.batchCommandsMax) await this.#linger();
        const batch = this.#take();
        if (batch.length === 0) {
          this.#slots.release();
          continue;
        }
        void this.#dispatch(batch).finally(() => this.#slots.release());
      }
    } catch (err) {
      // Only a slot wait rejected by close() lands here: the queue is failed by rejectAll.
      this.rejectAll(() => err);
    } finally {
      this.#running = false;
    }
  }

  /**
   * Up to batchCommandsMax items with distinct ids. A repeated id waits for the next batch: in
   * the same message the sequencer would reject it as a duplicate, in a later one it gets the
   * original result, which is what a caller repeating an id means.
   */
  #take(): Queued<T, R>[] {
    const batch: Queued<T, R>[] = [];
    const held: Queued<T, R>[] = [];
    const ids = new Set<string>();
    let i = 0;
    for (; i < this.#queue.length && batch.length < this.#o.batchCommandsMax; i++) {
      const q = this.#queue[i]!;
      const id = this.#idOf(q.item);
      if (ids.has(id)) {
        held.push(q);
        continue;
      }
      ids.add(id);
      batch.push(q);
    }
    const rest = this.#queue.slice(i);
    this.#queue = held.length === 0 ? rest : held.concat(rest);
    return batch;
  }

  #linger(): Promise<void> {
    const ms = this.#o.lingerMs;
    return new Promise((resolve) => (ms === 0 ? setImmediate(resolve) : setTimeout(resolve, ms)));
  }
}
