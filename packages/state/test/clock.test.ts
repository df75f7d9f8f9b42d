import { describe, expect, it } from 'vitest';
import { ClockCache } from '../src/clock.ts';

describe('ClockCache', () => {
  it('stays within entriesMax and never answers a wrong value', () => {
    const cache = new ClockCache<string, number>(50);
    const latest = new Map<string, number>();
    for (let i = 0; i < 5000; i++) {
      const key = `k${(i * 7919) % 300}`;
      cache.set(key, i);
      latest.set(key, i);
      const probe = `k${(i * 31) % 300}`;
      const value = cache.get(probe);
      if (value !== undefined) expect(value).toBe(latest.get(probe));
      expect(cache.size).toBeLessThanOrEqual(50);
    }
    expect(cache.size).toBe(50);
  });

  it('keeps entries that are read while others come and go', () => {
    const cache = new ClockCache<string, number>(10);
    for (let i = 0; i < 1000; i++) {
      cache.set(`cold${i}`, i);
      expect(cache.get('hot')).toBe(i === 0 ? undefined : 0);
      if (i === 0) cache.set('hot', 0);
    }
  });

  it('deletes, reusing the slot without disturbing the key that took it', () => {
    const cache = new ClockCache<string, number>(3);
    for (const [i, key] of ['a', 'b', 'c'].entries()) cache.set(key, i);
    cache.delete('b');
    cache.delete('nope');
    expect([cache.size, cache.get('b')]).toEqual([2, undefined]);
    for (let i = 0; i < 20; i++) {
      cache.set(`n${i}`, i);
      expect(cache.get(`n${i}`)).toBe(i);
      expect(cache.size).toBeLessThanOrEqual(3);
    }
    cache.update('n19', 99);
    cache.update('absent', 1);
    expect([cache.get('n19'), cache.get('absent')]).toEqual([99, undefined]);
  });

  it('updates in place and clears', () => {
    const cache = new ClockCache<string, string>(2);
    cache.set('a', '1');
    cache.set('a', '2');
    expect([cache.size, cache.get('a')]).toEqual([1, '2']);
    cache.clear();
    expect([cache.size, cache.get('a')]).toEqual([0, undefined]);
    cache.set('b', '3');
    expect(cache.get('b')).toBe('3');
  });
});
