import { beforeAll, describe, expect, it } from 'vitest';
import { runPeers } from '../src/peers/index.ts';
import type { PeerResult, RunPeers } from '../src/peers-contract.ts';
import { assertPostgresReachable, databaseExists, pgUrl } from './peers-pg.ts';

describe('runPeers against PostgreSQL', () => {
  let results: PeerResult[];
  let database = '';

  beforeAll(async () => {
    await assertPostgresReachable();
    // Contention: 8 connections share one command stream over 8 aggregates (4 orgs of 3 teams,
    // 4 accounts), so concurrent transactions keep meeting on the same rows.
    const log = (line: string) => {
      database = /database (asp_peers_[0-9a-f]+)/.exec(line)?.[1] ?? database;
    };
    results = await runPeers({ pgUrl, durationMs: 2000, producers: 8, aggregates: 8, seed: 7, log });
  }, 60_000);

  it("is the contract's RunPeers, as the harness calls it", () => {
    const run: RunPeers = runPeers; // a type check: this line does not compile otherwise
    expect(run).toBe(runPeers);
  });

  it('runs the three modes and decides commands in each', () => {
    expect(results.map((r) => r.mode)).toEqual(['serializable', 'for_update', 'naive']);
    for (const r of results) {
      expect(r.items).toBeGreaterThan(0);
      expect(r.items_per_s).toBeGreaterThan(0);
      expect(r.p99_ms).toBeGreaterThanOrEqual(r.p50_ms);
      // Bounded by durationMs: the last in-flight transactions only finish after it.
      expect(r.duration_s).toBeGreaterThanOrEqual(2);
      expect(r.duration_s).toBeLessThan(10);
    }
  });

  it('keeps every invariant in the two safe modes, serializable by retrying', () => {
    const [serializable, forUpdate] = results;
    expect(serializable!.violations).toBe(0);
    expect(forUpdate!.violations).toBe(0);
    expect(serializable!.retries).toBeGreaterThan(0);
  });

  it('lets violations through in the naive mode', () => {
    expect(results[2]!.violations).toBeGreaterThan(0);
  });

  it('drops its database', async () => {
    expect(database).toMatch(/^asp_peers_/);
    expect(await databaseExists(database)).toBe(false);
  });
});
