import { AspError } from '@asp/errors';

/**
 * Failures of the protocol package. Bad producer input is never one of these: it becomes a
 * rejected result (a value). These are thrown when our own data or configuration is wrong:
 * a corrupt commit record, an unknown content type in code, an invalid partition name.
 */
export type ProtocolErrorCode =
  | 'ASP_ERR_PROTOCOL_CONTENT_TYPE'
  | 'ASP_ERR_PROTOCOL_DECODE'
  | 'ASP_ERR_PROTOCOL_ENCODE'
  | 'ASP_ERR_PROTOCOL_PARTITION'
  | 'ASP_ERR_PROTOCOL_LIMITS';

export class ProtocolError extends AspError<ProtocolErrorCode> {
  constructor(code: ProtocolErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'ProtocolError';
  }
}
