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

/**
 * Free text a command carries into its main event (an order reference, a note; the benchmark's
 * payload). It never affects a decision or a state: it is durable with the event, and readers
 * of ASP_EVENTS see it. Capped well under the protocol's per-command data limit.
 */
export const memo = z
  .string()
  .max(16 * 1024)
  .optional();

/** Adds `memo` to an event's data only when the command had one (no `memo: undefined` keys). */
export function withMemo<T extends Record<string, unknown>>(data: T, m: string | undefined): T {
  return m === undefined ? data : { ...data, memo: m };
}
