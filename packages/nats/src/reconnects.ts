import type { NatsConnection } from '@nats-io/nats-core';
import { NatsError } from './errors.ts';

/**
 * A connection's reconnects, for what waits on an answer across one. A request or JetStream
 * publish in flight when the connection dropped gets no answer (the server that had it may
 * have restarted), and nats.js waits out its whole timeout: 10 s for the relay, 5 s for a
 * producer's publish. `race` ends that wait at the next reconnect, so the caller's retry (which
 * must be safe to repeat: a msg id, an expected sequence) goes out at once; `onReconnect` tells
 * waiters whose answers may have been lost meanwhile (replies are not stored anywhere).
 */
export class Reconnects {
  #next = rejecter();
  readonly #listeners = new Set<() => void>();

  constructor(nc: NatsConnection) {
    void this.#watch(nc);
  }

  /** `p`'s outcome, or ASP_ERR_NATS_RECONNECTED if the connection reconnects first. */
  race<T>(p: Promise<T>): Promise<T> {
    p.catch(() => {}); // its late timeout, after the reconnect won
    return Promise.race([p, this.#next.promise]);
  }

  /** Calls `fn` after each reconnect; returns the unsubscribe. */
  onReconnect(fn: () => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /** Ends when the connection closes (its status iterator ends). */
  async #watch(nc: NatsConnection): Promise<void> {
    for await (const s of nc.status()) {
      if (s.type !== 'reconnect') continue;
      const was = this.#next;
      this.#next = rejecter();
      was.reject();
      for (const fn of this.#listeners) fn();
    }
  }
}

/** A promise that only rejects, when told to. */
function rejecter(): { promise: Promise<never>; reject: () => void } {
  let reject!: () => void;
  const promise = new Promise<never>((_, rej) => {
    reject = () =>
      rej(
        new NatsError(
          'ASP_ERR_NATS_RECONNECTED',
          'the NATS connection reconnected while waiting: the answer may have been lost',
        ),
      );
  });
  promise.catch(() => {});
  return { promise, reject };
}
