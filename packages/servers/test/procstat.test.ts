import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnServer } from '../src/process.ts';
import { cpuSecondsOf, cpuSecondsOfStat, serverPid } from '../src/procstat.ts';

const linux = process.platform === 'linux';

describe('cpuSecondsOfStat', () => {
  it('adds utime and stime, counting fields after the command name even when it holds ") "', () => {
    // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime …
    const stat = '4242 (ferret) db) S 1 4242 4242 0 -1 4194304 100 0 0 0 1234 567 0 0 20 0 9 0';
    expect(cpuSecondsOfStat(stat)).toBeCloseTo(18.01, 9);
  });

  it('is undefined for text that is not a stat line', () => {
    expect(cpuSecondsOfStat('')).toBeUndefined();
    expect(cpuSecondsOfStat('1 (x) S 1')).toBeUndefined();
  });
});

describe.runIf(linux)('on this machine', () => {
  const dir = mkdtempSync(join(tmpdir(), 'asp-test-procstat-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads our own CPU time as it grows, and nothing for a process that is gone', () => {
    const before = cpuSecondsOf(process.pid)!;
    const until = performance.now() + 100;
    while (performance.now() < until) {
      // Burn 100 ms of CPU so the 10 ms ticks move.
    }
    expect(cpuSecondsOf(process.pid)! - before).toBeGreaterThan(0.03);
    expect(cpuSecondsOf(2 ** 22 + 1)).toBeUndefined(); // above pid_max's limit: never a process
  });

  it('finds the server under its watchdog shell, not the shell or its sleep', async () => {
    const marker = 'asp-procstat-fake';
    const p = await spawnServer({
      name: marker,
      binary: 'bash',
      args: ['-c', `while true; do sleep 0.05; done # ${marker}`],
      logFile: join(dir, 'fake.log'),
      watchParent: true,
      ready: async () => true,
      startTimeoutMs: 1000,
    });
    try {
      // A real server is up once it answers; this one is up once the shell has started it.
      await new Promise((r) => setTimeout(r, 300));
      // Several looks: the watchdog's own sleep 0.5 and the server's sleeps come and go.
      for (let i = 0; i < 5; i++) {
        const pid = serverPid(p.pid);
        expect(pid).toBeDefined();
        expect(pid).not.toBe(p.pid);
        expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).toContain(`# ${marker}`);
        expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('bash\0-c\0while')).toBe(true);
        await new Promise((r) => setTimeout(r, 120));
      }
      expect(serverPid(2 ** 22 + 1)).toBeUndefined();
    } finally {
      await p.kill();
    }
  });
});
