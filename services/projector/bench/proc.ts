import { readFileSync } from 'node:fs';

const TICKS = 100; // USER_HZ: /proc/<pid>/stat counts CPU time in 1/100 s

/** utime + stime of a process, in seconds. */
export function cpuOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}

/** The server itself, not the watchdog shell @asp/servers starts it under. */
export function serverPid(shellPid: number): number {
  const children = readFileSync(`/proc/${shellPid}/task/${shellPid}/children`, 'utf8').trim().split(/\s+/);
  for (const c of children) {
    const cmd = readFileSync(`/proc/${c}/cmdline`, 'utf8');
    if (!cmd.startsWith('sleep')) return Number(c);
  }
  throw new Error(`no server under ${shellPid}`);
}
