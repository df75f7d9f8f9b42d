import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
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
});
