import { AspError } from '@asp/errors';

/**
 * Failures of the state store. Every code is documented in docs/state.md.
 *
 * - ASP_ERR_STATE_OPTIONS: an option is out of range (at open).
 * - ASP_ERR_STATE_OPEN: LevelDB could not open the directory, most often because another
 *   process (or another StateStore in this process) holds its lock.
 * - ASP_ERR_STATE_FORMAT: the directory holds a store of a format version this code does not
 *   know, or LevelDB data without our format marker.
 * - ASP_ERR_STATE_IO: a LevelDB read or write failed. After a failed write the store refuses
 *   every later call: restart and let recovery replay the WAL.
 * - ASP_ERR_STATE_CORRUPT: LevelDB reported corruption, or a stored value does not decode.
 */
export type StateErrorCode =
  | 'ASP_ERR_STATE_OPTIONS'
  | 'ASP_ERR_STATE_OPEN'
  | 'ASP_ERR_STATE_FORMAT'
  | 'ASP_ERR_STATE_IO'
  | 'ASP_ERR_STATE_CORRUPT';

export class StateError extends AspError<StateErrorCode> {
  constructor(code: StateErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'StateError';
  }
}

/** The `code` of a classic-level (module-error) failure, if it has one. */
function levelCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null || !('code' in err)) return undefined;
  return typeof err.code === 'string' ? err.code : undefined;
}

/** Wraps a failed LevelDB call: corruption keeps its own code so operators can tell it from I/O. */
export function levelError(what: string, err: unknown): StateError {
  if (err instanceof StateError) return err;
  const code = levelCode(err) === 'LEVEL_CORRUPTION' ? 'ASP_ERR_STATE_CORRUPT' : 'ASP_ERR_STATE_IO';
  return new StateError(code, `state store: ${what} failed: ${messageOf(err)}`, { cause: err });
}

/** classic-level reports every failed open as LEVEL_DATABASE_NOT_OPEN; the reason is in `cause`. */
export function openError(dir: string, err: unknown): StateError {
  if (err instanceof StateError) return err;
  const cause = err instanceof Error && err.cause !== undefined ? err.cause : err;
  const code = levelCode(cause);
  if (code === 'LEVEL_LOCKED') {
    return new StateError(
      'ASP_ERR_STATE_OPEN',
      `state store ${dir} is locked: another process (or another open StateStore in this process) ` +
        'uses it; one sequencer per partition',
      { cause: err },
    );
  }
  if (code === 'LEVEL_CORRUPTION') {
    return new StateError('ASP_ERR_STATE_CORRUPT', `state store ${dir} is corrupt: ${messageOf(cause)}`, {
      cause: err,
    });
  }
  return new StateError('ASP_ERR_STATE_OPEN', `cannot open state store ${dir}: ${messageOf(cause)}`, {
    cause: err,
  });
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
