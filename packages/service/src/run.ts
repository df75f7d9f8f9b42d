import { createLogger, type Logger, type LogLevel } from './log.ts';

/** What a service process runs: started once, stopped (drained) on SIGTERM/SIGINT. */
export interface Runnable {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Resolves when the service failed for good and must exit without draining. */
  failed?: Promise<unknown>;
}

/**
 * The process life of a service. Exit codes: 0 after a clean drain
 * (SIGTERM/SIGINT), 1 when it could not start or failed (a failed service
 * exits without draining: draining would acknowledge work), 2 for invalid
 * configuration.
 */
export async function runService<C extends { LOG_LEVEL: LogLevel }>(
  name: string,
  loadConfig: () => C,
  create: (cfg: C, log: Logger) => Runnable,
): Promise<void> {
  let cfg: C;
  try {
    cfg = loadConfig();
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(2);
  }
  const log = createLogger(name, cfg.LOG_LEVEL);
  const service = create(cfg, log);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'draining');
    service.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'drain failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  void service.failed?.then(() => {
    // Let the fatal log line reach stdout first.
    setTimeout(() => process.exit(1), 100);
  });
  try {
    await service.start();
  } catch (err) {
    log.fatal({ err }, `${name} could not start`);
    process.exit(1);
  }
}
