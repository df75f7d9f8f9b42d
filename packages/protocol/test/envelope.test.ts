import { describe, expect, it } from 'vitest';
import {
  contentTypes,
  counter,
  decodeEnvelope,
  encode,
  encodeEnvelope,
  envelope,
  itemsOf,
  JSON_CT,
  MSGPACK,
  roundTrip,
  summary,
} from './helpers.ts';

describe.each(contentTypes)('decodeEnvelope (%s)', (ct) => {
  it('round-trips commands, in order, ready for the domain', () => {
    const commands = [
      { id: 'a', type: 'seats.createOrg', data: { orgId: 'o1', cap: 10 } },
      { id: 'b', type: 'seats.createTeam', data: { orgId: 'o1', teamId: 't1' }, linked: true },
      { id: 'c', type: 'seats.addSeats', data: { orgId: 'o1', teamId: 't1', seats: 3 } },
    ];
    const items = itemsOf(decodeEnvelope(encodeEnvelope({ v: 1, commands }, ct), ct));
    expect(items).toEqual([
      { kind: 'command', command: { ...commands[0], linked: false } },
      { kind: 'command', command: commands[1] },
      { kind: 'command', command: { ...commands[2], linked: false } },
    ]);
  });

  it('reads an empty batch', () => {
    expect(itemsOf(roundTrip({ v: 1, commands: [] }, ct))).toEqual([]);
  });

  it('ignores unknown fields (newer producers) and treats linked: null as absent', () => {
    const items = itemsOf(
      roundTrip({ v: 1, extra: 1, commands: [counter('a', { linked: null, note: 'x' })] }, ct),
    );
    expect(items).toEqual([
      {
        kind: 'command',
        command: { id: 'a', type: 'counter.increment', data: counter('a').data, linked: false },
      },
    ]);
  });
});

describe('decodeEnvelope: the message as a whole', () => {
  const messageCode = (value: unknown, ct = JSON_CT) => {
    const r = roundTrip(value, ct);
    return r.ok ? 'ok' : r.error.code;
  };

  it('refuses undecodable bytes: ASP_REJ_MALFORMED', () => {
    const bad = [new Uint8Array([0xd9, 0x05, 0x61]), new Uint8Array([]), new Uint8Array([0x92, 0x01])];
    for (const bytes of bad)
      expect(decodeEnvelope(bytes, MSGPACK)).toMatchObject({
        ok: false,
        error: { code: 'ASP_REJ_MALFORMED' },
      });
    for (const text of ['{', '', 'nul', '{"v":1,"commands":[]} x', '\xff']) {
      const r = decodeEnvelope(Buffer.from(text, 'latin1'), JSON_CT);
      expect(r).toMatchObject({ ok: false, error: { code: 'ASP_REJ_MALFORMED' } });
    }
  });

  it('refuses trailing bytes after the msgpack value', () => {
    const bytes = Buffer.concat([encode(envelope([]), MSGPACK), Buffer.from([0x01])]);
    expect(decodeEnvelope(bytes, MSGPACK)).toMatchObject({ ok: false, error: { code: 'ASP_REJ_MALFORMED' } });
  });

  it('refuses a message over messageBytesMax before decoding it: ASP_REJ_TOO_LARGE', () => {
    const bytes = encode(envelope([counter('a')]), JSON_CT);
    const r = decodeEnvelope(bytes, JSON_CT, { messageBytesMax: bytes.length - 1 });
    expect(r).toMatchObject({ ok: false, error: { code: 'ASP_REJ_TOO_LARGE' } });
    expect(decodeEnvelope(bytes, JSON_CT, { messageBytesMax: bytes.length }).ok).toBe(true);
  });

  it.each([
    ['not an object', [1, 2]],
    ['null', null],
    ['a string', 'hello'],
    ['no version', { commands: [] }],
    ['version 2', { v: 2, commands: [] }],
    ['version "1"', { v: '1', commands: [] }],
    ['commands missing', { v: 1 }],
    ['commands not an array', { v: 1, commands: { 0: counter('a') } }],
    ['a command that is not an object', { v: 1, commands: [counter('a'), 'b'] }],
    ['a command without id', { v: 1, commands: [counter('a'), { type: 'counter.increment', data: {} }] }],
    ['a numeric id', { v: 1, commands: [counter(7 as unknown as string)] }],
    ['an empty id', { v: 1, commands: [counter('')] }],
    ['an id over 128 bytes', { v: 1, commands: [counter('x'.repeat(129))] }],
    ['an id over 128 bytes in UTF-8', { v: 1, commands: [counter('é'.repeat(65))] }],
  ])('refuses %s: ASP_REJ_SCHEMA', (_name, value) => {
    expect(messageCode(value)).toBe('ASP_REJ_SCHEMA');
    expect(messageCode(value, MSGPACK)).toBe('ASP_REJ_SCHEMA');
  });

  it('accepts an id of exactly 128 bytes', () => {
    expect(messageCode(envelope([counter('x'.repeat(128)), counter('é'.repeat(64))]))).toBe('ok');
  });

  it('refuses more than commandsPerMessageMax commands: ASP_REJ_TOO_LARGE', () => {
    const commands = Array.from({ length: 4 }, (_, i) => counter(`c${i}`));
    const bytes = encode(envelope(commands), MSGPACK);
    expect(decodeEnvelope(bytes, MSGPACK, { commandsPerMessageMax: 3 })).toMatchObject({
      ok: false,
      error: { code: 'ASP_REJ_TOO_LARGE', message: '4 commands in one message, more than the 3 allowed' },
    });
    expect(itemsOf(decodeEnvelope(bytes, MSGPACK, { commandsPerMessageMax: 4 }))).toHaveLength(4);
  });
});

describe('decodeEnvelope: one command', () => {
  it.each([
    ['a missing type', { id: 'a', data: {} }],
    ['a numeric type', { id: 'a', type: 5, data: {} }],
    ['an empty type', { id: 'a', type: '', data: {} }],
    ['a type with a space', { id: 'a', type: 'counter increment', data: {} }],
    ['a type over 64 characters', { id: 'a', type: `x.${'y'.repeat(63)}`, data: {} }],
    ['linked not a boolean', counter('a', { linked: 'yes' })],
    ['linked: 1', counter('a', { linked: 1 })],
  ])('rejects %s with ASP_REJ_SCHEMA, keeping its neighbours', (_name, bad) => {
    const r = roundTrip(envelope([counter('x'), bad, counter('z')]));
    const [first, second, third] = itemsOf(r);
    expect(first?.kind).toBe('command');
    expect(second).toMatchObject({
      kind: 'rejected',
      result: { id: 'a', status: 'rejected', code: 'ASP_REJ_SCHEMA' },
    });
    // An invalid `linked` still chains, so the next command fails with it (see rejectBrokenGroups).
    const linkedBad = typeof (bad as { linked?: unknown }).linked !== 'undefined';
    expect(third?.kind).toBe(linkedBad ? 'rejected' : 'command');
  });

  it('names the problem in the message', () => {
    const [item] = itemsOf(roundTrip(envelope([{ id: 'a', type: 5, data: {} }])));
    expect(item).toEqual({
      kind: 'rejected',
      result: {
        id: 'a',
        status: 'rejected',
        code: 'ASP_REJ_SCHEMA',
        message: 'type must be a string of 1 to 64 characters [A-Za-z0-9_.:-], got 5',
      },
    });
  });

  it('accepts a type of exactly commandTypeLengthMax characters', () => {
    expect(summary(roundTrip(envelope([{ id: 'a', type: 'x'.repeat(64), data: {} }])))).toEqual([
      ['a', 'command'],
    ]);
  });

  it('rejects the 2nd and later uses of an id: ASP_REJ_DUPLICATE_ID', () => {
    const r = roundTrip(envelope([counter('a'), counter('b'), counter('a'), counter('a')]));
    expect(summary(r)).toEqual([
      ['a', 'command'],
      ['b', 'command'],
      ['a', 'ASP_REJ_DUPLICATE_ID'],
      ['a', 'ASP_REJ_DUPLICATE_ID'],
    ]);
  });

  it('rejects data over commandDataBytesMax: ASP_REJ_TOO_LARGE', () => {
    const limits = { commandDataBytesMax: 100 };
    const small = { id: 's', type: 't.x', data: { text: 'x'.repeat(80) } };
    const big = { id: 'b', type: 't.x', data: { text: 'x'.repeat(120) } };
    for (const ct of contentTypes) {
      const r = decodeEnvelope(encode(envelope([small, big]), ct), ct, limits);
      expect(summary(r)).toEqual([
        ['s', 'command'],
        ['b', 'ASP_REJ_TOO_LARGE'],
      ]);
    }
  });

  it('measures data at the default 64 KiB limit', () => {
    const fits = { id: 'f', type: 't.x', data: { s: 'x'.repeat(64 * 1024 - 16) } };
    const over = { id: 'o', type: 't.x', data: { s: 'x'.repeat(64 * 1024) } };
    for (const ct of contentTypes) {
      expect(summary(decodeEnvelope(encode(envelope([fits, over]), ct), ct))).toEqual([
        ['f', 'command'],
        ['o', 'ASP_REJ_TOO_LARGE'],
      ]);
    }
  });
});
