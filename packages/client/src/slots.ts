import { assert } from '@asp/errors';

/**
 * A counting semaphore: the in-flight message slots. Waiters are served first come, first
 * served, so `send` callers and the `submit` batcher take turns.
 */
export class Slots {
  readonly max: number;
  #free: number;
  readonly #waiters: { resolve: () => void; reject: (err: unknown) => void }[] = [];

  constructor(max: number) {
    assert(Number.isSafeInteger(max) && max > 0, 'slot count must be a positive integer');
    this.max = max;
    this.#free = max;
  }

  get busy(): number {
    return this.max - this.#free;
  }

  get waiting(): number {
    return this.#waiters.length;
  }

  /** Takes a slot if one is free right now and nobody is queued ahead. */
  tryAcquire(): boolean {
    if (this.#free === 0 || this.#waiters.length > 0) return false;
    this.#free--;
    return true;
  }

  acquire(): Promise<void> {
    if (this.tryAcquire()) return Promise.resolve();
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  /** Hands the slot to the first waiter, or frees it. */
  release(): void {
    const next = this.#waiters.shift();
    if (next) {
      next.resolve();
      return;
    }
    assert(this.#free < this.max, 'released a slot that was not held');
    this.#free++;
  }

  /** Fails every waiter (close): they never got a slot, so nothing of theirs was sent. */
  rejectWaiters(err: unknown): void {
    for (const w of this.#waiters.splice(0)) w.reject(err);
  }
}
