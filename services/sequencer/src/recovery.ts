import type { Engine } from '@asp/domain';
import { decodeCommitRecord } from '@asp/protocol';
import type { Logger } from '@asp/service';
import type { StateStore } from '@asp/state';
import type { Wal } from '@asp/wal';
import { SequencerError } from './errors.ts';
import { keysOfEvents, prefetch } from './prefetch.ts';

/**
 * Brings LevelDB up to the WAL: replays every record past the applied seq.
 * LevelDB is written without sync (the WAL is the durable copy), so after a
 * crash it may lag the WAL by a few batches; it can never be ahead.
 */
export async function recover(engine: Engine, wal: Wal, state: StateStore, log: Logger): Promise<number> {
  const applied = state.appliedSeq;
  const last = wal.lastSeq;
  if (applied > last) {
    throw new SequencerError(
      'ASP_ERR_STATE_AHEAD_OF_WAL',
      `LevelDB has applied WAL record ${applied} but the WAL ends at ${last}: the WAL was lost or replaced. ` +
        'Restore the WAL, or delete the state directory to rebuild from the WAL alone.',
    );
  }
  if (applied === last) return 0;
  log.info({ from: applied + 1, to: last }, 'replaying WAL records into LevelDB');
  let replayed = 0;
  for await (const { seq, payload } of wal.read(applied + 1)) {
    const record = decodeCommitRecord(payload);
    const view = await prefetch(state, keysOfEvents(record.events));
    const changed = engine.replay(record.events, view);
    await state.applyBatch({ seq, aggregates: changed, results: record.results });
    replayed++;
  }
  log.info({ replayed, appliedSeq: state.appliedSeq }, 'WAL replay done');
  return replayed;
}
