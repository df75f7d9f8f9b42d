import { type Options, Packr } from 'msgpackr';
import { ProtocolError } from './errors.ts';
import { packPlain } from './pack.ts';
import type { ContentType, Decoded } from './types.ts';

export const CONTENT_TYPE_MSGPACK: ContentType = 'application/msgpack';
export const CONTENT_TYPE_JSON: ContentType = 'application/json';

/** Options msgpackr supports at run time that its typings (2.1.3) do not list yet. */
type PackrOptions = Omit<Options, 'int64AsType'> & { int64AsType: 'auto'; skipValues: unknown[] };

/**
 * msgpack as any library reads it: plain maps (no msgpackr records or structures), maps
 * decoded to plain objects, `undefined` properties left out (as JSON.stringify does) instead
 * of msgpackr's private undefined extension. 64-bit integers from other encoders decode to
 * numbers when safe and to bigint otherwise, so no value is silently rounded.
 */
export const packrOptions: PackrOptions = {
  useRecords: false,
  mapsAsObjects: true,
  variableMapSize: true,
  skipValues: [undefined],
  encodeUndefinedAsNil: true,
  useToJSON: false,
  int64AsType: 'auto',
};
const packr = new Packr(packrOptions as unknown as Options);

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Media types we read as msgpack: the registered name and the two in common use before it. */
const MSGPACK_NAMES = new Set(['application/msgpack', 'application/x-msgpack', 'application/vnd.msgpack']);

/**
 * The content type named by a `Content-Type` header. Missing or empty means msgpack (the
 * default); parameters such as `; charset=utf-8` are ignored; anything else is an error value
 * (ASP_REJ_MALFORMED), since the message cannot be read.
 */
export function contentTypeOf(header: string | null | undefined): Decoded<ContentType> {
  if (header === undefined || header === null) return { ok: true, value: CONTENT_TYPE_MSGPACK };
  const name = (header.split(';', 1)[0] ?? '').trim().toLowerCase();
  if (name === '' || MSGPACK_NAMES.has(name)) return { ok: true, value: CONTENT_TYPE_MSGPACK };
  if (name === CONTENT_TYPE_JSON) return { ok: true, value: CONTENT_TYPE_JSON };
  return {
    ok: false,
    error: {
      code: 'ASP_REJ_MALFORMED',
      message: `unsupported Content-Type ${JSON.stringify(header.slice(0, 100))}: use application/msgpack or application/json`,
    },
  };
}

function unknownContentType(contentType: string): ProtocolError {
  return new ProtocolError(
    'ASP_ERR_PROTOCOL_CONTENT_TYPE',
    `unknown content type ${JSON.stringify(contentType)}`,
  );
}

/** Encodes one value. Throws only for programmer errors: an unknown content type, an unencodable value. */
export function encode(value: unknown, contentType: ContentType): Uint8Array {
  try {
    if (contentType === CONTENT_TYPE_MSGPACK) return packPlain(value) ?? packr.pack(value);
    if (contentType === CONTENT_TYPE_JSON) return Buffer.from(JSON.stringify(value), 'utf8');
  } catch (err) {
    throw new ProtocolError('ASP_ERR_PROTOCOL_ENCODE', `cannot encode as ${contentType}`, { cause: err });
  }
  throw unknownContentType(contentType);
}

/**
 * Decodes one value; throws whatever the decoder throws on bad bytes (callers on the hot path
 * turn that into ASP_REJ_MALFORMED, cold paths into ASP_ERR_PROTOCOL_DECODE). Trailing bytes
 * after the value are an error in both formats.
 */
export function decodeValue(bytes: Uint8Array, contentType: ContentType): unknown {
  if (contentType === CONTENT_TYPE_MSGPACK) return packr.unpack(bytes);
  if (contentType === CONTENT_TYPE_JSON) return JSON.parse(utf8.decode(bytes));
  throw unknownContentType(contentType);
}

/** A short description of a decoder failure for messages, without a stack. */
export function reasonOf(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
