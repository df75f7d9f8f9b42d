import { describe, expect, it } from 'vitest';
import { Histogram } from '../src/histogram.ts';

describe('Histogram', () => {
  it('answers percentiles within 1% of the exact value', () => {
    const h = new Histogram();
    const values: number[] = [];
    for (let i = 1; i <= 10_000; i++) {
      const v = ((i * 7919) % 5000) / 10 + 0.05;
      values.push(v);
      h.record(v);
    }
    values.sort((a, b) => a - b);
    for (const p of [0.5, 0.9, 0.99, 0.999]) {
      const exact = values[Math.ceil(p * values.length) - 1]!;
      expect(Math.abs(h.percentile(p) - exact) / exact).toBeLessThan(0.011);
    }
    expect(h.count).toBe(10_000);
    expect(h.maxMs).toBe(values.at(-1));
  });

  it('weights a sample by its count and merges', () => {
    const a = new Histogram();
    a.record(1, 99);
    const b = new Histogram();
    b.record(100, 1);
    a.merge(b);
    expect(a.percentile(0.5)).toBeLessThan(1.02);
    expect(a.percentile(1)).toBe(100);
    expect(a.count).toBe(100);
  });
});
