/**
 * The peer comparison (BENCHMARKS.md): the workload's seats and ledger commands, with the same
 * invariants, as PostgreSQL transactions in three modes on this machine, fsync on.
 */
import type { WireCommand } from '@asp/protocol';
import { loadCommands, setupCommands, type WorkloadSpec } from '@asp/workload';
import type { Pool } from 'pg';
import type { PeerResult } from '../peers-contract.ts';
import { checkSettings, createRunDatabase, openPool, type PgSettings } from './database.ts';
import { runLoad } from './load.ts';
import {
  type PeerMode,
  type PeersRunOptions,
  peerSpec,
  type ResolvedPeers,
  resolvePeers,
} from './options.ts';
import { loadSchema } from './schema.ts';
import { countViolations, totalViolations, type ViolationCounts } from './violations.ts';

export type { PgSettings } from './database.ts';
export type { PeerMode, PeersRunOptions, PeerWorkload } from './options.ts';
export { MODES, peerSpec, resolvePeers } from './options.ts';
export type { ViolationCounts } from './violations.ts';

/** One mode's contract result with what the contract has no room for. */
export interface PeerModeRun {
  result: PeerResult;
  accepted: number;
  rejected: number;
  /** Commands abandoned after retriesMax retries (not counted as items). */
  gave_up: number;
  violations_by_rule: ViolationCounts;
}

export interface PeersRun {
  /** The throw-away database the run used (dropped when the run ends). */
  database: string;
  settings: PgSettings;
  /** The workload, for running the engine on the same commands: loadCommands(spec, seed, lane). */
  spec: WorkloadSpec;
  seed: number;
  runs: PeerModeRun[];
}

/** Every run uses the same ids: each has its own database, and the same seed gives the same commands. */
const RUN_ID = 'peers';

/** One result per mode, in the order serializable, for_update, naive (or `modes`). */
export async function runPeers(opts: PeersRunOptions): Promise<PeerResult[]> {
  return (await runPeersDetailed(opts)).runs.map((r) => r.result);
}

export async function runPeersDetailed(opts: PeersRunOptions): Promise<PeersRun> {
  const o = resolvePeers(opts);
  const spec = peerSpec(o, RUN_ID);
  const setup = setupCommands(spec);
  const db = await createRunDatabase(o.pgUrl);
  try {
    const pool = openPool(db.url, o.producers);
    try {
      const settings = await checkSettings(pool);
      o.log?.(`peers: database ${db.name}, PostgreSQL ${settings.server_version}, fsync ${settings.fsync}`);
      const runs: PeerModeRun[] = [];
      for (const mode of o.modes) runs.push(await runMode(pool, mode, o, spec, setup));
      return { database: db.name, settings, spec, seed: o.seed, runs };
    } finally {
      await pool.end();
    }
  } finally {
    await db.drop();
  }
}

/** A fresh schema from the same setup, the load for durationMs, then the audit of the final state. */
async function runMode(
  pool: Pool,
  mode: PeerMode,
  o: ResolvedPeers,
  spec: WorkloadSpec,
  setup: readonly WireCommand[],
): Promise<PeerModeRun> {
  await loadSchema(pool, setup);
  const lanes = Array.from({ length: o.lanes }, (_, k) => loadCommands(spec, o.seed, k));
  const s = await runLoad(pool, {
    mode,
    lanes,
    connections: o.producers,
    durationMs: o.durationMs,
    retriesMax: o.retriesMax,
  });
  const byRule = await countViolations(pool);
  const items = s.accepted + s.rejected;
  const durationS = s.elapsedMs / 1000;
  const result: PeerResult = {
    mode,
    items,
    items_per_s: round(items / durationS, 1),
    p50_ms: round(s.latency.percentile(0.5), 3),
    p99_ms: round(s.latency.percentile(0.99), 3),
    retries: s.retries,
    violations: totalViolations(byRule),
    duration_s: round(durationS, 3),
  };
  o.log?.(
    `peers ${mode}: ${items} items (${s.rejected} rejected) in ${result.duration_s} s = ${result.items_per_s}/s, ` +
      `p50 ${result.p50_ms} ms, p99 ${result.p99_ms} ms, ${s.retries} retries, ${s.gaveUp} given up, ` +
      `${result.violations} violations`,
  );
  return {
    result,
    accepted: s.accepted,
    rejected: s.rejected,
    gave_up: s.gaveUp,
    violations_by_rule: byRule,
  };
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
