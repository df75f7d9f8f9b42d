import { CONTENT_TYPE_MSGPACK, type CommandResult, encode as encodeMsgpack } from '@asp/protocol';
import { Packr } from 'msgpackr';
import { StateError } from './errors.ts';
import { resultIdOf } from './keys.ts';
import type { Aggregate } from './types.ts';

/**
 * Plain msgpack maps, no record extension. Records are faster to decode only with shared
 * structures, and shared structures would have to be persisted atomically with the values that
 * use them (a Packr without them still remembers shapes in memory, so values packed before a
 * restart would not decode after it). Plain maps decode the same in any process, forever.
 * Values are written by the protocol's encoder (the fast path for plain data; the same bytes
 * as the commit records' msgpack). Stores written before it used map16 headers for every
 * object; those decode the same.
 */
const packr = new Packr({ useRecords: false });

export function encode(value: unknown): Uint8Array {
  return encodeMsgpack(value, CONTENT_TYPE_MSGPACK);
}

function decode(key: string, bytes: Uint8Array): unknown {
  try {
    return packr.unpack(bytes);
  } catch (err) {
    throw corrupt(key, `does not decode (${err instanceof Error ? err.message : String(err)})`, err);
  }
}

function corrupt(key: string, why: string, cause?: unknown): StateError {
  return new StateError('ASP_ERR_STATE_CORRUPT', `state store: value of ${JSON.stringify(key)} ${why}`, {
    cause,
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

export function decodeAggregate(key: string, bytes: Uint8Array): Aggregate {
  const value = decode(key, bytes);
  if (!isRecord(value) || typeof value.version !== 'number') throw corrupt(key, 'is not an aggregate');
  return { version: value.version, state: value.state };
}

/**
 * A result as the index stores it (format 2): without its id, which is the key, and an accepted
 * one as its seq alone. The index holds one result per command, a large part of what LevelDB
 * writes and compacts: an accepted result took ~50 bytes as a map with its id, and takes 1–5.
 */
export function encodeResult(result: CommandResult): Uint8Array {
  if (result.status === 'accepted') return encode(result.seq);
  // Only a result's own fields, so what is stored never depends on what else the object holds.
  const { status, code, message, invariant, cause } = result;
  return encode({ status, code, message, invariant, cause });
}

/** `key` is the LevelDB key (`r:<id>`). Reads both formats: format 1 stored the whole result. */
export function decodeResult(key: string, bytes: Uint8Array): CommandResult {
  const value = decode(key, bytes);
  if (Number.isSafeInteger(value) && (value as number) >= 1) {
    return { id: resultIdOf(key), status: 'accepted', seq: value as number };
  }
  if (
    !isRecord(value) ||
    typeof value.status !== 'string' ||
    (value.id !== undefined && typeof value.id !== 'string')
  ) {
    throw corrupt(key, 'is not a command result');
  }
  return (value.id === undefined ? { id: resultIdOf(key), ...value } : value) as unknown as CommandResult;
}

export function decodeIds(key: string, bytes: Uint8Array): string[] {
  const value = decode(key, bytes);
  if (!Array.isArray(value) || !value.every((id) => typeof id === 'string')) {
    throw corrupt(key, 'is not a list of command ids');
  }
  return value;
}

export function decodeNumber(key: string, bytes: Uint8Array): number {
  const value = decode(key, bytes);
  if (!Number.isSafeInteger(value) || (value as number) < 0) throw corrupt(key, 'is not a seq');
  return value as number;
}

export interface Progress {
  /** The WAL seq of the last commit record applied. */
  appliedSeq: number;
  /** The oldest seq whose results may still be in the index (all older ones were pruned). */
  resultsFromSeq: number;
  /** How many results the seqs resultsFromSeq..appliedSeq indexed. */
  resultsRetained: number;
}

export function decodeProgress(key: string, bytes: Uint8Array): Progress {
  const value = decode(key, bytes);
  const fields = ['appliedSeq', 'resultsFromSeq', 'resultsRetained'] as const;
  if (!isRecord(value) || !fields.every((f) => Number.isSafeInteger(value[f]) && (value[f] as number) >= 0)) {
    throw corrupt(key, 'is not a progress record');
  }
  return value as unknown as Progress;
}
