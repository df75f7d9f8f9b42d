import type { Collection, Db } from 'mongodb';
import type { ReadModelDoc } from '../readmodels/documents.ts';
import type { WriteGuard } from '../readmodels/server.ts';
import { isTransientMongoError } from '../retry.ts';
import { addOutcome, COMMAND_DOCS_MAX, chunks, docOf, insertAll, type WriteOutcome } from './inserts.ts';
import type { Intents } from './intents.ts';
import type { DocWrite } from './plan.ts';
import { settled, writeReinserting } from './reinsert.ts';

export type { WriteOutcome } from './inserts.ts';

export interface WriteTarget {
  db: Db;
  nameOf: (type: string) => string;
  guard: WriteGuard;
  /** The redo log that makes FerretDB's delete-then-insert crash-safe (see reinsert.ts). */
  intents?: Intents;
}

/**
 * Writes each document once, per collection, the collections in parallel: on
 * MongoDB with version-guarded bulk writes; on FerretDB by inserts and
 * delete-then-insert steps (see reinsert.ts).
 */
export async function writeDocs(t: WriteTarget, writes: DocWrite[]): Promise<WriteOutcome> {
  const groups = new Map<string, DocWrite[]>();
  for (const w of writes) {
    const name = t.nameOf(w.type);
    const g = groups.get(name);
    if (g) g.push(w);
    else groups.set(name, [w]);
  }
  if (t.guard === 'id-only') return writeReinserting(t.db, groups, t.intents);
  const outcomes = await settled(
    [...groups].map(([name, ws]) => writeGuarded(t.db.collection<ReadModelDoc>(name), ws)),
  );
  const out: WriteOutcome = { written: [], conflicts: [] };
  for (const r of outcomes) addOutcome(out, r);
  return out;
}

/**
 * MongoDB: new documents are inserted (an existing one makes its insert
 * fail), existing ones replaced only while they still have the version the
 * new state was computed from — the server checks the filter as it writes,
 * so a write from a stale base changes nothing instead of going back.
 */
async function writeGuarded(coll: Collection<ReadModelDoc>, writes: DocWrite[]): Promise<WriteOutcome> {
  const out = await insertAll(
    coll,
    writes.filter((w) => w.baseVersion === 0),
  );
  for (const chunk of chunks(
    writes.filter((w) => w.baseVersion > 0),
    COMMAND_DOCS_MAX,
  )) {
    const ops = chunk.map((w) => ({
      replaceOne: { filter: { _id: w.id, version: w.baseVersion }, replacement: docOf(w) },
    }));
    let done = false;
    try {
      done = (await coll.bulkWrite(ops, { ordered: false })).matchedCount === ops.length;
    } catch (err) {
      if (isTransientMongoError(err)) throw err;
    }
    if (done) {
      out.written.push(...chunk);
      continue;
    }
    // Learn which did not apply, one by one.
    for (const w of chunk) {
      const r = await coll.replaceOne({ _id: w.id, version: w.baseVersion }, docOf(w));
      (r.matchedCount === 1 ? out.written : out.conflicts).push(w);
    }
  }
  return out;
}
