/**
 * @asp/workload: deterministic command workloads for the demo, the benchmark and the
 * end-to-end tests. Pure: no I/O, no clock; the same spec and seed give the same commands.
 */
export { checkRecount } from './check.ts';
export { loadCommands, take } from './load.ts';
export { Prng, seedOf } from './prng.ts';
export type { Recount } from './recount.ts';
export { recount } from './recount.ts';
export { setupCommands } from './setup.ts';
export type { ResolvedSpec, WorkloadSpec } from './spec.ts';
export { HOT_COUNTER_MAX, ids, resolveSpec } from './spec.ts';
