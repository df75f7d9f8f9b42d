import { AspError } from '@asp/errors';

/**
 * Every failure the WAL reports. Callers branch on `code`; the message names
 * the file, byte offset and seq where there is one. Documented in docs/wal.md.
 */
export type WalErrorCode =
  | 'ASP_ERR_WAL_CORRUPT' // a bad record followed by valid ones, a seq gap or a broken chain
  | 'ASP_ERR_WAL_IO' // a write, fsync or read failed; after a write-path failure the log is poisoned
  | 'ASP_ERR_WAL_RECORD_TOO_LARGE' // a payload over recordBytesMax
  | 'ASP_ERR_WAL_LOCKED' // another live process (or another Wal in this one) holds the directory
  | 'ASP_ERR_WAL_CLOSED' // the log was closed
  | 'ASP_ERR_WAL_RANGE' // read from a seq that retention removed or that is past the end
  | 'ASP_ERR_WAL_BUSY' // more appends queued than appendQueueMax
  | 'ASP_ERR_WAL_OPTIONS'; // an invalid option at open

/** Where a corrupt or unreadable record sits, for operators and tests. */
export interface WalErrorPosition {
  file?: string;
  offset?: number;
  seq?: number;
}

export class WalError extends AspError<WalErrorCode> {
  readonly position: WalErrorPosition;

  constructor(
    code: WalErrorCode,
    message: string,
    options?: { cause?: unknown; position?: WalErrorPosition },
  ) {
    super(code, message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'WalError';
    this.position = options?.position ?? {};
  }
}

export function corrupt(file: string, offset: number, seq: number, why: string): WalError {
  return new WalError(
    'ASP_ERR_WAL_CORRUPT',
    `WAL corrupt in ${file} at byte offset ${offset} (seq ${seq}): ${why}`,
    { position: { file, offset, seq } },
  );
}
