import { describe, type Fields, isFields, isValidId } from './checks.ts';
import { decodeValue, encode, reasonOf } from './codec.ts';
import { rejectBrokenGroups } from './groups.ts';
import { protocolLimits } from './limits.ts';
import { msgpackSizeExceeds } from './size.ts';
import type {
  CommandEnvelope,
  ContentType,
  DecodedItem,
  DecodeEnvelopeResult,
  ProtocolLimits,
  RejectedResult,
  RejectionCode,
} from './types.ts';

/** The last type that passed its check: a batch usually repeats a few types, so skip re-testing. */
type Checked = { type: unknown };
/** What `Checked.type` starts as: no decoded value is a symbol, so nothing matches it. */
const NOTHING_CHECKED = Symbol('nothing checked');

const TYPE_RE = /^[A-Za-z0-9_.:-]+$/;

export function encodeEnvelope(envelope: CommandEnvelope, contentType: ContentType): Uint8Array {
  return encode(envelope, contentType);
}

/**
 * Reads one command message from an untrusted producer. Never throws: a message that cannot be
 * read at all is `{ ok: false, error }`; otherwise every command gets one item, in order, either
 * ready for the domain or rejected with its code. The checks are written by hand rather than
 * with zod: a zod parse fails the whole message, but each command needs its own result, and one
 * pass also finds duplicate ids, broken groups and oversized data. Measured on 1000-command
 * messages this costs ~0.2 µs per command on top of ~0.35 µs of msgpack decoding.
 */
export function decodeEnvelope(
  bytes: Uint8Array,
  contentType: ContentType,
  limits?: Partial<ProtocolLimits>,
): DecodeEnvelopeResult {
  const l = limits === undefined ? protocolLimits : { ...protocolLimits, ...limits };
  if (bytes.length > l.messageBytesMax) {
    return failed(
      'ASP_REJ_TOO_LARGE',
      `message is ${bytes.length} bytes, more than the ${l.messageBytesMax} allowed`,
    );
  }
  let value: unknown;
  try {
    value = decodeValue(bytes, contentType);
  } catch (err) {
    return failed('ASP_REJ_MALFORMED', `cannot decode the message as ${contentType}: ${reasonOf(err)}`);
  }
  // No data in a message this small can exceed the data limit, so skip measuring it: re-measured
  // as our msgpack, a JSON value grows at most 2.25x and a standard msgpack one at most 2.5x
  // (float32, timestamp32). Only msgpackr's record extension, not part of the contract, can
  // compress more.
  const measureData = bytes.length * 3 > l.commandDataBytesMax;
  try {
    return readEnvelope(value, l, measureData);
  } catch (err) {
    // Defensive: decoded values are plain data, but this function must not throw.
    return failed('ASP_REJ_MALFORMED', `cannot read the message: ${reasonOf(err)}`);
  }
}

function readEnvelope(value: unknown, l: ProtocolLimits, measureData: boolean): DecodeEnvelopeResult {
  if (!isFields(value))
    return failed('ASP_REJ_SCHEMA', 'the message must be an object { v: 1, commands: [...] }');
  if (value.v !== 1) {
    return failed(
      'ASP_REJ_SCHEMA',
      `unsupported envelope version v: ${describe(value.v)}; this server reads v: 1`,
    );
  }
  const commands = value.commands;
  if (!Array.isArray(commands))
    return failed('ASP_REJ_SCHEMA', `commands must be an array, got ${describe(commands)}`);
  if (commands.length > l.commandsPerMessageMax) {
    const max = l.commandsPerMessageMax;
    return failed(
      'ASP_REJ_TOO_LARGE',
      `${commands.length} commands in one message, more than the ${max} allowed`,
    );
  }
  const items: DecodedItem[] = [];
  const linked: boolean[] = [];
  const seen = new Set<string>();
  const checked: Checked = { type: NOTHING_CHECKED };
  let anyLinked = false;
  for (let i = 0; i < commands.length; i++) {
    const c: unknown = commands[i];
    if (!isFields(c)) return failed('ASP_REJ_SCHEMA', `commands[${i}] must be an object { id, type, data }`);
    const id = c.id;
    if (!isValidId(id, l.commandIdBytesMax)) {
      const max = l.commandIdBytesMax;
      return failed('ASP_REJ_SCHEMA', `commands[${i}].id must be a non-empty string of at most ${max} bytes`);
    }
    // An invalid `linked` counts as linked: if the producer meant a group, the next command
    // must fail with this one rather than be applied on its own.
    const flag = c.linked !== undefined && c.linked !== null && c.linked !== false;
    anyLinked ||= flag;
    linked.push(flag);
    // One hash operation instead of has() then add(): the set grows unless the id was seen.
    const seenBefore = seen.size;
    seen.add(id);
    const rejection = checkCommand(c, id, seen.size === seenBefore, checked, l, measureData);
    items.push(
      rejection === undefined
        ? { kind: 'command', command: { id, type: c.type as string, data: c.data, linked: flag } }
        : { kind: 'rejected', result: rejection },
    );
  }
  if (anyLinked) rejectBrokenGroups(items, linked);
  return { ok: true, items };
}

/** The first per-command check that fails, in a fixed order, or undefined when all pass. */
function checkCommand(
  c: Fields,
  id: string,
  duplicate: boolean,
  checked: Checked,
  l: ProtocolLimits,
  measureData: boolean,
): RejectedResult | undefined {
  if (duplicate)
    return rejected(id, 'ASP_REJ_DUPLICATE_ID', 'an earlier command of this message has the same id');
  const type = c.type;
  if (type !== checked.type) {
    if (typeof type !== 'string' || type.length > l.commandTypeLengthMax || !TYPE_RE.test(type)) {
      const rule = `a string of 1 to ${l.commandTypeLengthMax} characters [A-Za-z0-9_.:-]`;
      return rejected(id, 'ASP_REJ_SCHEMA', `type must be ${rule}, got ${describe(type)}`);
    }
    checked.type = type;
  }
  const link = c.linked;
  if (link !== undefined && link !== null && typeof link !== 'boolean') {
    return rejected(id, 'ASP_REJ_SCHEMA', `linked must be a boolean, got ${describe(link)}`);
  }
  if (measureData && msgpackSizeExceeds(c.data, l.commandDataBytesMax)) {
    const max = l.commandDataBytesMax;
    return rejected(id, 'ASP_REJ_TOO_LARGE', `data is larger than ${max} bytes (measured as msgpack)`);
  }
  return undefined;
}

function failed(code: RejectionCode, message: string): DecodeEnvelopeResult {
  return { ok: false, error: { code, message } };
}

function rejected(id: string, code: RejectionCode, message: string): RejectedResult {
  return { id, status: 'rejected', code, message };
}
