import fc from 'fast-check';
import { type Options, Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { packrOptions } from '../src/codec.ts';
import { packPlain } from '../src/pack.ts';

/** msgpackr with the protocol's options (codec.ts): packPlain must write exactly what this writes. */
const reference = new Packr(packrOptions as unknown as Options);

/** Numbers at every boundary of the integer forms, and the floats around them. */
const edgeNumbers = [
  0,
  -0,
  1,
  31,
  32,
  63,
  64,
  127,
  128,
  255,
  256,
  65535,
  65536,
  2 ** 32 - 1,
  2 ** 32,
  -1,
  -32,
  -33,
  -128,
  -129,
  -32768,
  -32769,
  -(2 ** 31),
  -(2 ** 31) - 1,
  Number.MAX_SAFE_INTEGER,
  Number.MIN_SAFE_INTEGER,
  0.5,
  -1.25,
  1e300,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  1_760_000_000_123,
];

const plain = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string({ unit: 'binary', maxLength: 80 }),
    fc.string({ unit: 'grapheme', minLength: 20, maxLength: 400 }),
    fc.integer(),
    fc.double(),
    fc.constantFrom(...edgeNumbers),
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
    fc.array(tie('value'), { maxLength: 20 }),
    fc.dictionary(fc.string({ maxLength: 12 }), tie('value'), { maxKeys: 20 }),
  ),
}));

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('packPlain', () => {
  it('writes exactly what msgpackr writes with the protocol options', () => {
    fc.assert(
      fc.property(plain.value, (v) => {
        expect(hex(packPlain(v)!)).toBe(hex(reference.pack(v)));
      }),
      { numRuns: 2000 },
    );
  });

  it('matches at every string and container length boundary', () => {
    for (const n of [0, 1, 31, 32, 63, 64, 255, 256, 65535, 65536, 70_000]) {
      for (const ch of ['a', 'é', '€', '😀']) {
        const s = ch.repeat(n).slice(0, n);
        expect(hex(packPlain(s)!)).toBe(hex(reference.pack(s)));
      }
      const arr = Array.from({ length: n }, (_, i) => i);
      expect(hex(packPlain(arr)!)).toBe(hex(reference.pack(arr)));
      const obj = Object.fromEntries(arr.map((i) => [`k${i}`, i % 3 === 0 ? undefined : i]));
      expect(hex(packPlain(obj)!)).toBe(hex(reference.pack(obj)));
    }
  });

  it('leaves lone surrogates to the same replacement as msgpackr', () => {
    for (const s of ['\ud800', 'a\udc00b', '\ud800'.repeat(40), `${'x'.repeat(70)}\udfff`]) {
      expect(hex(packPlain(s)!)).toBe(hex(reference.pack(s)));
    }
  });

  it('returns undefined for what only msgpackr encodes, so the caller falls back', () => {
    class Point {
      x = 1;
    }
    for (const v of [
      new Date(0),
      new Map([[1, 2]]),
      new Uint8Array(3),
      new Point(),
      10n,
      { nested: [new Set()] },
    ]) {
      expect(packPlain(v)).toBeUndefined();
    }
    // The scratch state is reset after a fallback: the next value encodes whole.
    expect(hex(packPlain({ a: 1 })!)).toBe(hex(reference.pack({ a: 1 })));
  });

  it('returns a copy: a later call never changes an earlier result', () => {
    const first = packPlain({ a: 'first' })!;
    const before = hex(first);
    packPlain({ a: 'second value, longer than the first' });
    expect(hex(first)).toBe(before);
  });

  it('leaves out what a polluted Object.prototype would add, as msgpackr does', () => {
    const value = { a: 1, nested: { b: [{ c: 'x' }] }, none: Object.assign(Object.create(null), { d: 2 }) };
    Object.defineProperty(Object.prototype, 'polluted', {
      value: 'yes',
      enumerable: true,
      configurable: true,
      writable: true,
    });
    try {
      expect(hex(packPlain(value)!)).toBe(hex(reference.pack(value)));
      expect(hex(packPlain(value)!)).not.toContain(Buffer.from('polluted').toString('hex'));
    } finally {
      delete (Object.prototype as Record<string, unknown>).polluted;
    }
    expect(hex(packPlain(value)!)).toBe(hex(reference.pack(value)));
  });

  it('encodes a value larger than the kept scratch buffer', () => {
    const big = { memo: 'm'.repeat(20 * 1024 * 1024) };
    expect(hex(packPlain(big)!.subarray(0, 16))).toBe(hex(reference.pack(big).subarray(0, 16)));
    expect(packPlain(big)!.length).toBe(reference.pack(big).length);
  });
});
