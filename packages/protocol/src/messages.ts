import type { z } from 'zod';
import { CONTENT_TYPE_MSGPACK, decodeValue, encode, reasonOf } from './codec.ts';
import { ProtocolError } from './errors.ts';
import { protocolLimits } from './limits.ts';
import { resultLookupRequestSchema, resultLookupResponseSchema, resultsMessageSchema } from './schemas.ts';
import type {
  CommitRecord,
  ContentType,
  Decoded,
  ProtocolLimits,
  ResultLookupRequest,
  ResultLookupResponse,
  ResultsMessage,
} from './types.ts';

/**
 * The messages other than commands. Readers of messages the system itself wrote (results,
 * lookup replies, commit records) throw ASP_ERR_PROTOCOL_DECODE on bad input: that is corrupt
 * data or a version mismatch, a failure. The reader of lookup requests, which come from any
 * client, returns a value instead, like decodeEnvelope.
 */

export function encodeResults(message: ResultsMessage, contentType: ContentType): Uint8Array {
  return encode(message, contentType);
}

export function decodeResults(bytes: Uint8Array, contentType: ContentType): ResultsMessage {
  return parseOrThrow(resultsMessageSchema, bytes, contentType, 'results message');
}

/** Commit records are always msgpack: the WAL stores them and ASP_EVENTS carries the same bytes. */
export function encodeCommitRecord(record: CommitRecord): Uint8Array {
  return encode(record, CONTENT_TYPE_MSGPACK);
}

export function encodeLookupRequest(request: ResultLookupRequest, contentType: ContentType): Uint8Array {
  return encode(request, contentType);
}

/** Server side: never throws. The id count is bounded like the commands of one message. */
export function decodeLookupRequest(
  bytes: Uint8Array,
  contentType: ContentType,
  limits?: Partial<ProtocolLimits>,
): Decoded<ResultLookupRequest> {
  const l = limits === undefined ? protocolLimits : { ...protocolLimits, ...limits };
  if (bytes.length > l.messageBytesMax) {
    return failed(
      'ASP_REJ_TOO_LARGE',
      `request is ${bytes.length} bytes, more than the ${l.messageBytesMax} allowed`,
    );
  }
  let value: unknown;
  try {
    value = decodeValue(bytes, contentType);
  } catch (err) {
    return failed('ASP_REJ_MALFORMED', `cannot decode the request as ${contentType}: ${reasonOf(err)}`);
  }
  const parsed = resultLookupRequestSchema.safeParse(value);
  if (!parsed.success) {
    return failed('ASP_REJ_SCHEMA', `the request must be { v: 1, ids: string[] }: ${issueOf(parsed.error)}`);
  }
  if (parsed.data.ids.length > l.commandsPerMessageMax) {
    const max = l.commandsPerMessageMax;
    return failed(
      'ASP_REJ_TOO_LARGE',
      `${parsed.data.ids.length} ids in one request, more than the ${max} allowed`,
    );
  }
  return { ok: true, value: parsed.data };
}

export function encodeLookupResponse(response: ResultLookupResponse, contentType: ContentType): Uint8Array {
  return encode(response, contentType);
}

export function decodeLookupResponse(bytes: Uint8Array, contentType: ContentType): ResultLookupResponse {
  return parseOrThrow(resultLookupResponseSchema, bytes, contentType, 'lookup response');
}

function parseOrThrow<T>(schema: z.ZodType<T>, bytes: Uint8Array, contentType: ContentType, what: string): T {
  let value: unknown;
  try {
    value = decodeValue(bytes, contentType);
  } catch (err) {
    const message = `cannot decode ${what} as ${contentType}: ${reasonOf(err)}`;
    throw new ProtocolError('ASP_ERR_PROTOCOL_DECODE', message, { cause: err });
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const message = `${what} does not match the protocol: ${issueOf(parsed.error)}`;
    throw new ProtocolError('ASP_ERR_PROTOCOL_DECODE', message, { cause: parsed.error });
  }
  return parsed.data;
}

/** The first issue of a zod error, with its path: enough to find the problem, short enough to log. */
function issueOf(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'invalid';
  const path = issue.path.map(String).join('.');
  return path === '' ? issue.message : `${path}: ${issue.message}`;
}

function failed<T>(
  code: 'ASP_REJ_MALFORMED' | 'ASP_REJ_SCHEMA' | 'ASP_REJ_TOO_LARGE',
  message: string,
): Decoded<T> {
  return { ok: false, error: { code, message } };
}
