import { spawn, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOCK_NAME, Wal } from '../src/index.ts';
import { rejection, tempDir } from './helpers.ts';

describe('directory lock', () => {
  it('refuses a second open while the first holds the directory, and frees it on close', async () => {
    const dir = tempDir();
    const wal = await Wal.open(dir);
    const err = await rejection(Wal.open(dir));
    expect(err.code).toBe('ASP_ERR_WAL_LOCKED');
    expect(err.message).toContain(`pid ${process.pid}`);
    await wal.close();
    expect(existsSync(join(dir, LOCK_NAME))).toBe(false);
    await (await Wal.open(dir)).close();
  });

  it('takes over a stale lock whose process is dead', async () => {
    const dir = tempDir();
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    writeFileSync(join(dir, LOCK_NAME), `${dead}\n`);
    const wal = await Wal.open(dir);
    await wal.append([new Uint8Array([1])]);
    await wal.close();
  });

  it('refuses a lock held by another live process, or one it cannot read', async () => {
    const dir = tempDir();
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    try {
      writeFileSync(join(dir, LOCK_NAME), `${child.pid}\n`);
      const err = await rejection(Wal.open(dir));
      expect(err.code).toBe('ASP_ERR_WAL_LOCKED');
      expect(err.message).toContain(`pid ${child.pid}`);
    } finally {
      child.kill();
    }
    writeFileSync(join(dir, LOCK_NAME), 'garbage');
    expect((await rejection(Wal.open(dir))).code).toBe('ASP_ERR_WAL_LOCKED');
  });
});
