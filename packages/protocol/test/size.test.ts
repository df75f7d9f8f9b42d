import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encode, MSGPACK, msgpackSizeExceeds } from './helpers.ts';

/** The walk must agree with the encoder byte for byte, or the data limit means nothing. */
function expectExactSize(value: unknown): void {
  const size = encode(value, MSGPACK).length;
  expect(msgpackSizeExceeds(value, size)).toBe(false);
  expect(msgpackSizeExceeds(value, size - 1)).toBe(true);
}

describe('msgpackSizeExceeds', () => {
  it('measures JSON values exactly as msgpack encodes them', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => expectExactSize(value)),
      { numRuns: 500 },
    );
  });

  it.each([
    [
      'integer edges',
      [-33, -32, -129, -128, 127, 128, 255, 256, 65535, 65536, -32769, 2 ** 32 - 1, 2 ** 32, -(2 ** 31) - 1],
    ],
    ['floats', [0.5, -1.25, 1e300, Number.MAX_SAFE_INTEGER + 2]],
    [
      'string length edges',
      ['x'.repeat(31), 'x'.repeat(32), 'x'.repeat(255), 'x'.repeat(256), 'x'.repeat(65536)],
    ],
    ['multi-byte strings', ['é', '€', '😀', 'a😀é€'.repeat(20)]],
    [
      'collection edges',
      [
        Array(15).fill(1),
        Array(16).fill(1),
        Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`k${i}`, i])),
      ],
    ],
    ['binary', [new Uint8Array(3), new Uint8Array(300), new Uint8Array(70_000)]],
    ['undefined properties are not encoded', [{ a: 1, b: undefined }]],
  ])('%s', (_name, values) => {
    for (const value of values) expectExactSize(value);
  });

  it('stops early on huge values and survives nesting deeper than the stack', () => {
    const deep = JSON.parse(`${'['.repeat(200_000)}${']'.repeat(200_000)}`);
    expect(msgpackSizeExceeds(deep, 1_000_000)).toBe(false);
    expect(msgpackSizeExceeds(deep, 100)).toBe(true);
    const deepObject = JSON.parse(`${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`);
    // Per level a fixmap header and the key "a" (3 bytes), then the 1.
    expect(msgpackSizeExceeds(deepObject, 300_001)).toBe(false);
    expect(msgpackSizeExceeds(deepObject, 300_000)).toBe(true);
  });
});
