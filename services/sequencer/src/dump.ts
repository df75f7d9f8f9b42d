import { decodeValue, encode, HEADER_CONTENT_TYPE, stateDumpSubject } from '@asp/protocol';
import type { Logger } from '@asp/service';
import type { Aggregate, StateStore } from '@asp/state';
import { headers, type NatsConnection } from '@nats-io/nats-core';

/** The largest page a dump request may ask for; bounds the reply's size and the iterator's time. */
export const DUMP_PAGE_MAX = 5000;

/**
 * Serves the state, a page at a time in key order, for `asp audit` (LevelDB
 * is locked by this process, so nobody else can read it). Request
 * `{ v: 1, after?, limit }` → `{ v: 1, appliedSeq, entries: [key, { version, state }][], next }`,
 * JSON. Pages are read while batches commit: a consistent comparison needs a quiet moment,
 * which the audit waits for.
 */
export function serveStateDump(
  nc: NatsConnection,
  partition: string,
  state: StateStore,
  log: Logger,
): { close(): Promise<void> } {
  const h = headers();
  h.set(HEADER_CONTENT_TYPE, 'application/json');
  const sub = nc.subscribe(stateDumpSubject(partition), {
    callback: (err, msg) => {
      if (err) return;
      let req: { after?: unknown; limit?: unknown };
      try {
        req = (decodeValue(msg.data, 'application/json') ?? {}) as typeof req;
      } catch {
        req = {};
      }
      const after = typeof req.after === 'string' ? req.after : undefined;
      const limit = Math.min(DUMP_PAGE_MAX, Math.max(1, Number(req.limit) || 1000));
      page(state, after, limit).then(
        ({ entries, appliedSeq }) => {
          const next = entries.length === limit ? entries[entries.length - 1]![0] : null;
          msg.respond(encode({ v: 1, appliedSeq, entries, next }, 'application/json'), { headers: h });
        },
        (e: unknown) => {
          log.error({ err: e }, 'state dump failed');
          msg.respond(
            encode({ v: 1, error: { code: 'ASP_ERR_STATE_IO', message: String(e) } }, 'application/json'),
            {
              headers: h,
            },
          );
        },
      );
    },
  });
  return { close: () => sub.drain() };
}

async function page(
  state: StateStore,
  after: string | undefined,
  limit: number,
): Promise<{ entries: [string, Aggregate][]; appliedSeq: number }> {
  const appliedSeq = state.appliedSeq;
  const entries: [string, Aggregate][] = [];
  for await (const entry of state.iterateAggregates({ after })) {
    entries.push(entry);
    if (entries.length >= limit) break;
  }
  return { entries, appliedSeq };
}
