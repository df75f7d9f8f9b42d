import { ProtocolError } from './errors.ts';

/** Commands: one subject per partition, captured by one stream. */
export const COMMANDS_STREAM = 'ASP_COMMANDS';
export const COMMANDS_SUBJECTS = 'asp.cmd.>';
/** Commit records, one message per sequencer batch, in WAL order. */
export const EVENTS_STREAM = 'ASP_EVENTS';
export const EVENTS_SUBJECTS = 'asp.evt.>';
/** Command messages the sequencer gave up on (kept for inspection, never replayed automatically). */
export const DLQ_STREAM = 'ASP_DLQ';
export const DLQ_SUBJECTS = 'asp.dlq.>';

/** Core NATS subject where the sequencer publishes the results of one command message. */
export const HEADER_REPLY_TO = 'Asp-Reply-To';
export const HEADER_CONTENT_TYPE = 'Content-Type';
/** On ASP_EVENTS messages: the WAL sequence of the commit record the message carries. */
export const HEADER_WAL_SEQ = 'Asp-Wal-Seq';

/**
 * A partition name becomes a subject token and part of file names (WAL, LevelDB folders), so
 * it is kept to characters that are safe in both and cannot be a NATS wildcard or separator.
 */
const PARTITION_RE = /^[a-z0-9_-]{1,32}$/;

export function isValidPartition(partition: unknown): partition is string {
  return typeof partition === 'string' && PARTITION_RE.test(partition);
}

/** Throws ASP_ERR_PROTOCOL_PARTITION: a bad partition name is a configuration error. */
export function assertPartition(partition: string): void {
  if (!isValidPartition(partition)) {
    throw new ProtocolError(
      'ASP_ERR_PROTOCOL_PARTITION',
      `invalid partition name ${JSON.stringify(partition)}: use 1 to 32 characters of [a-z0-9_-]`,
    );
  }
}

function subject(prefix: string, partition: string): string {
  assertPartition(partition);
  return prefix + partition;
}

export function commandSubject(partition: string): string {
  return subject('asp.cmd.', partition);
}

export function eventSubject(partition: string): string {
  return subject('asp.evt.', partition);
}

export function resultLookupSubject(partition: string): string {
  return subject('asp.res.', partition);
}

/** Request/reply: the sequencer's state, a page at a time, for `asp audit` (see docs/protocol.md). */
export function stateDumpSubject(partition: string): string {
  return subject('asp.state.', partition);
}

/**
 * The projector's durable consumer on ASP_EVENTS (`<service>-<purpose>`, one per partition). The
 * sequencer reads its acknowledged position to keep the read models' lag bounded (flow control,
 * docs/sequencer.md), so the name is part of the contract between the two.
 */
export function readModelConsumer(partition: string): string {
  return subject('projector-', partition);
}

export function dlqSubject(partition: string): string {
  return subject('asp.dlq.', partition);
}

/** The partition of an `asp.<kind>.<partition>` subject, or undefined when it is not one. */
export function partitionOfSubject(subjectName: string): string | undefined {
  const parts = subjectName.split('.');
  if (parts.length !== 3 || parts[0] !== 'asp') return undefined;
  if (!['cmd', 'evt', 'res', 'state', 'dlq'].includes(parts[1]!)) return undefined;
  return isValidPartition(parts[2]) ? parts[2] : undefined;
}
