import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { z } from 'zod';
import { BenchError } from './errors.ts';
import type { PeerResult, PeersOptions, RunPeers } from './peers-contract.ts';

const peerResultSchema = z.object({
  mode: z.enum(['serializable', 'for_update', 'naive']),
  items: z.number().nonnegative(),
  items_per_s: z.number().nonnegative(),
  p50_ms: z.number().nonnegative(),
  p99_ms: z.number().nonnegative(),
  retries: z.number().nonnegative(),
  violations: z.number().nonnegative(),
  duration_s: z.number().nonnegative(),
});

const peersEntry = new URL('./peers/index.ts', import.meta.url);

/** Fails with a clear message when PostgreSQL does not answer: the peers run needs one. */
export async function assertPostgres(pgUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: pgUrl, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('select 1');
  } catch (err) {
    throw new BenchError(
      'ASP_ERR_BENCH_PEERS',
      `PostgreSQL does not answer at ${pgUrl.replace(/:[^:@/]*@/, ':***@')} (${String(err)}); ` +
        'the peers scenario needs one: set ASP_BENCH_PG_URL or --pg-url',
      { cause: err },
    );
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * The PostgreSQL peer workload (bench/src/peers/, its own module) through the
 * contract in peers-contract.ts. Loaded at run time so the harness type-checks
 * and runs its other scenarios while that module is being written; its answer
 * is checked against the contract, since the report is built on it.
 */
export async function runPeersChecked(opts: PeersOptions): Promise<PeerResult[]> {
  if (!existsSync(fileURLToPath(peersEntry))) {
    throw new BenchError('ASP_ERR_BENCH_PEERS', `the peers module is missing: ${fileURLToPath(peersEntry)}`);
  }
  const mod = (await import(peersEntry.href)) as { runPeers?: unknown };
  if (typeof mod.runPeers !== 'function') {
    throw new BenchError('ASP_ERR_BENCH_PEERS', 'bench/src/peers/index.ts does not export runPeers(opts)');
  }
  const out: unknown = await (mod.runPeers as RunPeers)(opts);
  const parsed = z.array(peerResultSchema).safeParse(out);
  if (!parsed.success) {
    throw new BenchError('ASP_ERR_BENCH_PEERS', `runPeers broke its contract: ${parsed.error.message}`);
  }
  return parsed.data;
}

/** Ours over theirs, per mode; null when theirs did nothing (a ratio would be infinite). */
export function ratios(
  oursPerS: number,
  peers: readonly PeerResult[],
): Partial<Record<PeerResult['mode'], number | null>> {
  const out: Partial<Record<PeerResult['mode'], number | null>> = {};
  for (const p of peers)
    out[p.mode] = p.items_per_s > 0 ? Math.round((oursPerS / p.items_per_s) * 100) / 100 : null;
  return out;
}
