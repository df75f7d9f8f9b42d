import { describe, expect, it } from 'vitest';
import { waitFor } from '../src/index.ts';

describe('waitFor', () => {
  it('resolves once the check holds, polling a check that may be async', async () => {
    let calls = 0;
    await waitFor('the third call', async () => ++calls >= 3, 5_000, 1);
    expect(calls).toBe(3);
  });

  it('throws after the timeout, naming what it waited for and how long', async () => {
    await expect(waitFor('never', () => false, 50, 10)).rejects.toThrow(
      'timed out after 50 ms waiting for never',
    );
  });
});
