import { z } from 'zod';

/** Aggregate ids: short printable strings. Length-capped so keys stay small in LevelDB and the WAL. */
export const aggregateId = z.string().min(1).max(128);

/**
 * Quantities and amounts are JS numbers limited to safe integers, not bigints: events travel
 * as msgpack and JSON (ASP_EVENTS, MongoDB read models, producers in any language), where a
 * bigint needs an extension type or a string; 2^53 - 1 is ample for seats, stock and cents.
 * Sums that could overflow are guarded by invariants (`Number.isSafeInteger`).
 */
export const positiveInt = z.int().min(1).max(Number.MAX_SAFE_INTEGER);
export const nonNegativeInt = z.int().min(0).max(Number.MAX_SAFE_INTEGER);
