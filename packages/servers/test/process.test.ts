import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnServer } from '../src/process.ts';

const dir = mkdtempSync(join(tmpdir(), 'asp-test-proc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A stand-in server: a shell that exits with `code` on TERM; `marker` finds it in the process list. */
async function fake(marker: string, onTerm: string) {
  const p = await spawnServer({
    name: marker,
    binary: 'bash',
    args: ['-c', `trap '${onTerm}' TERM; while true; do sleep 0.1; done # ${marker}`],
    logFile: join(dir, `${marker}.log`),
    watchParent: true,
    ready: async () => true,
    startTimeoutMs: 1000,
  });
  await sleep(300); // let the shells install their traps
  return p;
}

const running = (marker: string) => {
  try {
    return (
      execFileSync('pgrep', ['-f', `# ${marker}`])
        .toString()
        .trim().length > 0
    );
  } catch {
    return false;
  }
};

describe('spawnServer with the watchdog', () => {
  it("stop() reports the server's own exit code through the watchdog", async () => {
    const ok = await fake('exit0', 'exit 0');
    await ok.stop();
    expect(await ok.exited).toBe(0);
    const failing = await fake('exit3', 'exit 3');
    await failing.stop();
    expect(await failing.exited).toBe(3);
  });

  it('kill() and a stop() past its grace leave no server behind', async () => {
    const a = await fake('killme', 'exit 0');
    await a.kill();
    expect(running('killme')).toBe(false);
    const b = await fake('stubborn', ''); // ignores TERM
    await b.stop(500);
    expect(running('stubborn')).toBe(false);
  });

  it('a server that exits by itself ends its watchdog with its exit code', async () => {
    const p = await spawnServer({
      name: 'quitter',
      binary: 'bash',
      args: ['-c', 'sleep 0.3; exit 5 # quitter'],
      logFile: join(dir, 'quitter.log'),
      watchParent: true,
      ready: async () => true,
      startTimeoutMs: 1000,
    });
    expect(await p.exited).toBe(5);
  });

  it('a parent killed by SIGKILL leaves no server behind', async () => {
    // A Node process that starts a server through the watchdog, says so, then waits to be killed.
    // The marker is split in its source so that pgrep finds the server, not this process.
    const src = pathToFileURL(join(import.meta.dirname, '../src/process.ts')).href;
    const script = `
      const { spawnServer } = await import(${JSON.stringify(src)});
      await spawnServer({
        name: 'orphan', binary: 'bash', args: ['-c', 'while true; do sleep 0.1; done # ' + 'orphan'],
        logFile: ${JSON.stringify(join(dir, 'orphan.log'))}, watchParent: true,
        ready: async () => true, startTimeoutMs: 1000,
      });
      console.log('started');
      setInterval(() => {}, 1000);`;
    const parent = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      await new Promise<void>((resolve, reject) => {
        parent.stdout.on('data', (b: Buffer) => b.toString().includes('started') && resolve());
        parent.once('exit', (code) => reject(new Error(`the parent exited first (${code})`)));
      });
      expect(running('orphan')).toBe(true);
      parent.kill('SIGKILL');
      const deadline = Date.now() + 3000;
      while (running('orphan') && Date.now() < deadline) await sleep(50);
      expect(running('orphan')).toBe(false);
    } finally {
      // A failure must not leave either behind for the rest of the suite.
      parent.kill('SIGKILL');
      if (running('orphan')) execFileSync('pkill', ['-KILL', '-f', '# orphan']);
    }
  });
});
