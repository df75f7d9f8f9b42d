import { AspError } from '@asp/errors';

export type ServersErrorCode =
  | 'ASP_ERR_SERVER_BINARY_MISSING'
  | 'ASP_ERR_PORT_TAKEN'
  | 'ASP_ERR_SERVER_START_FAILED'
  | 'ASP_ERR_SERVER_START_TIMEOUT';

export class ServersError extends AspError<ServersErrorCode> {}
