import { AspError } from '@asp/errors';

export type ProjectorErrorCode =
  /** A commit record on ASP_EVENTS does not decode, or belongs to another partition. */
  | 'ASP_ERR_PROJECTOR_RECORD'
  /** An event's version is more than one past the document's: events were lost or the document was changed by hand. */
  | 'ASP_ERR_PROJECTOR_VERSION_GAP'
  /** An event names an aggregate type no registered domain defines. */
  | 'ASP_ERR_PROJECTOR_UNKNOWN_AGGREGATE'
  /** An aggregate state that cannot be a document: not a plain object, or a field the projector reserves. */
  | 'ASP_ERR_PROJECTOR_STATE_SHAPE'
  /** The events consumer ended (deleted by someone, a record larger than the pull window): the session reloads it. */
  | 'ASP_ERR_PROJECTOR_CONSUMER'
  /** A document kept changing under the projector's writes (a second writer, or hand edits). */
  | 'ASP_ERR_PROJECTOR_CONFLICT'
  /** The read models could not be rebuilt (another rebuild holds the lock, a projector would not hold, …). */
  | 'ASP_ERR_PROJECTOR_REBUILD'
  /** The audit could not get a consistent view (the sequencer did not answer, or never stood still). */
  | 'ASP_ERR_PROJECTOR_AUDIT';

export class ProjectorError extends AspError<ProjectorErrorCode> {}
