/**
 * The wire contract's types. The zod schemas in schemas.ts validate untrusted
 * input against these shapes; everything inside the system uses these types.
 */

/** One command as a producer sends it. `linked: true` chains it to the next one (an atomic group). */
export interface WireCommand {
  id: string;
  type: string;
  data: unknown;
  linked?: boolean;
}

/** What one NATS message on `asp.cmd.<partition>` carries. */
export interface CommandEnvelope {
  v: 1;
  commands: WireCommand[];
}

export type RejectionCode =
  | 'ASP_REJ_MALFORMED'
  | 'ASP_REJ_TOO_LARGE'
  | 'ASP_REJ_SCHEMA'
  | 'ASP_REJ_UNKNOWN_TYPE'
  | 'ASP_REJ_DUPLICATE_ID'
  | 'ASP_REJ_GROUP_OPEN'
  | 'ASP_REJ_GROUP_FAILED'
  | 'ASP_REJ_INVARIANT'
  | 'ASP_REJ_NOT_FOUND'
  | 'ASP_REJ_ALREADY_EXISTS'
  | 'ASP_REJ_INVALID_STATE';

export interface AcceptedResult {
  id: string;
  status: 'accepted';
  /** WAL sequence of the commit record that made this command durable. */
  seq: number;
}

export interface RejectedResult {
  id: string;
  status: 'rejected';
  code: RejectionCode;
  message: string;
  /** The invariant that refused the command (with ASP_REJ_INVARIANT). */
  invariant?: string;
  /** In an atomic group: the id of the member whose failure failed this one. */
  cause?: string;
}

export type CommandResult = AcceptedResult | RejectedResult;

/** A message-level failure: the message could not be read, so no per-command result exists. */
export interface MessageError {
  code: RejectionCode;
  message: string;
}

/** Published (core NATS) to the subject in the command message's `Asp-Reply-To` header. */
export type ResultsMessage = { v: 1; results: CommandResult[] } | { v: 1; error: MessageError };

export interface EventRecord {
  commandId: string;
  aggregateType: string;
  aggregateId: string;
  /** The aggregate's version after this event: 1 for its first event, then +1 per event. */
  version: number;
  type: string;
  data: Record<string, unknown>;
}

/**
 * One sequencer batch: one WAL record and, byte for byte, one ASP_EVENTS
 * message. See docs/architecture.md.
 */
export interface CommitRecord {
  v: 1;
  partition: string;
  seq: number;
  ts: number;
  results: CommandResult[];
  events: EventRecord[];
}

export type ContentType = 'application/msgpack' | 'application/json';

/** Request on `asp.res.<partition>`: the stored results of these command ids. */
export interface ResultLookupRequest {
  v: 1;
  ids: string[];
}

/** Reply to a lookup: positional, `null` for an id the partition has no result for (never seen, or expired). */
export type ResultLookupResponse =
  | { v: 1; results: (CommandResult | null)[] }
  | { v: 1; error: MessageError };

/** Bounds on what one command message may carry. Units are last: bytes, counts. */
export interface ProtocolLimits {
  messageBytesMax: number;
  commandsPerMessageMax: number;
  commandIdBytesMax: number;
  commandTypeLengthMax: number;
  commandDataBytesMax: number;
}

/** One position of a decoded command message: a command for the domain, or its rejection. */
export type DecodedItem =
  | { kind: 'command'; command: WireCommand }
  | { kind: 'rejected'; result: RejectedResult };

/**
 * What `decodeEnvelope` returns. Bad input is a value, never an exception: `ok: false` when the
 * message as a whole cannot be read (reply with `{ v: 1, error }`), else one item per command.
 */
export type DecodeEnvelopeResult = { ok: true; items: DecodedItem[] } | { ok: false; error: MessageError };

/** The result of reading untrusted input on a cold path (lookup requests, content types). */
export type Decoded<T> = { ok: true; value: T } | { ok: false; error: MessageError };
