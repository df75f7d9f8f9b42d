import type { CommandDataMap } from '@asp/client';
import type { WireCommand } from '@asp/protocol';

/**
 * What a workload looks like. Everything is derived from the spec and a seed: two runs with the
 * same inputs produce the same commands, byte for byte.
 */
export interface WorkloadSpec {
  /** Prefix of every command and aggregate id: unique per run, [a-z0-9], at most 16 characters. */
  runId: string;
  /**
   * The number of aggregates the load spreads over, shared by the mix weights: orgs (each with
   * `teamsPerOrg` teams), ledger accounts, SKUs. Ignored in `hot` mode (one aggregate).
   */
  aggregates: number;
  /** Relative weights of the domains in the load. Default seats 1, ledger 1, inventory 0. */
  mix?: { seats?: number; ledger?: number; inventory?: number };
  /** Share of commands built to break an invariant. Default 0.05 (BENCHMARKS.md). */
  rejectShare?: number;
  /** Bytes of `memo` in each load command's data; 0 = none. Default 0. */
  payloadBytes?: number;
  /** The contended scenario: every command hits one counter or one org. Default off. */
  hot?: 'counter' | 'org';
  /** Load producers that share the aggregates: producer k only touches its own share. Default 1. */
  producers?: number;
  teamsPerOrg?: number;
  orgCap?: number;
  /** Each ledger account is funded with this much at setup. */
  accountFunding?: number;
  skuStock?: number;
}

export type ResolvedSpec = Required<Omit<WorkloadSpec, 'hot' | 'mix'>> & {
  hot: WorkloadSpec['hot'];
  mix: { seats: number; ledger: number; inventory: number };
  orgs: number;
  accounts: number;
  skus: number;
};

const RUN_ID_RE = /^[a-z0-9]{1,16}$/;

/** Defaults filled in and the aggregate counts derived; throws on a spec that cannot work. */
export function resolveSpec(s: WorkloadSpec): ResolvedSpec {
  if (!RUN_ID_RE.test(s.runId)) throw new Error(`runId must be 1 to 16 characters [a-z0-9], got ${s.runId}`);
  const mix = { seats: s.mix?.seats ?? 1, ledger: s.mix?.ledger ?? 1, inventory: s.mix?.inventory ?? 0 };
  const weight = mix.seats + mix.ledger + mix.inventory;
  if (!(weight > 0)) throw new Error('the mix needs a positive weight');
  const share = (w: number, min: number) =>
    w > 0 ? Math.max(min, Math.round((s.aggregates * w) / weight)) : 0;
  const r: ResolvedSpec = {
    runId: s.runId,
    aggregates: s.aggregates,
    mix,
    rejectShare: s.rejectShare ?? 0.05,
    payloadBytes: s.payloadBytes ?? 0,
    hot: s.hot,
    producers: s.producers ?? 1,
    teamsPerOrg: s.teamsPerOrg ?? 3,
    orgCap: s.orgCap ?? 1000,
    accountFunding: s.accountFunding ?? 1_000_000_000,
    skuStock: s.skuStock ?? 1_000_000,
    orgs: s.hot === 'org' ? 1 : s.hot === 'counter' ? 0 : share(mix.seats, 1),
    accounts: s.hot ? 0 : share(mix.ledger, 2),
    skus: s.hot ? 0 : share(mix.inventory, 1),
  };
  if (r.rejectShare < 0 || r.rejectShare > 1) throw new Error('rejectShare must be within [0, 1]');
  if (!Number.isSafeInteger(r.aggregates) || r.aggregates < 1) throw new Error('aggregates must be >= 1');
  if (!Number.isSafeInteger(r.producers) || r.producers < 1) throw new Error('producers must be >= 1');
  if (r.accounts > 0 && r.accounts < 2 * r.producers) throw new Error('each producer needs two accounts');
  return r;
}

/** Aggregate ids: short, readable, and prefixed by the run so runs never collide. */
export const ids = {
  /** Command ids: setup `<runId>-s<n>`, load `<runId>-p<producer>-<n>` (base 36): short and unique. */
  setup: (s: ResolvedSpec, n: number) => `${s.runId}-s${n.toString(36)}`,
  load: (s: ResolvedSpec, producer: number, n: number) =>
    `${s.runId}-p${producer.toString(36)}-${n.toString(36)}`,
  org: (s: ResolvedSpec, i: number) => `${s.runId}o${i}`,
  team: (s: ResolvedSpec, org: number, j: number) => `${s.runId}o${org}t${j}`,
  account: (s: ResolvedSpec, i: number) => `${s.runId}a${i}`,
  /** The unflagged account every funding transfer debits. */
  source: (s: ResolvedSpec) => `${s.runId}src`,
  sku: (s: ResolvedSpec, i: number) => `${s.runId}s${i}`,
  counter: (s: ResolvedSpec) => `${s.runId}hot`,
};

/** The hot counter's max: far above any run, and below MAX_SAFE_INTEGER so max + 1 is a valid `by`. */
export const HOT_COUNTER_MAX = 1e15;

export type Cmd<T extends keyof CommandDataMap> = WireCommand & { type: T; data: CommandDataMap[T] };

export function cmd<T extends keyof CommandDataMap>(type: T, id: string, data: CommandDataMap[T]): Cmd<T> {
  return { id, type, data };
}
