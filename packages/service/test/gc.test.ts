import v8 from 'node:v8';
import { describe, expect, it } from 'vitest';
import { youngCollector } from '../src/gc.ts';

const newSpaceUsed = () =>
  v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_used_size;

/** Short-lived objects: what a unit of work leaves behind. */
function garbage(objects: number): number {
  let sum = 0;
  for (let i = 0; i < objects; i++) sum += Object.keys({ i, s: `x${i}` }).length;
  return sum;
}

describe('youngCollector', () => {
  it('collects the young generation once it is as full as asked, and not before', () => {
    const c = youngCollector(1);
    expect(c.available).toBe(true);
    garbage(50_000);
    const before = newSpaceUsed();
    expect(c.collectIfFull()).toBe(true);
    expect(newSpaceUsed()).toBeLessThan(before);
    // Just collected: far below 100% full.
    expect(youngCollector(100).collectIfFull()).toBe(false);
  });

  it('does nothing at 0', () => {
    const c = youngCollector(0);
    expect(c.available).toBe(false);
    garbage(50_000);
    expect(c.collectIfFull()).toBe(false);
  });

  it('leaves no gc() on the global of the contexts made after it', async () => {
    youngCollector(1);
    const vm = await import('node:vm');
    expect(vm.runInNewContext('typeof gc')).toBe('undefined');
  });
});
