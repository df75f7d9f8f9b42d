import { decodeValue, encode, HEADER_CONTENT_TYPE, stateDumpSubject } from '@asp/protocol';
import { headers, type NatsConnection } from '@nats-io/nats-core';
import { ClientError } from './errors.ts';

export interface SequencerState {
  /** The WAL seq the first page was read at; pages read later may include later batches. */
  appliedSeq: number;
  aggregates: Map<string, { version: number; state: unknown }>;
}

type Page =
  | {
      v: 1;
      appliedSeq: number;
      entries: [string, { version: number; state: unknown }][];
      next: string | null;
    }
  | { v: 1; error: { code: string; message: string } };

/**
 * Reads a partition's whole state from its sequencer, a page at a time (see
 * docs/protocol.md, "State dump"). For audits and tests: compare at a quiet
 * moment, since batches may commit between pages.
 */
export async function readSequencerState(
  nc: NatsConnection,
  partition: string,
  opts: { pageSize?: number; timeoutMs?: number } = {},
): Promise<SequencerState> {
  const h = headers();
  h.set(HEADER_CONTENT_TYPE, 'application/json');
  const aggregates = new Map<string, { version: number; state: unknown }>();
  let after: string | undefined;
  let appliedSeq = -1;
  for (;;) {
    const req = { v: 1, limit: opts.pageSize ?? 1000, ...(after === undefined ? {} : { after }) };
    const msg = await nc.request(stateDumpSubject(partition), encode(req, 'application/json'), {
      timeout: opts.timeoutMs ?? 10_000,
      headers: h,
    });
    const page = decodeValue(msg.data, 'application/json') as Page;
    if ('error' in page) {
      throw new ClientError(
        'ASP_ERR_CLIENT_LOOKUP',
        `state dump failed: ${page.error.code}: ${page.error.message}`,
      );
    }
    if (appliedSeq < 0) appliedSeq = page.appliedSeq;
    for (const [key, value] of page.entries) aggregates.set(key, value);
    if (page.next === null) return { appliedSeq, aggregates };
    after = page.next;
  }
}
