import { createLogger } from '@asp/service';
import { loadSequencerConfig } from './config.ts';
import { Sequencer } from './sequencer.ts';

/**
 * The sequencer process. Exit codes: 0 after a clean drain (SIGTERM/SIGINT),
 * 1 after a fatal error (fail closed; restart to recover from the WAL),
 * 2 for invalid configuration.
 */
async function main(): Promise<void> {
  let cfg: ReturnType<typeof loadSequencerConfig>;
  try {
    cfg = loadSequencerConfig();
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(2);
  }
  const log = createLogger('sequencer', cfg.LOG_LEVEL);
  const seq = new Sequencer(cfg, log);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'draining');
    seq.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'drain failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  void seq.failed.then(() => {
    // Do not drain: draining would acknowledge work. Exit and let recovery decide.
    setTimeout(() => process.exit(1), 100);
  });
  try {
    await seq.start();
  } catch (err) {
    log.fatal({ err }, 'sequencer could not start');
    process.exit(1);
  }
}

void main();
