import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ownerGone, runningHere } from '../src/session.ts';

describe('ownerGone: a projector of this host that no longer runs', () => {
  const host = hostname();

  it('is one whose pid no process has', () => {
    // Pids are below 2^22 on Linux.
    expect(ownerGone(`${host}:${2 ** 22 + 7}:abc`)).toBe(true);
  });

  it('is not one whose process runs, nor one of another host, nor a malformed id', () => {
    expect(ownerGone(`${host}:${process.ppid}:abc`)).toBe(false);
    expect(ownerGone(`another-host:${2 ** 22 + 7}:abc`)).toBe(false);
    expect(ownerGone(`${host}:nope:abc`)).toBe(false);
    expect(ownerGone(`${host}:${2 ** 22 + 7}`)).toBe(false);
  });

  it('with our pid: gone unless a projector of this process has that id (a restart under the same pid)', () => {
    const id = `${host}:${process.pid}:mine`;
    expect(ownerGone(id)).toBe(true);
    runningHere.add(id);
    try {
      expect(ownerGone(id)).toBe(false);
    } finally {
      runningHere.delete(id);
    }
  });
});
