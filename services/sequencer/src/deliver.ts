import {
  type ContentType,
  dlqSubject,
  encodeResults,
  HEADER_CONTENT_TYPE,
  HEADER_REPLY_TO,
  type ResultsMessage,
} from '@asp/protocol';
import type { JetStreamClient, JsMsg } from '@nats-io/jetstream';
import { headers, type NatsConnection } from '@nats-io/nats-core';

export const HEADER_DLQ_REASON = 'Asp-Dlq-Reason';
export const HEADER_DLQ_STREAM_SEQ = 'Asp-Dlq-Stream-Seq';

/**
 * Moves a message to ASP_DLQ with its headers and the reason, then
 * terminates it on ASP_COMMANDS. The DLQ publish is awaited first, so a crash
 * in between redelivers the message instead of losing it.
 */
export async function deadLetter(
  js: JetStreamClient,
  partition: string,
  m: JsMsg,
  reason: string,
): Promise<void> {
  const h = headers();
  for (const [k, v] of m.headers ?? []) for (const one of v) h.append(k, one);
  h.set(HEADER_DLQ_REASON, reason.slice(0, 512));
  h.set(HEADER_DLQ_STREAM_SEQ, String(m.seq));
  await js.publish(dlqSubject(partition), m.data, { headers: h, msgID: `dlq-${partition}-${m.seq}` });
  m.term(reason.slice(0, 256));
}

/** Sends a message's results to the subject its producer named; false when it named none. */
export function reply(nc: NatsConnection, m: JsMsg, ct: ContentType, results: ResultsMessage): boolean {
  const to = m.headers?.get(HEADER_REPLY_TO);
  if (!to) return false;
  const h = headers();
  h.set(HEADER_CONTENT_TYPE, ct);
  nc.publish(to, encodeResults(results, ct), { headers: h });
  return true;
}
