import type { Db } from 'mongodb';

/**
 * How a write is guarded against a document having moved on under it.
 *
 * - `atomic` (MongoDB): replaces filter on `{ _id, version: <base> }`; the
 *   server checks it as it writes, so a stale write changes nothing.
 * - `checked` (ferretdb-asp, `infra/ferretdb/patches/update-replace-by-ids.patch`):
 *   the same replaces, many per `update` command; SQLite checks the version
 *   as it writes each replacement (a guarded UPDATE by the `_id` index). A
 *   statement that did not write that way is run FerretDB's own way, which
 *   reads the document and writes it back with nothing holding it in
 *   between; so, as for `id-only`, the projector counts on being the only
 *   writer of its documents (a rebuild stops it first, see checkpoint.ts).
 * - `id-only` (any other FerretDB): FerretDB 1.24 checks no filter at write
 *   time, finds even `{ _id }` by scanning the collection, and an update of
 *   many statements stalls every client (see apply/reinsert.ts). The guard
 *   is the projector's own: it writes only from the version it read or
 *   wrote itself, one writer per document.
 */
export type WriteGuard = 'atomic' | 'checked' | 'id-only';

/** Statements per `update` command the `checked` path needs the server to take at once. */
export const CHECKED_STATEMENTS_MIN = 1000;

/**
 * FerretDB says who it is in `buildInfo.ferretdbVersion`, and ferretdb-asp
 * how many replacements by `_id` one update command may carry in
 * `ferretdbFeatures.aspReplaceByIds`.
 */
export async function writeGuardOf(db: Db): Promise<WriteGuard> {
  const info = await db.admin().command({ buildInfo: 1 });
  if (typeof info.ferretdbVersion !== 'string') return 'atomic';
  const statements = (info.ferretdbFeatures as { aspReplaceByIds?: unknown } | undefined)?.aspReplaceByIds;
  return typeof statements === 'number' && statements >= CHECKED_STATEMENTS_MIN ? 'checked' : 'id-only';
}
