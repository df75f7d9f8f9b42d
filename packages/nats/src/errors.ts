import { AspError } from '@asp/errors';

export type NatsErrorCode =
  | 'ASP_ERR_NATS_TOO_OLD'
  | 'ASP_ERR_NATS_NO_JETSTREAM'
  | 'ASP_ERR_NATS_CONNECT'
  | 'ASP_ERR_NATS_PULL_WINDOW'
  | 'ASP_ERR_NATS_RECONNECTED';

export class NatsError extends AspError<NatsErrorCode> {}
