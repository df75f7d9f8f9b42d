import { pack, unpack } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import type { CommandResult, CommitRecord, ResultsMessage } from './helpers.ts';
import {
  contentTypeOf,
  contentTypes,
  counter,
  decodeCommitRecord,
  decodeEnvelope,
  decodeLookupRequest,
  decodeLookupResponse,
  decodeResults,
  decodeValue,
  encode,
  encodeCommitRecord,
  encodeLookupRequest,
  encodeLookupResponse,
  encodeResults,
  envelope,
  isAspErrorWith,
  itemsOf,
  JSON_CT,
  MSGPACK,
} from './helpers.ts';

const results: CommandResult[] = [
  { id: 'a', status: 'accepted', seq: 42 },
  { id: 'b', status: 'rejected', code: 'ASP_REJ_INVARIANT', message: 'cap exceeded', invariant: 'seats.cap' },
  { id: 'c', status: 'rejected', code: 'ASP_REJ_GROUP_FAILED', message: 'group failed', cause: 'b' },
];

const record: CommitRecord = {
  v: 1,
  partition: 'p0',
  seq: 7,
  ts: 1_760_000_000_123,
  results,
  events: [
    {
      commandId: 'a',
      aggregateType: 'counter',
      aggregateId: 'c1',
      version: 3,
      type: 'counter.Incremented',
      data: { by: 1, value: 3, nested: { list: [1, 'two', null] } },
    },
  ],
};

describe('contentTypeOf', () => {
  it.each([
    [undefined, MSGPACK],
    [null, MSGPACK],
    ['', MSGPACK],
    ['application/msgpack', MSGPACK],
    ['application/x-msgpack', MSGPACK],
    ['application/vnd.msgpack', MSGPACK],
    ['application/json', JSON_CT],
    ['Application/JSON; charset=utf-8', JSON_CT],
  ])('reads %j as %s', (header, ct) => {
    expect(contentTypeOf(header)).toEqual({ ok: true, value: ct });
  });

  it('answers an unknown content type with an error value', () => {
    expect(contentTypeOf('text/plain')).toMatchObject({ ok: false, error: { code: 'ASP_REJ_MALFORMED' } });
  });
});

describe.each(contentTypes)('round trips (%s)', (ct) => {
  it('results messages, both forms', () => {
    const ok: ResultsMessage = { v: 1, results };
    const failed: ResultsMessage = { v: 1, error: { code: 'ASP_REJ_MALFORMED', message: 'cannot decode' } };
    expect(decodeResults(encodeResults(ok, ct), ct)).toEqual(ok);
    expect(decodeResults(encodeResults(failed, ct), ct)).toEqual(failed);
  });

  it('lookup request and response', () => {
    const request = { v: 1 as const, ids: ['a', 'b', 'zz'] };
    expect(decodeLookupRequest(encodeLookupRequest(request, ct), ct)).toEqual({ ok: true, value: request });
    const response = { v: 1 as const, results: [results[0]!, results[1]!, null] };
    expect(decodeLookupResponse(encodeLookupResponse(response, ct), ct)).toEqual(response);
  });
});

describe('commit records', () => {
  it('round-trip as msgpack, with no undefined leaking in', () => {
    const bytes = encodeCommitRecord(record);
    expect(decodeCommitRecord(bytes)).toEqual(record);
    expect(unpack(bytes)).toEqual(record);
    const withUndefined = {
      ...record,
      results: [{ id: 'x', status: 'rejected', code: 'ASP_REJ_NOT_FOUND', message: 'm', cause: undefined }],
    };
    const decoded = decodeCommitRecord(encodeCommitRecord(withUndefined as CommitRecord));
    expect(Object.keys(decoded.results[0]!)).toEqual(['id', 'status', 'code', 'message']);
  });

  it('throw ASP_ERR_PROTOCOL_DECODE when corrupt or not a record', () => {
    const bytes = encodeCommitRecord(record);
    expect(
      isAspErrorWith(
        () => decodeCommitRecord(bytes.subarray(0, bytes.length - 3)),
        'ASP_ERR_PROTOCOL_DECODE',
      ),
    ).toBe(true);
    const wrong = encode({ ...record, seq: 0 }, MSGPACK);
    expect(() => decodeCommitRecord(wrong)).toThrow(/commit record does not match the protocol: seq/);
    expect(
      isAspErrorWith(() => decodeResults(encode({ v: 2 }, JSON_CT), JSON_CT), 'ASP_ERR_PROTOCOL_DECODE'),
    ).toBe(true);
  });
});

describe('lookup requests from clients are values, not exceptions', () => {
  it.each([
    ['bad bytes', Buffer.from('{'), 'ASP_REJ_MALFORMED'],
    ['wrong shape', encode({ v: 1, ids: [1] }, JSON_CT), 'ASP_REJ_SCHEMA'],
    ['too many ids', encode({ v: 1, ids: ['a', 'b', 'c'] }, JSON_CT), 'ASP_REJ_TOO_LARGE'],
  ])('%s', (_name, bytes, code) => {
    expect(decodeLookupRequest(bytes, JSON_CT, { commandsPerMessageMax: 2 })).toMatchObject({
      ok: false,
      error: { code },
    });
  });
});

describe('msgpack interop', () => {
  it("reads what msgpackr's plain pack writes", () => {
    const bytes = pack({ v: 1, commands: [counter('a'), counter('b', { linked: true }), counter('c')] });
    const items = itemsOf(decodeEnvelope(bytes, MSGPACK));
    expect(items.map((i) => i.kind)).toEqual(['command', 'command', 'command']);
  });

  it('writes plain msgpack maps, which any decoder reads (no msgpackr records)', () => {
    const bytes = encode(envelope([counter('a')]), MSGPACK);
    expect(bytes[0]).toBe(0x82); // fixmap with 2 entries, not a record extension
    expect(unpack(bytes)).toEqual(envelope([counter('a')]));
  });

  it('reads 64-bit integers from other encoders as numbers, or bigint when not safe', () => {
    expect(decodeValue(Buffer.from('cf0000000000000005', 'hex'), MSGPACK)).toBe(5);
    expect(decodeValue(Buffer.from('cfffffffffffffffff', 'hex'), MSGPACK)).toBe(18446744073709551615n);
    // A results message whose encoder wrote seq as uint64.
    const header = Buffer.from('82a17601a7726573756c747391', 'hex'); // { v: 1, results: [ <1 item> ]
    const item = Buffer.from('83a26964a161a6737461747573a86163636570746564a3736571', 'hex'); // { id, status, seq:
    const bytes = Buffer.concat([header, item, Buffer.from('cf0000000000000005', 'hex')]);
    expect(decodeResults(bytes, MSGPACK)).toEqual({
      v: 1,
      results: [{ id: 'a', status: 'accepted', seq: 5 }],
    });
  });

  it('reads a message that is a view into a larger buffer', () => {
    const bytes = encode(envelope([counter('a')]), MSGPACK);
    const padded = new Uint8Array(bytes.length + 10);
    padded.set(bytes, 5);
    expect(itemsOf(decodeEnvelope(padded.subarray(5, 5 + bytes.length), MSGPACK))).toHaveLength(1);
  });
});
