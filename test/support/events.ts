import { decodeCommitRecord, EVENTS_STREAM, eventSubject, HEADER_WAL_SEQ } from '@asp/protocol';
import { DeliverPolicy, jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';

/**
 * Every record of a partition in ASP_EVENTS, in stream order: the WAL seq from
 * its header and from its body (they must agree).
 */
export async function readEventRecords(
  nc: NatsConnection,
  partition: string,
): Promise<{ header: number; body: number }[]> {
  const js = jetstream(nc);
  const consumer = await js.consumers.get(EVENTS_STREAM, {
    filter_subjects: [eventSubject(partition)],
    deliver_policy: DeliverPolicy.All,
  });
  const info = await consumer.info();
  const out: { header: number; body: number }[] = [];
  let left = info.num_pending;
  while (left > 0) {
    const batch = await consumer.fetch({ max_messages: Math.min(left, 500), expires: 5000 });
    let got = 0;
    for await (const m of batch) {
      out.push({ header: Number(m.headers?.get(HEADER_WAL_SEQ)), body: decodeCommitRecord(m.data).seq });
      got++;
    }
    if (got === 0) break;
    left -= got;
  }
  return out;
}
