/** Starts the real sequencer process for integration tests (no mocks: see docs/architecture.md). */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ServiceProcess, startService } from '@asp/servers';

export interface SequencerRun {
  partition: string;
  dataDir: string;
  logFile: string;
  start(): Promise<ServiceProcess>;
  /** The log's last lines, for failure messages. */
  logTail(lines?: number): string;
  /** Removes the data directory and the log (after the process stopped). */
  remove(): void;
}

export function sequencerRun(natsUrl: string, partition: string): SequencerRun {
  const dataDir = mkdtempSync(join(tmpdir(), `asp-client-${partition}-`));
  const logFile = join(dataDir, 'sequencer.log');
  return {
    partition,
    dataDir,
    logFile,
    start: () =>
      startService({
        name: 'sequencer',
        env: {
          NATS_URL: natsUrl,
          ASP_PARTITION: partition,
          ASP_DATA_DIR: join(dataDir, 'data'),
          ASP_ACK_WAIT_MS: '2000',
          LOG_LEVEL: 'info',
        },
        logFile,
      }),
    logTail(lines = 40) {
      try {
        return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
      } catch {
        return '(no log)';
      }
    },
    remove: () => rmSync(dataDir, { recursive: true, force: true }),
  };
}
