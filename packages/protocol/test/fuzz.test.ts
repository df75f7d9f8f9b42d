import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DecodeEnvelopeResult } from './helpers.ts';
import {
  contentTypes,
  decodeEnvelope,
  decodeValue,
  encode,
  linkedGroups,
  rejectionCodes,
} from './helpers.ts';

/** Anything a producer might send as one command: sometimes valid, mostly not. */
const commandLike = fc.record(
  {
    id: fc.oneof(fc.constantFrom('a', 'b', 'c'), fc.string({ maxLength: 8 }), fc.jsonValue()),
    type: fc.oneof(fc.constantFrom('counter.increment', 'seats.addSeats', 'bad type', ''), fc.jsonValue()),
    data: fc.jsonValue({ maxDepth: 3 }),
    linked: fc.oneof(fc.boolean(), fc.boolean(), fc.constant(null), fc.jsonValue({ maxDepth: 1 })),
  },
  { requiredKeys: [] },
);
const envelopeLike = fc.oneof(
  fc.record({
    v: fc.constant(1),
    commands: fc.array(fc.oneof(commandLike, commandLike, fc.jsonValue()), { maxLength: 12 }),
  }),
  fc.record(
    { v: fc.jsonValue({ maxDepth: 0 }), commands: fc.jsonValue({ maxDepth: 2 }) },
    { requiredKeys: [] },
  ),
  fc.jsonValue(),
);

/** The contract of decodeEnvelope, for any bytes at all. */
function checkContract(
  bytes: Uint8Array,
  result: DecodeEnvelopeResult,
  ct: (typeof contentTypes)[number],
): void {
  if (!result.ok) {
    expect(rejectionCodes).toContain(result.error.code);
    return;
  }
  const commands = (decodeValue(bytes, ct) as { commands: { id: string; linked?: unknown }[] }).commands;
  expect(result.items).toHaveLength(commands.length);
  result.items.forEach((item, i) => {
    const id = item.kind === 'command' ? item.command.id : item.result.id;
    expect(id).toBe(commands[i]!.id);
    if (item.kind === 'rejected') expect(rejectionCodes).toContain(item.result.code);
  });
  // All or nothing: a linked group reaches the domain whole, or not at all.
  const isLinked = (i: number) =>
    commands[i]!.linked !== undefined && commands[i]!.linked !== null && commands[i]!.linked !== false;
  for (const g of linkedGroups(commands.length, isLinked)) {
    const kinds = new Set(result.items.slice(g.start, g.end).map((item) => item.kind));
    expect(kinds.size).toBe(1);
    if (g.open) expect(kinds.has('rejected')).toBe(true);
  }
}

describe.each(contentTypes)('decodeEnvelope never throws (%s)', (ct) => {
  it('on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        checkContract(bytes, decodeEnvelope(bytes, ct), ct);
      }),
      { numRuns: 2000 },
    );
  });

  it('on arbitrary values shaped more or less like envelopes', () => {
    fc.assert(
      fc.property(envelopeLike, (value) => {
        const bytes = encode(value, ct);
        checkContract(bytes, decodeEnvelope(bytes, ct, { commandDataBytesMax: 64 }), ct);
      }),
      { numRuns: 2000 },
    );
  });

  it('on valid messages with bytes flipped', () => {
    const corrupt = fc.tuple(
      envelopeLike,
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
    );
    fc.assert(
      fc.property(corrupt, ([value, flips]) => {
        const bytes = Uint8Array.from(encode(value, ct));
        for (const [at, byte] of flips) if (bytes.length > 0) bytes[at % bytes.length] = byte;
        checkContract(bytes, decodeEnvelope(bytes, ct), ct);
      }),
      { numRuns: 2000 },
    );
  });
});
