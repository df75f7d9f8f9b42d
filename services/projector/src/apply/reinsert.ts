import type { Collection, Db } from 'mongodb';
import type { ReadModelDoc } from '../readmodels/documents.ts';
import { idDeletesOf } from './deletes.ts';
import { addOutcome, docOf, insertAll, type WriteOutcome } from './inserts.ts';
import type { IntentGroup, Intents } from './intents.ts';
import type { DocWrite } from './plan.ts';

/**
 * Bytes of replaced documents per step, estimated as JSON: the step's redo
 * log entry holds them all and must stay well under FerretDB's 16 MB.
 */
const STEP_BYTES_MAX = 4 * 1024 * 1024;
/**
 * Replaced documents per step. FerretDB matches a delete's `$in` row by row
 * against the whole list, and a delete of one statement per id is one
 * command, so the list is bounded too.
 */
const STEP_DOCS_MAX = 5000;

interface Replaced {
  collection: string;
  write: DocWrite;
}

/**
 * FerretDB: documents are written by inserting, never by updating. FerretDB
 * 1.24 (SQLite) finds an updated document by scanning and parsing the whole
 * collection unless its `_id` index was rebuilt (ferretdb-asp does, see
 * deletes.ts), and an update command of many statements locks the database
 * up (docs/read-models.md); so no updates at all.
 *
 * - New documents (base version 0) are inserted, many per command, with no
 *   redo log: a crash leaves each one written or not, and the replay after it
 *   finds its own earlier insert as a duplicate key, reads the document and
 *   skips the events it has (the applier's conflict round).
 * - Existing documents are replaced by deleting them and inserting their new
 *   versions, in steps across collections (one delete command per
 *   collection and step, see deletes.ts). Each step is first written to the
 *   partition's redo log (see intents.ts), so a crash between the delete and
 *   the insert is redone at restart instead of leaving documents missing.
 *   Readers may miss a document for the milliseconds between the two (on
 *   MongoDB documents are replaced in place).
 * - The collections are written in parallel: the fresh inserts of all of
 *   them, then each step's delete + insert per collection. SQLite commits
 *   one write at a time, but FerretDB decodes, converts and plans one
 *   command while SQLite writes another: `single`'s records, alternated
 *   pairs, +6 to +8% items/s (bench/RESULTS.md). A step's redo log entry
 *   covers every collection of the step, so a crash in the middle of
 *   parallel writes is redone like one in the middle of sequential ones.
 *
 * The version guard here is the projector's own: it writes only from the
 * version it read or wrote, one writer per document.
 */
export async function writeReinserting(
  db: Db,
  groups: ReadonlyMap<string, DocWrite[]>,
  intents: Intents | undefined,
): Promise<WriteOutcome> {
  const out: WriteOutcome = { written: [], conflicts: [] };
  const replaced: Replaced[] = [];
  const inserts: Promise<WriteOutcome>[] = [];
  for (const [collection, writes] of groups) {
    // A document believed new that exists after all makes its insert fail: a conflict, never
    // silently replaced.
    const fresh = writes.filter((w) => w.baseVersion === 0);
    if (fresh.length > 0) inserts.push(insertAll(db.collection<ReadModelDoc>(collection), fresh));
    for (const write of writes) if (write.baseVersion > 0) replaced.push({ collection, write });
  }
  for (const r of await settled(inserts)) addOutcome(out, r);
  for (const step of steps(replaced)) {
    const byCollection = new Map<string, DocWrite[]>();
    for (const r of step) {
      const g = byCollection.get(r.collection);
      if (g) g.push(r.write);
      else byCollection.set(r.collection, [r.write]);
    }
    const intent: IntentGroup[] = [...byCollection].map(([collection, writes]) => ({
      collection,
      deleteIds: writes.map((w) => w.id),
      docs: writes.map(docOf),
    }));
    await intents?.beginStep(intent);
    const outcomes = settled(
      intent.map(async (g) => {
        const coll: Collection<ReadModelDoc> = db.collection<ReadModelDoc>(g.collection);
        await idDeletesOf(db).delete(coll, g.deleteIds);
        return insertAll(coll, byCollection.get(g.collection)!, g.docs);
      }),
    );
    for (const r of await outcomes) addOutcome(out, r);
    await intents?.end();
  }
  return out;
}

/**
 * Waits for every one, then throws the first failure: no write of a failed
 * batch is still running when it is retried.
 */
export async function settled<T>(work: Promise<T>[]): Promise<T[]> {
  const out = await Promise.allSettled(work);
  const failed = out.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  return out.map((r) => (r as PromiseFulfilledResult<T>).value);
}

function steps(replaced: Replaced[]): Replaced[][] {
  const out: Replaced[][] = [];
  let step: Replaced[] = [];
  let bytes = 0;
  for (const r of replaced) {
    const size = JSON.stringify(r.write.state).length + 200;
    if (step.length > 0 && (step.length >= STEP_DOCS_MAX || bytes + size > STEP_BYTES_MAX)) {
      out.push(step);
      step = [];
      bytes = 0;
    }
    step.push(r);
    bytes += size;
  }
  if (step.length > 0) out.push(step);
  return out;
}
