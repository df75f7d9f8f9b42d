import { AspError } from '@asp/errors';

export type NatsErrorCode = 'ASP_ERR_NATS_TOO_OLD' | 'ASP_ERR_NATS_NO_JETSTREAM' | 'ASP_ERR_NATS_CONNECT';

export class NatsError extends AspError<NatsErrorCode> {}
