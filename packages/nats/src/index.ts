export type { ConnectOptions } from './connect.ts';
export { assertNatsServer, connectNats, NATS_SERVER_MIN, versionAtLeast } from './connect.ts';
export type { NatsErrorCode } from './errors.ts';
export { NatsError } from './errors.ts';
export type { PullQueueLimits, Taken } from './pull.ts';
export { PullQueue } from './pull.ts';
export { Reconnects } from './reconnects.ts';
