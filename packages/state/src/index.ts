/**
 * @asp/state: the sequencer's LevelDB state store (docs/state.md). The one public entry.
 */
export type { StateErrorCode } from './errors.ts';
export { StateError } from './errors.ts';
export type { FilterStats } from './filter.ts';
export { FORMAT_VERSION } from './keys.ts';
export type { StateStoreOptions } from './options.ts';
export { defaultOptions } from './options.ts';
export type { CacheStats, LevelFigures, LevelStats, StateStats } from './stats.ts';
export { StateStore } from './store.ts';
export type { Aggregate, AppliedBatch } from './types.ts';
