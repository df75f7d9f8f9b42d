import { setTimeout as sleep } from 'node:timers/promises';
import type { PoolClient } from 'pg';
import type { PeerMode } from './options.ts';

/** A decided command: accepted (written) or rejected by an invariant or a business rule. */
export type Outcome = 'accepted' | 'rejected';

export interface Attempt {
  /** `gave_up`: still failing after retriesMax retries; the command is not decided. */
  outcome: Outcome | 'gave_up';
  retries: number;
}

const BEGIN: Record<PeerMode, string> = {
  serializable: 'BEGIN ISOLATION LEVEL SERIALIZABLE',
  for_update: 'BEGIN ISOLATION LEVEL READ COMMITTED',
  naive: 'BEGIN ISOLATION LEVEL READ COMMITTED',
};

// serialization_failure and deadlock_detected: the transaction did nothing and may run again.
const RETRYABLE = new Set(['40001', '40P01']);
const BACKOFF_MS_MAX = 16;

/**
 * Runs `body` as one transaction of the mode's isolation level, retrying it on serialization
 * failures and deadlocks (in every mode: READ COMMITTED deadlocks too when two transfers
 * update the same two accounts in opposite orders).
 */
export async function transact(
  client: PoolClient,
  mode: PeerMode,
  retriesMax: number,
  body: (c: PoolClient) => Promise<Outcome>,
): Promise<Attempt> {
  for (let attempt = 0; ; attempt++) {
    try {
      await client.query(BEGIN[mode]);
      const outcome = await body(client);
      // A rejection commits too (nothing was written): under SERIALIZABLE what a transaction
      // read is only known to be consistent once it commits, so a rejection decided on a
      // doomed snapshot fails here and is retried like a write would be.
      await client.query('COMMIT');
      return { outcome, retries: attempt };
    } catch (err) {
      // After a failed COMMIT there is no transaction left and ROLLBACK only warns. If the
      // connection itself is gone, the original error is the one worth reporting.
      await client.query('ROLLBACK').catch(() => undefined);
      if (!RETRYABLE.has((err as { code?: string }).code ?? '')) throw err;
      if (attempt >= retriesMax) return { outcome: 'gave_up', retries: attempt };
      // Jittered, growing back-off: immediate retries of the same conflict tend to meet again.
      await sleep(Math.random() * Math.min(2 ** attempt, BACKOFF_MS_MAX));
    }
  }
}
