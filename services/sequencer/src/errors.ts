import { AspError } from '@asp/errors';

export type SequencerErrorCode =
  /** LevelDB says it applied a WAL record the WAL does not have: the WAL was lost or replaced. */
  | 'ASP_ERR_STATE_AHEAD_OF_WAL'
  /** A stream exists with a configuration the sequencer cannot work with. */
  | 'ASP_ERR_STREAM_CONFIG'
  /** ASP_EVENTS holds a record for this partition that the WAL does not have, or not in order. */
  | 'ASP_ERR_EVENTS_DIVERGED';

export class SequencerError extends AspError<SequencerErrorCode> {}
