import { setTimeout as sleep } from 'node:timers/promises';
import { isAspError } from '@asp/errors';
import { MongoError, MongoNetworkError, MongoServerSelectionError } from 'mongodb';

/** Server codes that mean "not now" rather than "never": the server is going away or not primary. */
const TRANSIENT_CODES = new Set([6, 7, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436]);

/**
 * True for failures that retrying the same write can cure: MongoDB down,
 * restarting, unreachable, or failing over. Anything else (a document too
 * large, a bad field name) fails the same way every time.
 */
export function isTransientMongoError(err: unknown): boolean {
  if (err instanceof MongoNetworkError || err instanceof MongoServerSelectionError) return true;
  if (!(err instanceof MongoError)) return false;
  if (err.hasErrorLabel('RetryableWriteError') || err.hasErrorLabel('ResetPool')) return true;
  if (['MongoTopologyClosedError', 'MongoPoolClearedError', 'MongoNotConnectedError'].includes(err.name))
    return true;
  return typeof err.code === 'number' && TRANSIENT_CODES.has(err.code);
}

/** Exponential backoff with jitter: 50 ms, 100 ms, … up to `maxMs`. */
export function backoffMs(attempt: number, maxMs: number): number {
  const base = Math.min(maxMs, 50 * 2 ** Math.min(attempt, 20));
  return Math.round(base / 2 + Math.random() * (base / 2));
}

/** Sleeps unless aborted; returns false when aborted. */
export async function pause(ms: number, signal?: AbortSignal): Promise<boolean> {
  try {
    await sleep(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}

/** The `kind` label of asp_projector_errors_total for a failure. */
export function failureKind(
  err: unknown,
): 'mongo' | 'version_gap' | 'conflict' | 'record' | 'consumer' | 'other' {
  if (isTransientMongoError(err)) return 'mongo';
  if (isAspError(err, 'ASP_ERR_PROJECTOR_VERSION_GAP')) return 'version_gap';
  if (isAspError(err, 'ASP_ERR_PROJECTOR_CONFLICT')) return 'conflict';
  if (isAspError(err, 'ASP_ERR_PROJECTOR_RECORD')) return 'record';
  if (isAspError(err, 'ASP_ERR_PROJECTOR_CONSUMER')) return 'consumer';
  return 'other';
}

/**
 * Where a session opens: at the checkpoint, except after a record out of
 * order. Then first at the checkpoint again too: a delivery lost with a
 * dropped connection (nats-server drops a client that falls behind its
 * max_pending) comes again. Only when the gap comes back with nothing applied
 * since, from the stream's start: the checkpoint's stream position may be
 * stale (a recreated stream). Applied records are skipped either way, but a
 * read from the start reads the whole stream again.
 */
export class OpenPolicy {
  /** The applied seq at the last record out of order. */
  #gapAt: number | undefined;
  #fromStart = false;

  /** Whether the next session reads from the stream's start. */
  get fromStart(): boolean {
    return this.#fromStart;
  }

  /** A session opened where it was told to. */
  opened(): void {
    this.#fromStart = false;
  }

  failed(kind: ReturnType<typeof failureKind>, appliedSeq: number): void {
    if (kind !== 'record') return;
    this.#fromStart = this.#gapAt === appliedSeq;
    this.#gapAt = appliedSeq;
  }
}
