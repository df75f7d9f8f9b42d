import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ServiceProcess, startService } from '@asp/servers';

/** A sequencer process on its own data directory, restartable on the same directory (crash tests). */
export interface SequencerProcess {
  readonly dir: string;
  readonly logFile: string;
  start(): Promise<ServiceProcess>;
  health(): Promise<Record<string, unknown>>;
  current(): ServiceProcess | undefined;
  logTail(lines?: number): string;
  remove(): void;
}

export function sequencerProcess(
  natsUrl: string,
  partition: string,
  env: Record<string, string> = {},
): SequencerProcess {
  const dir = mkdtempSync(join(tmpdir(), 'asp-test-seq-'));
  const logFile = join(dir, 'sequencer.log');
  let proc: ServiceProcess | undefined;
  const self: SequencerProcess = {
    dir,
    logFile,
    async start() {
      proc = await startService({
        name: 'sequencer',
        env: {
          NATS_URL: natsUrl,
          ASP_PARTITION: partition,
          ASP_DATA_DIR: join(dir, 'data'),
          ASP_ACK_WAIT_MS: '1500',
          LOG_LEVEL: 'warn',
          ...env,
        },
        logFile,
      });
      return proc;
    },
    async health() {
      const res = await fetch(`${proc!.httpUrl}/health`);
      return (await res.json()) as Record<string, unknown>;
    },
    current: () => proc,
    logTail(lines = 30) {
      try {
        return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
      } catch {
        return '(no log)';
      }
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return self;
}
