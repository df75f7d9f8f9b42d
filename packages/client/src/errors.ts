import { AspError } from '@asp/errors';
import type { MessageError } from '@asp/protocol';

/**
 * Failures of the producer SDK. A rejected command is never one of these: it is a
 * `CommandResult` with `status: 'rejected'` (a value). These are thrown (as promise rejections)
 * for programmer errors, which never reach the wire, and for operating failures.
 *
 * - ASP_ERR_CLIENT_OPTIONS: an option is out of range (at construction).
 * - ASP_ERR_CLIENT_INVALID_BATCH: a batch or command breaks the protocol's rules (empty, too many
 *   commands, duplicate ids, bad id or type, `linked` given to `submit`); nothing was sent.
 * - ASP_ERR_CLIENT_TOO_LARGE: the encoded message exceeds the message limit; nothing was sent.
 * - ASP_ERR_CLIENT_QUEUE_FULL: `submit` found `submitQueueMax` commands waiting; nothing was sent.
 * - ASP_ERR_CLIENT_RESULT_TIMEOUT: no result within `retryDeadlineMs`. The outcome is UNKNOWN:
 *   the commands may still be (or have been) applied. `ids` lists them for `lookup` later.
 * - ASP_ERR_CLIENT_CLOSED: the client or its connection closed first. Outcome unknown if sent.
 * - ASP_ERR_CLIENT_MESSAGE_REJECTED: the sequencer could not read the message as a whole
 *   (`rejection` has its code); none of its commands was applied.
 * - ASP_ERR_CLIENT_LOOKUP: a `lookup` got no answer (sequencer down) or an error answer.
 */
export type ClientErrorCode =
  | 'ASP_ERR_CLIENT_OPTIONS'
  | 'ASP_ERR_CLIENT_INVALID_BATCH'
  | 'ASP_ERR_CLIENT_TOO_LARGE'
  | 'ASP_ERR_CLIENT_QUEUE_FULL'
  | 'ASP_ERR_CLIENT_RESULT_TIMEOUT'
  | 'ASP_ERR_CLIENT_CLOSED'
  | 'ASP_ERR_CLIENT_MESSAGE_REJECTED'
  | 'ASP_ERR_CLIENT_LOOKUP';

export interface ClientErrorOptions {
  cause?: unknown;
  /** The command ids concerned: with an unknown outcome, the ids to look up later. */
  ids?: readonly string[];
  /** With ASP_ERR_CLIENT_MESSAGE_REJECTED: the sequencer's reason. */
  rejection?: MessageError;
}

export class ClientError extends AspError<ClientErrorCode> {
  readonly ids: readonly string[];
  readonly rejection: MessageError | undefined;

  constructor(code: ClientErrorCode, message: string, options: ClientErrorOptions = {}) {
    super(code, message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ClientError';
    this.ids = options.ids ?? [];
    this.rejection = options.rejection;
  }
}

/** A short list of ids for messages: the full list is on `err.ids`. */
export function idsPreview(ids: readonly string[]): string {
  const shown = ids.slice(0, 3).map((id) => JSON.stringify(id));
  return ids.length > 3 ? `${shown.join(', ')} and ${ids.length - 3} more` : shown.join(', ');
}

export function resultTimeout(ids: readonly string[], waitedMs: number, cause?: unknown): ClientError {
  const message =
    `no result for ${ids.length} command(s) (${idsPreview(ids)}) within ${Math.round(waitedMs)} ms: ` +
    'the outcome is UNKNOWN (they may still be applied); look the ids up later with lookup(err.ids)';
  return new ClientError('ASP_ERR_CLIENT_RESULT_TIMEOUT', message, { ids, cause });
}

export function closedError(ids: readonly string[], sent: boolean, cause?: unknown): ClientError {
  const outcome = sent
    ? 'the outcome is UNKNOWN; look the ids up later with lookup(err.ids)'
    : 'they were never sent';
  const message = `client closed with ${ids.length} command(s) (${idsPreview(ids)}) unfinished: ${outcome}`;
  return new ClientError('ASP_ERR_CLIENT_CLOSED', message, { ids, cause });
}
