import {
  contentTypeOf,
  decodeLookupRequest,
  encodeLookupResponse,
  HEADER_CONTENT_TYPE,
  resultLookupSubject,
} from '@asp/protocol';
import type { Logger } from '@asp/service';
import type { StateStore } from '@asp/state';
import { headers, type NatsConnection } from '@nats-io/nats-core';
import type { SequencerMetrics } from './metrics.ts';

/**
 * Answers "what happened to these command ids?" for producers that missed
 * their results (a timeout, a restart). The index holds only results whose
 * batch was fsynced, so an answer is always a commit, never a guess.
 */
export function serveLookups(
  nc: NatsConnection,
  partition: string,
  state: StateStore,
  metrics: SequencerMetrics,
  log: Logger,
): { close(): Promise<void> } {
  const sub = nc.subscribe(resultLookupSubject(partition), {
    queue: `sequencer-${partition}-lookup`,
    callback: (err, msg) => {
      if (err) {
        log.warn({ err }, 'lookup subscription error');
        return;
      }
      const ctr = contentTypeOf(msg.headers?.get(HEADER_CONTENT_TYPE));
      const ct = ctr.ok ? ctr.value : 'application/json';
      const h = headers();
      h.set(HEADER_CONTENT_TYPE, ct);
      const req = decodeLookupRequest(msg.data, ct);
      if (!req.ok) {
        msg.respond(encodeLookupResponse({ v: 1, error: req.error }, ct), { headers: h });
        return;
      }
      state.getResults(req.value.ids).then(
        (results) => {
          metrics.lookups.inc();
          msg.respond(encodeLookupResponse({ v: 1, results: results.map((r) => r ?? null) }, ct), {
            headers: h,
          });
        },
        (e: unknown) => log.error({ err: e }, 'lookup failed'),
      );
    },
  });
  return { close: () => sub.drain() };
}
