import type { Db } from 'mongodb';

const NOT_IMPLEMENTED = 238;
const NAMESPACE_EXISTS = 48;
const NAMESPACE_NOT_FOUND = 26;

const codeOf = (err: unknown): unknown => (err as { code?: unknown }).code;

async function exists(db: Db, name: string): Promise<boolean> {
  return (await db.listCollections({ name }, { nameOnly: true }).toArray()).length > 0;
}

/**
 * Puts the rebuilt collection in place of the live one. MongoDB does it in
 * one step (`renameCollection` with `dropTarget`). FerretDB does not
 * implement `dropTarget`, so there the live collection is first renamed
 * aside, the rebuilt one takes its name, and the old one is dropped: for
 * those few milliseconds readers find the collection missing (empty). The
 * projector writes nothing meanwhile (it holds), so nothing can recreate it
 * — but if something did, that stray collection only holds writes nobody
 * checkpointed, and is dropped.
 */
export async function swapCollection(db: Db, live: string, rebuilt: string, aside: string): Promise<void> {
  try {
    await db.renameCollection(rebuilt, live, { dropTarget: true });
    return;
  } catch (err) {
    if (codeOf(err) !== NOT_IMPLEMENTED) throw err;
  }
  const hadLive = await exists(db, live);
  if (hadLive) await db.renameCollection(live, aside);
  try {
    await db.renameCollection(rebuilt, live);
  } catch (err) {
    if (codeOf(err) !== NAMESPACE_EXISTS) {
      if (hadLive) await db.renameCollection(aside, live).catch(() => {});
      throw err;
    }
    await db.dropCollection(live);
    await db.renameCollection(rebuilt, live);
  }
  if (hadLive) await db.dropCollection(aside);
}

/** Drops what earlier rebuilds that did not finish left behind (collections named `…_rebuild_<id>` / `…_replaced_<id>`). */
export async function dropLeftovers(db: Db, keepId: string): Promise<string[]> {
  const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
  const stale = names.filter((n) => /_(rebuild|replaced)_r[0-9a-z]+$/.test(n) && !n.endsWith(`_${keepId}`));
  for (const n of stale) {
    await db.dropCollection(n).catch((err: unknown) => {
      if (codeOf(err) !== NAMESPACE_NOT_FOUND) throw err;
    });
  }
  return stale;
}
