import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CONTENT_TYPE_MSGPACK, decodeValue, encode } from '../src/codec.ts';
import { decodeCommitRecord } from '../src/record.ts';
import { commitRecordSchema, rejectionCodes } from '../src/schemas.ts';
import type { CommitRecord } from '../src/types.ts';

/** What the schema (the contract's declarative description) makes of the same bytes. */
function bySchema(bytes: Uint8Array): { ok: true; value: CommitRecord } | { ok: false } {
  const parsed = commitRecordSchema.safeParse(decodeValue(bytes, CONTENT_TYPE_MSGPACK));
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false };
}

function byHand(bytes: Uint8Array): { ok: true; value: CommitRecord } | { ok: false } {
  try {
    return { ok: true, value: decodeCommitRecord(bytes) };
  } catch {
    return { ok: false };
  }
}

const text = fc.string({ minLength: 1, maxLength: 12 });
const positive = fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER });
const json = fc.jsonValue({ maxDepth: 2 });

const result = fc.oneof(
  fc.record({ id: text, status: fc.constant('accepted' as const), seq: positive }),
  fc.record(
    {
      id: text,
      status: fc.constant('rejected' as const),
      code: fc.constantFrom(...rejectionCodes),
      message: fc.string({ maxLength: 20 }),
      invariant: fc.string({ maxLength: 10 }),
      cause: text,
    },
    { requiredKeys: ['id', 'status', 'code', 'message'] },
  ),
);

const event = fc.record({
  commandId: text,
  aggregateType: text,
  aggregateId: text,
  version: positive,
  type: text,
  data: fc.dictionary(fc.string({ maxLength: 8 }), json, { maxKeys: 4 }),
});

const record = fc.record({
  v: fc.constant(1 as const),
  partition: fc.constantFrom('p0', 'p1', 'eu-west_2'),
  seq: positive,
  ts: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
  results: fc.array(result, { maxLength: 4 }),
  events: fc.array(event, { maxLength: 4 }),
});

/** Replaces the value at one path of a record (or adds an unknown field) with anything at all. */
function mutate(r: CommitRecord, pick: number, value: unknown): unknown {
  const copy = structuredClone(r) as unknown as Record<string, unknown>;
  const paths: string[][] = [['v'], ['partition'], ['seq'], ['ts'], ['results'], ['events']];
  r.results.forEach((x, i) => {
    for (const k of Object.keys(x)) paths.push(['results', String(i), k]);
    paths.push(['results', String(i)]);
  });
  r.events.forEach((e, i) => {
    for (const k of Object.keys(e)) paths.push(['events', String(i), k]);
    paths.push(['events', String(i)]);
  });
  const path = paths[pick % paths.length]!;
  let at: Record<string, unknown> = copy;
  for (const k of path.slice(0, -1)) at = at[k] as Record<string, unknown>;
  at[path.at(-1)!] = value;
  return copy;
}

describe('decodeCommitRecord', () => {
  it('reads every valid record exactly as the schema does', () => {
    fc.assert(
      fc.property(record, (r) => {
        const bytes = encode(r, CONTENT_TYPE_MSGPACK);
        const mine = byHand(bytes);
        expect(mine).toEqual(bySchema(bytes));
        // As decoded, not `r`: msgpackr renames a `__proto__` key (a decoder safeguard).
        expect(mine).toEqual({ ok: true, value: decodeValue(bytes, CONTENT_TYPE_MSGPACK) });
      }),
      { numRuns: 1000 },
    );
  });

  it('accepts and refuses what the schema accepts and refuses, whatever one field is changed to', () => {
    const anything = fc.oneof(
      fc.anything({ maxDepth: 2 }),
      fc.constantFrom(0, -1, 1.5, '', 'p 0', null, true, [], {}, 2 ** 60, 'ASP_REJ_NOPE', new Date(0)),
      fc.constantFrom(...rejectionCodes, 'accepted', 'rejected'),
    );
    fc.assert(
      fc.property(record, fc.nat(), anything, (r, pick, value) => {
        const bytes = encode(mutate(r, pick, value), CONTENT_TYPE_MSGPACK);
        const mine = byHand(bytes);
        const theirs = bySchema(bytes);
        expect(mine.ok).toBe(theirs.ok);
        // The schema drops unknown fields of events; the hand reader keeps them (documented).
        if (mine.ok && theirs.ok) expect(mine.value.results).toEqual(theirs.value.results);
      }),
      { numRuns: 3000 },
    );
  });

  it('skips the results when asked, still checking the events', () => {
    const r: CommitRecord = {
      v: 1,
      partition: 'p0',
      seq: 3,
      ts: 5,
      results: [{ id: 'c', status: 'accepted', seq: 3 }],
      events: [{ commandId: 'c', aggregateType: 'a', aggregateId: 'x', version: 1, type: 't', data: {} }],
    };
    expect(decodeCommitRecord(encode(r, CONTENT_TYPE_MSGPACK), { results: false })).toEqual({
      ...r,
      results: [],
    });
    const badEvent = { ...r, events: [{ ...r.events[0]!, version: 0 }] };
    expect(() => decodeCommitRecord(encode(badEvent, CONTENT_TYPE_MSGPACK), { results: false })).toThrow(
      /commit record does not match the protocol: events\.0\.version/,
    );
  });
});
