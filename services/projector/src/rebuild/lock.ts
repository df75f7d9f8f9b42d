import type { Collection, Db } from 'mongodb';
import { ProjectorError } from '../errors.ts';
import { META_COLLECTION } from '../readmodels/collections.ts';

interface LockDoc {
  _id: string;
  by: string;
  until: Date;
  startedAt: Date;
}

const LOCK_ID = 'rebuild';

/** One rebuild per database at a time; a lock whose holder died lapses at `until`. */
export async function acquireRebuildLock(db: Db, by: string, leaseMs: number): Promise<void> {
  const c: Collection<LockDoc> = db.collection<LockDoc>(META_COLLECTION);
  const now = new Date();
  const until = new Date(now.getTime() + leaseMs);
  try {
    await c.insertOne({ _id: LOCK_ID, by, until, startedAt: now });
    return;
  } catch (err) {
    if ((err as { code?: unknown }).code !== 11000) throw err;
  }
  const r = await c.updateOne({ _id: LOCK_ID, until: { $lt: now } }, { $set: { by, until, startedAt: now } });
  if (r.matchedCount === 1) return;
  const holder = await c.findOne({ _id: LOCK_ID });
  throw new ProjectorError(
    'ASP_ERR_PROJECTOR_REBUILD',
    `another rebuild (${holder?.by ?? '?'}, started ${holder?.startedAt?.toISOString() ?? '?'}) holds the lock ` +
      `until ${holder?.until?.toISOString() ?? '?'}`,
  );
}

export async function renewRebuildLock(db: Db, by: string, leaseMs: number): Promise<boolean> {
  const r = await db
    .collection<LockDoc>(META_COLLECTION)
    .updateOne({ _id: LOCK_ID, by }, { $set: { until: new Date(Date.now() + leaseMs) } });
  return r.matchedCount === 1;
}

export async function releaseRebuildLock(db: Db, by: string): Promise<void> {
  await db.collection<LockDoc>(META_COLLECTION).deleteOne({ _id: LOCK_ID, by });
}
