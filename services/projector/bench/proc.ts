import { cpuSecondsOf, serverPid as serverPidOf } from '@asp/servers';

/*
 * How to read a process's CPU time and find a server under its watchdog lives in @asp/servers
 * (the benchmark reads it too), where an unreadable /proc is a figure not reported. These
 * scripts measure nothing else, so here it stops them with the reason.
 */

/** utime + stime of a process, in seconds. */
export function cpuOf(pid: number): number {
  const s = cpuSecondsOf(pid);
  if (s === undefined) throw new Error(`cannot read the CPU time of ${pid} from /proc`);
  return s;
}

/** The server itself, not the watchdog shell @asp/servers starts it under. */
export function serverPid(shellPid: number): number {
  const pid = serverPidOf(shellPid);
  if (pid === undefined) throw new Error(`no server under ${shellPid}`);
  return pid;
}
