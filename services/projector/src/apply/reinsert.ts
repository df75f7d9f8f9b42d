import type { Collection } from 'mongodb';
import type { ReadModelDoc } from '../readmodels/documents.ts';
import { docOf, insertAll, type WriteOutcome } from './inserts.ts';
import type { Intents } from './intents.ts';
import type { DocWrite } from './plan.ts';

/** Documents per delete-then-insert step (and so per intent document, which must stay well under 16 MB). */
const STEP_DOCS_MAX = 500;
const STEP_BYTES_MAX = 4 * 1024 * 1024;

/**
 * FerretDB: existing documents are replaced by deleting them all and
 * inserting their new versions, per collection and step. FerretDB 1.24
 * (SQLite) finds a document by scanning and parsing the whole collection for
 * every single update, so a batch of n updates costs n scans; this costs
 * two. Each step is first written to the partition's intent document, so a
 * crash between the delete and the insert is redone at restart instead of
 * leaving documents missing. Readers may miss a document for the
 * milliseconds between the two (on MongoDB documents are replaced in place).
 * The version guard here is the projector's own: it writes only from the
 * version it read or wrote, one writer per document.
 */
export async function writeReinserting(
  coll: Collection<ReadModelDoc>,
  writes: DocWrite[],
  intents: Intents | undefined,
): Promise<WriteOutcome> {
  const out: WriteOutcome = { written: [], conflicts: [] };
  for (const step of steps(writes)) {
    // Only documents known to exist are deleted: a document believed new that exists
    // after all is a conflict (its insert fails), never silently replaced.
    const replaced = step.filter((w) => w.baseVersion > 0).map((w) => w.id);
    await intents?.begin(coll.collectionName, replaced, step.map(docOf));
    if (replaced.length > 0) await coll.deleteMany({ _id: { $in: replaced } });
    const r = await insertAll(coll, step);
    await intents?.end();
    out.written.push(...r.written);
    out.conflicts.push(...r.conflicts);
  }
  return out;
}

function steps(writes: DocWrite[]): DocWrite[][] {
  const out: DocWrite[][] = [];
  let step: DocWrite[] = [];
  let bytes = 0;
  for (const w of writes) {
    const size = JSON.stringify(w.state).length + 200;
    if (step.length > 0 && (step.length >= STEP_DOCS_MAX || bytes + size > STEP_BYTES_MAX)) {
      out.push(step);
      step = [];
      bytes = 0;
    }
    step.push(w);
    bytes += size;
  }
  if (step.length > 0) out.push(step);
  return out;
}
