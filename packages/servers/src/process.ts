import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { ServersError } from './errors.ts';

export interface ServerProcess {
  readonly pid: number;
  readonly logFile: string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL at once (crash tests). */
  kill(): Promise<void>;
  readonly exited: Promise<number | null>;
}

export interface SpawnOptions {
  name: string;
  binary: string;
  args: string[];
  logFile: string;
  /**
   * Kill the server when this process dies, even by SIGKILL: a watchdog shell
   * waits on a pipe from us and polls our pid. Tests and the bench use it so a
   * crashed runner leaves no server behind; `asp up` does not, since its
   * servers outlive the command.
   */
  watchParent: boolean;
  /** Resolves true once the server answers; polled until `startTimeoutMs`. */
  ready: () => Promise<boolean>;
  startTimeoutMs: number;
  /** The child's environment (default: ours). */
  env?: NodeJS.ProcessEnv;
}

/** The watchdog's grace for a TERMed server, in 100 ms ticks (it then kills it). */
const WATCHDOG_GRACE_TICKS = 300;

function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function spawnChild(opts: SpawnOptions): ChildProcess {
  const fd = openSync(opts.logFile, 'a');
  try {
    if (!opts.watchParent) {
      return spawn(opts.binary, opts.args, { stdio: ['ignore', fd, fd], detached: true, env: opts.env });
    }
    // The shell starts the server, then waits while our pid lives; `exec` is
    // not possible because the shell must outlive the server's start to
    // watch. On TERM it forwards TERM and keeps watching: the server gets
    // `graceS` to exit, and is killed at once if our pid dies meanwhile. On
    // USR1 it kills the server (crash tests; a KILL of the shell itself
    // would orphan the server).
    //
    // It waits with `read -t` on its stdin, a pipe only we can write to and
    // never do, not with `sleep`: a fork and exec of sleep(1) twice a second
    // per server cost the machine ~4% of its CPU in the benchmark (perf -a
    // during `pnpm bench broker`: four watchdogs' sleep and bash processes).
    // When we die the kernel closes our end and `read` returns at once with
    // end of file (status 1), so the server is killed without waiting for the
    // next poll; a timeout returns above 128 and the loop polls both pids. A
    // background command's stdin is /dev/null in a non-interactive shell: the
    // server itself never sees the pipe. The stop keeps `sleep`: inside a trap
    // handler bash reaps the exited server only when it waits for a child of
    // its own, so with `read` there `kill -0` would see the zombie as alive.
    const parent = process.pid;
    const script = `
      "$0" "$@" & child=$!
      stop_child() {
        kill -TERM $child 2>/dev/null
        for _ in $(seq 1 ${WATCHDOG_GRACE_TICKS}); do
          kill -0 $child 2>/dev/null || break
          kill -0 ${parent} 2>/dev/null || break
          sleep 0.1
        done
        kill -KILL $child 2>/dev/null; wait $child; exit $?
      }
      trap stop_child TERM INT
      trap 'kill -KILL $child 2>/dev/null; wait $child; exit 137' USR1
      while kill -0 ${parent} 2>/dev/null && kill -0 $child 2>/dev/null; do
        read -r -t 0.5; [ $? -gt 128 ] || break
      done
      kill -KILL $child 2>/dev/null; wait $child`;
    const child = spawn('bash', ['-c', script, opts.binary, ...opts.args], {
      stdio: ['pipe', fd, fd],
      env: opts.env,
    });
    // Never written to, and destroyed by Node when the shell exits; a late
    // EPIPE or reset on it must not become an unhandled 'error'.
    child.stdin?.on('error', () => {});
    return child;
  } finally {
    closeSync(fd);
  }
}

export async function spawnServer(opts: SpawnOptions): Promise<ServerProcess> {
  const child = spawnChild(opts);
  if (child.pid === undefined) {
    throw new ServersError('ASP_ERR_SERVER_START_FAILED', `${opts.name}: could not spawn ${opts.binary}`);
  }
  const pid = child.pid;
  // A server killed by a signal reports 128 + its number, as a shell would.
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code, signal) =>
      resolve(code ?? (signal ? 128 + (osConstants.signals[signal] ?? 0) : null)),
    ),
  );
  let gone = false;
  void exited.then(() => {
    gone = true;
  });

  const deadline = Date.now() + opts.startTimeoutMs;
  for (;;) {
    if (gone) {
      throw new ServersError(
        'ASP_ERR_SERVER_START_FAILED',
        `${opts.name} exited during start; last log lines (${opts.logFile}):\n${tail(opts.logFile)}`,
      );
    }
    if (await opts.ready().catch(() => false)) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new ServersError(
        'ASP_ERR_SERVER_START_TIMEOUT',
        `${opts.name} did not become healthy within ${opts.startTimeoutMs} ms; last log lines:\n${tail(opts.logFile)}`,
      );
    }
    await sleep(50);
  }
  if (!opts.watchParent) child.unref();

  const signalAndWait = async (signal: NodeJS.Signals, graceMs: number): Promise<void> => {
    if (gone) return;
    child.kill(signal);
    const timer = sleep(graceMs).then(() => 'timeout' as const);
    if ((await Promise.race([exited, timer])) === 'timeout' && !gone) {
      // Through the watchdog, USR1 kills the server itself; a SIGKILL of the
      // shell alone would leave the server running as an orphan.
      if (opts.watchParent) {
        child.kill('SIGUSR1');
        if ((await Promise.race([exited, sleep(2000).then(() => 'timeout' as const)])) !== 'timeout') return;
      }
      child.kill('SIGKILL');
      await exited;
    }
  };
  return {
    pid,
    logFile: opts.logFile,
    exited,
    stop: (graceMs = 10_000) => signalAndWait('SIGTERM', graceMs),
    // Through the watchdog shell, SIGUSR1 asks it to SIGKILL the server (a
    // SIGKILL of the shell itself would orphan the server).
    kill: () => signalAndWait(opts.watchParent ? 'SIGUSR1' : 'SIGKILL', 5_000),
  };
}
