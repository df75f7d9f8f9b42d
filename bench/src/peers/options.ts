import type { WorkloadSpec } from '@asp/workload';
import type { PeerResult, PeersOptions } from '../peers-contract.ts';

export type PeerMode = PeerResult['mode'];
export const MODES: readonly PeerMode[] = ['serializable', 'for_update', 'naive'];

/** The workload knobs a peer run may change; everything else is the workload's default. */
export type PeerWorkload = Pick<WorkloadSpec, 'orgCap' | 'teamsPerOrg' | 'accountFunding' | 'rejectShare'>;

/**
 * What runPeers accepts beyond the contract. All optional, so `runPeers` stays assignable to
 * the contract's `RunPeers`.
 */
export interface PeersRunOptions extends PeersOptions {
  /**
   * Command streams (workload producers) the pool's connections share: connection c takes its
   * next command from stream c mod lanes, whichever command is next when it is free. Default 1:
   * every connection may touch every aggregate, as behind an application's connection pool.
   * `lanes` = `producers` gives each connection its own stream and aggregates: no contention.
   */
  lanes?: number;
  workload?: PeerWorkload;
  modes?: readonly PeerMode[];
  /** Attempts per command after a serialization failure or deadlock before it counts as given up. */
  retriesMax?: number;
  /** Progress lines (one per mode); silent by default. */
  log?: (line: string) => void;
}

export type ResolvedPeers = Required<Omit<PeersRunOptions, 'log'>> & Pick<PeersRunOptions, 'log'>;

/** The most producers (here: pool connections) a run takes; the bench's `--producers` too. */
export const PRODUCERS_MAX = 256;
const DURATION_MS_MIN = 100;
const DURATION_MS_MAX = 3_600_000;
const RETRIES_MAX_LIMIT = 1000;
const RETRIES_MAX_DEFAULT = 50;

/** Defaults filled in and limits checked before anything touches the database. */
export function resolvePeers(o: PeersRunOptions): ResolvedPeers {
  const r: ResolvedPeers = {
    ...o,
    lanes: o.lanes ?? 1,
    workload: o.workload ?? {},
    modes: o.modes ?? MODES,
    retriesMax: o.retriesMax ?? RETRIES_MAX_DEFAULT,
  };
  const int = (v: number, min: number, max: number) => Number.isSafeInteger(v) && v >= min && v <= max;
  if (!int(r.producers, 1, PRODUCERS_MAX)) throw new Error(`producers must be 1..${PRODUCERS_MAX}`);
  if (!int(r.durationMs, DURATION_MS_MIN, DURATION_MS_MAX))
    throw new Error(`durationMs must be ${DURATION_MS_MIN}..${DURATION_MS_MAX}, got ${r.durationMs}`);
  if (!int(r.lanes, 1, r.producers)) throw new Error(`lanes must be 1..producers (${r.producers})`);
  if (!int(r.retriesMax, 0, RETRIES_MAX_LIMIT)) throw new Error(`retriesMax must be 0..${RETRIES_MAX_LIMIT}`);
  if (!int(r.seed, 0, 0xffffffff)) throw new Error('seed must be an unsigned 32-bit integer');
  if (r.modes.length === 0 || r.modes.some((m) => !MODES.includes(m)))
    throw new Error(`modes must be a non-empty subset of ${MODES.join(', ')}`);
  return r;
}

/**
 * The workload the peers run: seats and ledger only (the two domains with a PostgreSQL schema
 * here), one producer per lane. Exported so the engine can be run on the very same commands:
 * `loadCommands(peerSpec(o, runId), o.seed, lane)`.
 */
export function peerSpec(o: ResolvedPeers, runId: string): WorkloadSpec {
  return {
    ...o.workload,
    runId,
    aggregates: o.aggregates,
    producers: o.lanes,
    mix: { seats: 1, ledger: 1, inventory: 0 },
  };
}
