import type { Collection } from 'mongodb';
import { type ReadModelDoc, toDocument } from '../readmodels/documents.ts';
import { isTransientMongoError } from '../retry.ts';
import type { DocWrite } from './plan.ts';

export interface WriteOutcome {
  written: DocWrite[];
  /** Writes that found the document at another version than they expected (nothing was written). */
  conflicts: DocWrite[];
}

/** Adds one collection's outcome to the batch's. */
export function addOutcome(out: WriteOutcome, r: WriteOutcome): void {
  out.written.push(...r.written);
  out.conflicts.push(...r.conflicts);
}

/** Documents per `insert` or `update` command. */
export const COMMAND_DOCS_MAX = 1000;
const DUPLICATE_KEY = 11000;

export const docOf = (w: DocWrite): ReadModelDoc => toDocument(w.key, w.state, w);

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Inserts new documents, many per command. When a command fails, each
 * document is inserted alone to learn which exist already (conflicts): a
 * failed insert never hides the ones after it, and nothing is skipped
 * (errors other than a duplicate key are thrown, and the batch retried).
 */
export async function insertAll(
  coll: Collection<ReadModelDoc>,
  writes: DocWrite[],
  /** The writes' documents, when made already (`docOf` of each, in order). */
  docs: ReadModelDoc[] = writes.map(docOf),
): Promise<WriteOutcome> {
  const out: WriteOutcome = { written: [], conflicts: [] };
  for (let at = 0; at < writes.length; at += COMMAND_DOCS_MAX) {
    const chunk = writes.slice(at, at + COMMAND_DOCS_MAX);
    const chunkDocs = docs.slice(at, at + COMMAND_DOCS_MAX);
    try {
      await coll.insertMany(chunkDocs, { ordered: false });
      out.written.push(...chunk);
      continue;
    } catch (err) {
      if (isTransientMongoError(err)) throw err;
    }
    for (const [i, w] of chunk.entries()) {
      try {
        await coll.insertOne(chunkDocs[i]!);
        out.written.push(w);
      } catch (err) {
        if ((err as { code?: unknown }).code !== DUPLICATE_KEY) throw err;
        out.conflicts.push(w);
      }
    }
  }
  return out;
}
