import { readFileSync } from 'node:fs';

/** USER_HZ: /proc/<pid>/stat counts CPU time in 1/100 s on every Linux we run on. */
const TICKS_PER_S = 100;

/**
 * utime + stime from the text of /proc/<pid>/stat, in seconds; undefined when it is not one.
 * The fields are counted from the last ')': the command name before it may hold spaces and
 * parentheses of its own.
 */
export function cpuSecondsOfStat(stat: string): number | undefined {
  const close = stat.lastIndexOf(')');
  if (close < 0) return undefined;
  // After ") " come state (field 3), ppid, … utime (field 14) and stime (field 15).
  const fields = stat.slice(close + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return Number.isFinite(ticks) ? ticks / TICKS_PER_S : undefined;
}

function readOrUndefined(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * The CPU seconds (user + system, all threads) a process has used so far; undefined where
 * there is no /proc (not Linux) or the process is gone: a figure to report, not to fail on.
 */
export function cpuSecondsOf(pid: number): number | undefined {
  const stat = readOrUndefined(`/proc/${pid}/stat`);
  return stat === undefined ? undefined : cpuSecondsOfStat(stat);
}

/**
 * The server a watchdog shell (`watchParent: true`) runs, whose CPU is the one worth reading:
 * the shell's own is its polling. The server is the child whose command line is the shell's
 * after `bash -c <script>`: a `sleep` of the polling loop differs, and so does a child forked
 * but not exec'd yet (it still has the shell's whole command line). Undefined when /proc
 * cannot tell (not Linux, a kernel without `children`, the server gone).
 */
export function serverPid(shellPid: number): number | undefined {
  const shellArgs = readOrUndefined(`/proc/${shellPid}/cmdline`)?.split('\0');
  const children = readOrUndefined(`/proc/${shellPid}/task/${shellPid}/children`);
  if (shellArgs === undefined || children === undefined) return undefined;
  const serverCmdline = shellArgs.slice(3).join('\0');
  for (const child of children.trim().split(/\s+/)) {
    if (child !== '' && readOrUndefined(`/proc/${child}/cmdline`) === serverCmdline) return Number(child);
  }
  return undefined;
}
