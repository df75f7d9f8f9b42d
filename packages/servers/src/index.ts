export { findBinary, toolsBinDir } from './binaries.ts';
export type { ServersErrorCode } from './errors.ts';
export { ServersError } from './errors.ts';
export type { FerretDbOptions, FerretDbServer } from './ferretdb.ts';
export { startFerretDb } from './ferretdb.ts';
export type { NatsServer, NatsServerOptions } from './nats.ts';
export { natsConfig, natsDefaults, startNatsServer } from './nats.ts';
export { assertPortFree, freePort } from './ports.ts';
export type { ServerProcess } from './process.ts';
