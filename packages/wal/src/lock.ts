import { randomBytes } from 'node:crypto';
import { link, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WalError } from './errors.ts';

/**
 * Two sequencers appending to one WAL would interleave seqs and fork the
 * chain, so a directory has one owner: the process whose pid is in LOCK.
 *
 * The pid is written to a private temp file first and then hard-linked into
 * place: link() fails atomically when LOCK exists, and a LOCK that exists is
 * never half-written. A LOCK whose pid is dead is stale (the owner crashed)
 * and is taken over. Known gap: two processes breaking the same stale lock at
 * the same instant could both win; a pid reused by an unrelated process makes
 * a stale lock look held (fails closed: delete LOCK by hand).
 */
export const LOCK_NAME = 'LOCK';
const ATTEMPTS = 3;

export interface DirLock {
  release(): Promise<void>;
}

export async function acquireLock(dir: string): Promise<DirLock> {
  const path = join(dir, LOCK_NAME);
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    if (await tryCreate(dir, path)) return { release: () => rm(path, { force: true }) };
    const holder = await readHolder(path);
    if (holder === 'gone') continue;
    if (holder === 'unreadable') throw locked(path, 'it holds no readable pid');
    if (isAlive(holder)) throw locked(path, `it is held by live pid ${holder}`);
    await rm(path, { force: true });
  }
  throw locked(path, 'it kept changing while we tried to take it');
}

async function tryCreate(dir: string, path: string): Promise<boolean> {
  const tmp = join(dir, `${LOCK_NAME}.${process.pid}.${randomBytes(4).toString('hex')}`);
  await writeFile(tmp, `${process.pid}\n`, { flag: 'wx' });
  try {
    await link(tmp, path);
    return true;
  } catch (err) {
    if (errnoCode(err) === 'EEXIST') return false;
    throw err;
  } finally {
    await rm(tmp, { force: true });
  }
}

async function readHolder(path: string): Promise<number | 'gone' | 'unreadable'> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return 'gone';
    throw err;
  }
  const pid = Number(text.trim());
  return Number.isSafeInteger(pid) && pid > 0 ? pid : 'unreadable';
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to another user.
    return errnoCode(err) !== 'ESRCH';
  }
}

export function errnoCode(err: unknown): string | undefined {
  return err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
}

function locked(path: string, why: string): WalError {
  return new WalError('ASP_ERR_WAL_LOCKED', `WAL directory is locked: ${path} exists and ${why}`);
}
