import { describe, expect, it } from 'vitest';
import { backoffMs, checkDelayMs } from '../src/backoff.ts';

describe('backoffMs', () => {
  it('doubles from the base up to the cap, half fixed and half jitter', () => {
    const low = () => 0;
    const high = () => 1;
    expect([0, 1, 2, 3, 10].map((a) => backoffMs(a, 100, 1000, high))).toEqual([100, 200, 400, 800, 1000]);
    expect([0, 1, 2, 3, 10].map((a) => backoffMs(a, 100, 1000, low))).toEqual([50, 100, 200, 400, 500]);
  });

  it('stays finite for huge attempt numbers', () => {
    expect(backoffMs(10_000, 100, 5000, () => 0.5)).toBe(3750);
  });
});

describe('checkDelayMs', () => {
  const s = { resultTimeoutMs: 1000, resultCheckMaxMs: 8000 };

  it('waits exactly resultTimeoutMs before the first check, then backs off to the cap', () => {
    expect(checkDelayMs(0, s, () => 0.3)).toBe(1000);
    expect(checkDelayMs(1, s, () => 1)).toBe(2000);
    expect(checkDelayMs(2, s, () => 1)).toBe(4000);
    expect(checkDelayMs(5, s, () => 1)).toBe(8000);
    expect(checkDelayMs(5, s, () => 0)).toBe(4000);
  });

  it('never goes below resultTimeoutMs when the cap is smaller', () => {
    expect(checkDelayMs(3, { resultTimeoutMs: 1000, resultCheckMaxMs: 10 }, () => 1)).toBe(1000);
  });
});
