import type { Versioned } from '@asp/domain';
import { decodeValue, encode, HEADER_CONTENT_TYPE, stateDumpSubject } from '@asp/protocol';
import { headers, type NatsConnection } from '@nats-io/nats-core';

/**
 * Answers the sequencer's state dump contract from a test's own state, so
 * the audit's logic can be tested without a sequencer (the e2e test uses
 * the real one).
 */
export function serveDump(
  nc: NatsConnection,
  partition: string,
  state: () => { appliedSeq: number; entries: Iterable<[string, Versioned]> },
): { close(): void } {
  const h = headers();
  h.set(HEADER_CONTENT_TYPE, 'application/json');
  const sub = nc.subscribe(stateDumpSubject(partition), {
    callback: (_err, msg) => {
      const req = decodeValue(msg.data, 'application/json') as { after?: string; limit?: number };
      const { appliedSeq, entries } = state();
      const sorted = [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      const from = req.after === undefined ? sorted : sorted.filter(([k]) => k > req.after!);
      const page = from.slice(0, req.limit ?? 1000);
      const next = page.length === (req.limit ?? 1000) ? page[page.length - 1]![0] : null;
      msg.respond(encode({ v: 1, appliedSeq, entries: page, next }, 'application/json'), { headers: h });
    },
  });
  return { close: () => sub.unsubscribe() };
}

/** Commits and publishes a little load every `everyMs` until stopped. */
export function backgroundLoad(step: () => Promise<void>, everyMs: number): { stop(): Promise<void> } {
  let running = true;
  const loop = (async () => {
    while (running) {
      await step();
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
    },
  };
}
