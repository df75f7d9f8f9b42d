/**
 * Retry timing. Pure functions of the attempt number and a random source, so the schedule is
 * testable without clocks.
 */

/** Exponent cap: 2^30 times any base is far beyond every cap, and keeps the product finite. */
const EXPONENT_MAX = 30;

/**
 * Exponential backoff with "equal jitter": half of the delay is fixed, half random. Many
 * messages that failed together (a sequencer restart) spread out instead of retrying in step,
 * and no delay collapses to zero.
 */
export function backoffMs(attempt: number, baseMs: number, capMs: number, random: () => number): number {
  const full = Math.min(capMs, baseMs * 2 ** Math.min(Math.max(attempt, 0), EXPONENT_MAX));
  return full / 2 + (random() * full) / 2;
}

export interface CheckSchedule {
  resultTimeoutMs: number;
  resultCheckMaxMs: number;
}

/**
 * How long to wait for results before check number `check` (0-based). The first check comes
 * exactly `resultTimeoutMs` after the publish (the documented meaning of the option); later ones
 * back off from there up to `resultCheckMaxMs`, so a slow but alive sequencer is not flooded with
 * look-ups and republishes.
 */
export function checkDelayMs(check: number, s: CheckSchedule, random: () => number): number {
  if (check <= 0) return s.resultTimeoutMs;
  return backoffMs(check, s.resultTimeoutMs, Math.max(s.resultCheckMaxMs, s.resultTimeoutMs), random);
}
