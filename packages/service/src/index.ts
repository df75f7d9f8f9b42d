export { parseConfig } from './config.ts';
export type { Health, OpsServer } from './http.ts';
export { startOpsServer } from './http.ts';
export type { Logger, LogLevel } from './log.ts';
export { createLogger } from './log.ts';
