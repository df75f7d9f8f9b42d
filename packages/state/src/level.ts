import { ClassicLevel } from 'classic-level';
import { decodeNumber, decodeProgress, encode, type Progress } from './codec.ts';
import { openError, StateError } from './errors.ts';
import {
  FORMAT_VERSION,
  FORMAT_VERSION_UPGRADABLE,
  META_FORMAT,
  META_PROGRESS,
  META_PUBLISHED,
} from './keys.ts';
import type { ResolvedOptions } from './options.ts';

export type Level = ClassicLevel<string, Uint8Array>;

export interface Opened {
  db: Level;
  progress: Progress;
  publishedSeq: number;
}

/** Opens LevelDB, creates a fresh store's meta keys or checks an existing store's format. */
export async function openLevel(dir: string, opts: ResolvedOptions): Promise<Opened> {
  const db: Level = new ClassicLevel<string, Uint8Array>(dir, {
    keyEncoding: 'utf8',
    valueEncoding: 'view',
    writeBufferSize: opts.writeBufferBytes,
    cacheSize: opts.blockCacheBytes,
    maxOpenFiles: opts.openFilesMax,
  });
  try {
    await db.open({ createIfMissing: true });
  } catch (err) {
    throw openError(dir, err);
  }
  try {
    return { db, ...(await readMeta(db, dir)) };
  } catch (err) {
    await db.close().catch(() => {});
    throw openError(dir, err);
  }
}

async function readMeta(db: Level, dir: string): Promise<Omit<Opened, 'db'>> {
  const [format, progress, published] = await db.getMany([META_FORMAT, META_PROGRESS, META_PUBLISHED]);
  if (format === undefined) return initialise(db, dir);
  const version = decodeNumber(META_FORMAT, format);
  if (version !== FORMAT_VERSION && version !== FORMAT_VERSION_UPGRADABLE) {
    throw new StateError(
      'ASP_ERR_STATE_FORMAT',
      `state store ${dir} has format version ${version}; this build reads versions ${FORMAT_VERSION_UPGRADABLE} and ${FORMAT_VERSION}`,
    );
  }
  if (progress === undefined) {
    throw new StateError('ASP_ERR_STATE_CORRUPT', `state store ${dir} has no ${META_PROGRESS} record`);
  }
  const meta = {
    progress: decodeProgress(META_PROGRESS, progress),
    publishedSeq: published === undefined ? 0 : decodeNumber(META_PUBLISHED, published),
  };
  if (version === FORMAT_VERSION_UPGRADABLE) {
    // Format 1 differs only in how results are stored, and this build reads both (codec.ts).
    // The new version is written before any result in the new form, synced, so a build that
    // reads only format 1 refuses the store instead of finding results it cannot read. Only
    // once the rest of the metadata has been read: a store refused here is left as it was.
    await db.put(META_FORMAT, encode(FORMAT_VERSION), { sync: true });
  }
  return meta;
}

/** Marks an empty directory as a store; refuses LevelDB data that is not one. */
async function initialise(db: Level, dir: string): Promise<Omit<Opened, 'db'>> {
  const any = await db.keys({ limit: 1 }).all();
  if (any.length > 0) {
    throw new StateError(
      'ASP_ERR_STATE_FORMAT',
      `${dir} holds LevelDB data without a ${META_FORMAT} key: not a state store (or a pre-format one)`,
    );
  }
  const progress: Progress = { appliedSeq: 0, resultsFromSeq: 1, resultsRetained: 0 };
  // Synced, unlike batches: it is written once and nothing can replay it.
  await db.batch(
    [
      { type: 'put', key: META_FORMAT, value: encode(FORMAT_VERSION) },
      { type: 'put', key: META_PROGRESS, value: encode(progress) },
    ],
    { sync: true },
  );
  return { progress, publishedSeq: 0 };
}
