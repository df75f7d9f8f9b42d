import { describe, expect, it } from 'vitest';
import { OpenPolicy } from '../src/retry.ts';

describe('where a session opens after a failure', () => {
  it('at the checkpoint, and after a record out of order at the checkpoint again first', () => {
    const p = new OpenPolicy();
    expect(p.fromStart).toBe(false);
    p.failed('mongo', 10);
    expect(p.fromStart).toBe(false);
    // A delivery lost with a dropped connection: read from the checkpoint again.
    p.failed('record', 10);
    expect(p.fromStart).toBe(false);
    p.opened();
    // Progress since: still a new gap, from the checkpoint.
    p.failed('record', 25);
    expect(p.fromStart).toBe(false);
  });

  it('from the stream start when the same gap comes back with nothing applied since', () => {
    const p = new OpenPolicy();
    p.failed('record', 10);
    p.opened();
    p.failed('record', 10);
    expect(p.fromStart).toBe(true);
    // An outage while opening does not forget it.
    p.failed('mongo', 10);
    expect(p.fromStart).toBe(true);
    p.opened();
    expect(p.fromStart).toBe(false);
  });
});
