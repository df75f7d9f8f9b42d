import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeyFilter, SEGMENT_BYTES } from '../src/filter.ts';

/** 2^20 keys fill a segment (filter.ts). */
const SEGMENT_KEYS = 1 << 20;
const big = 64 * SEGMENT_BYTES;

function ready(bytesMax = big): KeyFilter {
  const f = new KeyFilter(bytesMax);
  f.markReady();
  return f;
}

describe('KeyFilter', () => {
  it('never answers "absent" for a key it was given', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 40 }), { maxLength: 300 }), (keys) => {
        const f = ready();
        keys.forEach((k, i) => {
          f.add(k, i);
        });
        return keys.every((k) => f.mightContain(k));
      }),
      { numRuns: 300 },
    );
  });

  it('answers "maybe" for everything until the keys present at open are in', () => {
    const f = new KeyFilter(big);
    expect(f.mightContain('never-added')).toBe(true);
    expect(f.stats().state).toBe('scanning');
    f.markReady();
    expect(f.mightContain('never-added')).toBe(false);
    expect(f.stats().state).toBe('ready');
  });

  it('says "maybe" for few absent keys', () => {
    const f = ready();
    for (let i = 0; i < 200_000; i++) f.add(`ledger.transfer/tr-${i}`, 1);
    let maybe = 0;
    for (let i = 0; i < 200_000; i++) if (f.mightContain(`ledger.transfer/tr-x${i}`)) maybe++;
    // 16 bits and 7 hashes per key: ~0.07% for a full segment, far less at a fifth of one.
    expect(maybe).toBeLessThan(200);
    expect(f.stats()).toMatchObject({ keys: 200_000, bytes: SEGMENT_BYTES });
  });

  it('counts a key once per segment however often it is written, and keeps its newest seq', () => {
    const f = ready();
    f.add('org/a', 1);
    for (let i = 0; i < 1000; i++) f.add(`team/${i}`, 2);
    f.add('org/a', 9);
    expect(f.stats().keys).toBe(1001);
    // The segment holds org/a as of seq 9: pruning below 9 keeps it.
    f.dropBefore(9);
    expect(f.mightContain('org/a')).toBe(true);
    f.dropBefore(10);
    expect(f.mightContain('org/a')).toBe(false);
    expect(f.stats()).toMatchObject({ keys: 0, bytes: 0 });
  });

  it('drops a segment only once every key in it is older than the pruning point', () => {
    const f = ready();
    // A segment takes 2^20 keys, a few less where a new key's bits were all set already.
    // Key r<n> is written at seq n + 1; r<last> is the first key of the second segment.
    let n = 0;
    while (f.stats().bytes === SEGMENT_BYTES || n === 0) f.add(`r${n}`, ++n);
    const last = n - 1;
    expect(last).toBeGreaterThan(SEGMENT_KEYS * 0.99);
    expect(f.stats().bytes).toBe(2 * SEGMENT_BYTES);
    // The first segment's newest key is r<last - 1>, of seq last.
    f.dropBefore(last);
    expect(f.mightContain('r0')).toBe(true);
    expect(f.mightContain(`r${last - 1}`)).toBe(true);
    f.dropBefore(last + 1);
    expect(f.stats()).toMatchObject({ keys: 1, bytes: SEGMENT_BYTES });
    expect(f.mightContain(`r${last}`)).toBe(true);
    let maybe = 0;
    for (let i = 0; i < last; i += 64) if (f.mightContain(`r${i}`)) maybe++;
    expect(maybe).toBe(0);
  });

  it('turns itself off instead of outgrowing its memory, answering "maybe" from then on', () => {
    const f = ready(SEGMENT_BYTES);
    let n = 0;
    while (f.stats().state === 'ready') f.add(`k${n++}`, 1);
    expect(n).toBeGreaterThan(SEGMENT_KEYS);
    expect(f.stats()).toMatchObject({ state: 'off', keys: 0, bytes: 0 });
    expect(f.mightContain('never-added')).toBe(true);
    f.markReady();
    expect(f.mightContain('never-added')).toBe(true);
  });
});
