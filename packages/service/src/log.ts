import { type Logger, pino } from 'pino';

export type { Logger };

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** One root logger per service; modules take `log.child({ module })`. JSON lines on stdout. */
export function createLogger(service: string, level: LogLevel): Logger {
  return pino({ name: service, level, base: { service, pid: process.pid } });
}
