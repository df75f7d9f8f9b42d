import type { CommandResult } from '@asp/protocol';
import { backoffMs, checkDelayMs } from './backoff.ts';
import { closedError, resultTimeout } from './errors.ts';
import type { ResolvedOptions } from './options.ts';
import type { PendingResults } from './pending.ts';
import type { DeliveryCounters } from './stats.ts';

/** One command message, encoded once: every republish sends these same bytes. */
export interface OutMessage {
  ids: readonly string[];
  bytes: Uint8Array;
  /** JetStream's Nats-Msg-Id: a republish within the dedupe window is dropped by the stream. */
  msgId: string;
  /** Where the sequencer publishes this message's results. */
  replyTo: string;
}

/** What a delivery needs from NATS; a fake in unit tests. */
export interface Wire {
  /** Resolves once the stream stored the message (or already had it); throws on any failure. */
  publish(out: OutMessage): Promise<void>;
  /** Stored results for `ids`, positional, null = none yet; throws when there is no valid answer. */
  lookup(ids: readonly string[]): Promise<(CommandResult | null)[]>;
  /** The connection is closed for good: retrying cannot help. */
  readonly closed: boolean;
}

/** Look-ups at short delays after a reconnect before the regular schedule resumes (~3 s at the defaults). */
const QUICK_CHECKS_MAX = 5;

type Timing = Pick<
  ResolvedOptions,
  | 'resultTimeoutMs'
  | 'resultCheckMaxMs'
  | 'retryDeadlineMs'
  | 'publishRetryMinMs'
  | 'publishRetryMaxMs'
  | 'random'
  | 'onResult'
>;

/**
 * Publishes one message and waits until every command has a result from the sequencer:
 * by reply, or else by look-up; when a look-up finds none, the same message is published again
 * (same ids, so the sequencer answers a retried id with its original result). Gives up at the
 * deadline with ASP_ERR_CLIENT_RESULT_TIMEOUT: the outcome is then unknown, never assumed.
 */
export async function deliver(
  wire: Wire,
  out: OutMessage,
  pending: PendingResults,
  t: Timing,
  stats: DeliveryCounters,
): Promise<CommandResult[]> {
  const start = performance.now();
  const deadline = start + t.retryDeadlineMs;
  const left = () => deadline - performance.now();
  await publish(wire, out, pending, t, stats, deadline);
  // After a reconnect (a nudge) the reply may be lost: look up at once, and while the sequencer
  // does not answer yet (it reconnects too), again after short delays; the regular schedule
  // (`check`) goes on from where it was once it answers or QUICK_CHECKS_MAX went by.
  let quick = -1;
  for (let check = 0; !pending.settled; ) {
    const delay =
      quick >= 0
        ? backoffMs(quick, t.publishRetryMinMs, t.publishRetryMaxMs, t.random)
        : checkDelayMs(check, t, t.random);
    await pending.wait(Math.min(delay, left()));
    if (pending.settled) break;
    const nudged = pending.takeNudge();
    const found = await lookUp(wire, pending, stats);
    if (pending.settled) {
      if (found && pending.complete) stats.messagesDoneByLookup++;
      break;
    }
    if (left() <= 0) {
      stats.timeouts++;
      throw resultTimeout(pending.missingIds(), t.retryDeadlineMs);
    }
    if (nudged) quick = found ? -1 : 0;
    else if (quick >= 0) quick = found || quick + 1 >= QUICK_CHECKS_MAX ? -1 : quick + 1;
    else check++;
    // No answer (sequencer down): the message is still in the stream, or will be republished
    // after a later look-up; publishing blindly now would only add load.
    if (found) {
      stats.republishes++;
      await publish(wire, out, pending, t, stats, deadline);
    }
  }
  if (pending.failure) throw pending.failure;
  t.onResult?.(performance.now() - start, out.ids.length);
  return pending.results();
}

/** Publishes until the stream has the message, the message settles, or the deadline passes. */
async function publish(
  wire: Wire,
  out: OutMessage,
  pending: PendingResults,
  t: Timing,
  stats: DeliveryCounters,
  deadline: number,
): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await wire.publish(out);
      return;
    } catch (err) {
      if (pending.settled) return;
      if (wire.closed) {
        pending.fail(closedError(pending.missingIds(), true, err));
        return;
      }
      const left = deadline - performance.now();
      if (left <= 0) {
        stats.timeouts++;
        throw resultTimeout(pending.missingIds(), t.retryDeadlineMs, err);
      }
      // Stream full, no stream yet (a sequencer's first start), disconnected, ack timeout: all
      // pass with time. A timed-out publish may have been stored; the msgId dedupes the retry.
      stats.publishRetries++;
      await pending.wait(
        Math.min(backoffMs(attempt, t.publishRetryMinMs, t.publishRetryMaxMs, t.random), left),
      );
      if (pending.settled) return;
    }
  }
}

/** True when the sequencer answered (whatever it found); false when it did not. */
async function lookUp(wire: Wire, pending: PendingResults, stats: DeliveryCounters): Promise<boolean> {
  const ids = pending.missingIds();
  stats.lookups++;
  try {
    pending.fill(ids, await wire.lookup(ids));
    return true;
  } catch {
    stats.lookupFailures++;
    return false;
  }
}
