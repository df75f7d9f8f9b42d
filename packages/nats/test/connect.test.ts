import { describe, expect, it } from 'vitest';
import { versionAtLeast } from '../src/index.ts';

describe('versionAtLeast', () => {
  it.each([
    ['2.12.15', '2.10.0', true],
    ['2.10.0', '2.10.0', true],
    ['2.9.10', '2.10.0', false],
    ['2.10.0-beta.1', '2.10.0', true],
    ['1.99.99', '2.0.0', false],
    ['3.0.0', '2.10.0', true],
  ])('%s ≥ %s is %s', (v, min, want) => {
    expect(versionAtLeast(v, min)).toBe(want);
  });
});
