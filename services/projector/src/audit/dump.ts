import type { Versioned } from '@asp/domain';
import { decodeValue, encode, HEADER_CONTENT_TYPE, stateDumpSubject } from '@asp/protocol';
import { headers, type NatsConnection } from '@nats-io/nats-core';
import { z } from 'zod';
import { ProjectorError } from '../errors.ts';

const pageSchema = z.union([
  z.object({
    v: z.literal(1),
    appliedSeq: z.number().int().nonnegative(),
    entries: z.array(z.tuple([z.string(), z.object({ version: z.number().int(), state: z.unknown() })])),
    next: z.string().nullable(),
  }),
  z.object({ v: z.literal(1), error: z.object({ code: z.string(), message: z.string() }) }),
]);

export interface StateDump {
  appliedSeq: number;
  entries: Map<string, Versioned>;
  /** False when the sequencer committed while the pages were read: the pages mix two states. */
  consistent: boolean;
}

/**
 * The sequencer's whole state, a page at a time (request/reply on
 * `asp.state.<partition>`, JSON): `{ v: 1, after?, limit }` →
 * `{ v: 1, appliedSeq, entries: [key, { version, state }][], next }`.
 */
export async function fetchState(
  nc: NatsConnection,
  partition: string,
  o: { pageSize?: number; timeoutMs?: number } = {},
): Promise<StateDump> {
  const h = headers();
  h.set(HEADER_CONTENT_TYPE, 'application/json');
  const entries = new Map<string, Versioned>();
  let appliedSeq: number | undefined;
  let consistent = true;
  let after: string | undefined;
  for (;;) {
    const req = { v: 1, limit: o.pageSize ?? 1000, ...(after === undefined ? {} : { after }) };
    let reply: Uint8Array;
    try {
      const m = await nc.request(stateDumpSubject(partition), encode(req, 'application/json'), {
        timeout: o.timeoutMs ?? 10_000,
        headers: h,
      });
      reply = m.data;
    } catch (err) {
      throw new ProjectorError(
        'ASP_ERR_PROJECTOR_AUDIT',
        `the sequencer of partition ${partition} did not answer a state dump request (is it running?): ${String(err)}`,
        { cause: err },
      );
    }
    const page = pageSchema.parse(decodeValue(reply, 'application/json'));
    if ('error' in page) {
      throw new ProjectorError(
        'ASP_ERR_PROJECTOR_AUDIT',
        `state dump failed: ${page.error.code}: ${page.error.message}`,
      );
    }
    if (appliedSeq !== undefined && page.appliedSeq !== appliedSeq) consistent = false;
    appliedSeq = Math.max(appliedSeq ?? 0, page.appliedSeq);
    for (const [key, v] of page.entries) entries.set(key, { version: v.version, state: v.state });
    if (page.next === null) break;
    after = page.next;
  }
  return { appliedSeq: appliedSeq ?? 0, entries, consistent };
}

/** The sequencer's applied seq now (a one-entry page). */
export async function appliedSeqOf(
  nc: NatsConnection,
  partition: string,
  timeoutMs = 10_000,
): Promise<number> {
  const h = headers();
  h.set(HEADER_CONTENT_TYPE, 'application/json');
  const m = await nc.request(stateDumpSubject(partition), encode({ v: 1, limit: 1 }, 'application/json'), {
    timeout: timeoutMs,
    headers: h,
  });
  const page = pageSchema.parse(decodeValue(m.data, 'application/json'));
  if ('error' in page) {
    throw new ProjectorError(
      'ASP_ERR_PROJECTOR_AUDIT',
      `state dump failed: ${page.error.code}: ${page.error.message}`,
    );
  }
  return page.appliedSeq;
}
