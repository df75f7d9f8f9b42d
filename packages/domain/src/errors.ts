import { AspError } from '@asp/errors';

/**
 * Failures of the engine itself (expected command outcomes are RejectedResult values, not errors).
 * - ASP_ERR_DOMAIN_DUPLICATE_TYPE: two domains define the same aggregate or command type (start-up).
 * - ASP_ERR_DOMAIN_INVALID_DEF: a definition is malformed: an aggregate type containing `/`, a command
 *   type not prefixed with its domain's name (start-up).
 * - ASP_ERR_DOMAIN_REPLAY_ORDER: a replayed event's version is not the aggregate's version + 1.
 * - ASP_ERR_DOMAIN_UNKNOWN_AGGREGATE: a replayed event or a stored state names an aggregate type
 *   no registered domain defines.
 */
export type DomainErrorCode =
  | 'ASP_ERR_DOMAIN_DUPLICATE_TYPE'
  | 'ASP_ERR_DOMAIN_INVALID_DEF'
  | 'ASP_ERR_DOMAIN_REPLAY_ORDER'
  | 'ASP_ERR_DOMAIN_UNKNOWN_AGGREGATE';

export class DomainError extends AspError<DomainErrorCode> {}
