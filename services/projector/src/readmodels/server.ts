import type { Db } from 'mongodb';

/**
 * How a write is guarded against a document having moved on under it.
 *
 * - `atomic` (MongoDB): replaces filter on `{ _id, version: <base> }`; the
 *   server checks it as it writes, so a stale write changes nothing.
 * - `id-only` (FerretDB): FerretDB 1.24 checks no filter at write time, and
 *   finds even `{ _id }` by scanning the collection (see apply/reinsert.ts).
 *   The guard is then the projector's own: it writes only from the version it
 *   read or wrote itself, one writer per document (a rebuild stops it first,
 *   see checkpoint.ts).
 */
export type WriteGuard = 'atomic' | 'id-only';

/** FerretDB says who it is in `buildInfo.ferretdbVersion`. */
export async function writeGuardOf(db: Db): Promise<WriteGuard> {
  const info = await db.admin().command({ buildInfo: 1 });
  return typeof info.ferretdbVersion === 'string' ? 'id-only' : 'atomic';
}
