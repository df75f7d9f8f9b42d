export { parseConfig } from './config.ts';
export type { YoungCollector } from './gc.ts';
export { youngCollector } from './gc.ts';
export type { Health, OpsServer } from './http.ts';
export { startOpsServer } from './http.ts';
export type { Logger, LogLevel } from './log.ts';
export { createLogger } from './log.ts';
export type { Runnable } from './run.ts';
export { runService } from './run.ts';
