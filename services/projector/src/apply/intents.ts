import { Binary, BSON, type Collection, type Db } from 'mongodb';
import { ProjectorError } from '../errors.ts';
import { META_COLLECTION } from '../readmodels/collections.ts';
import type { ReadModelDoc } from '../readmodels/documents.ts';
import { isTransientMongoError } from '../retry.ts';
import { idDeletesOf } from './deletes.ts';

/** The documents of one collection that a step deletes and inserts again. */
export interface IntentGroup {
  collection: string;
  deleteIds: string[];
  docs: ReadModelDoc[];
}

/**
 * The redo log entry. Its documents are one BSON blob (a sequence of
 * `{ c, ids, docs }` documents, one per collection): to FerretDB a blob is
 * one string to encode, where thousands of nested documents each cost a
 * conversion on the way in and another on the way out (the delete that ends
 * the step reads the entry back). Entries of earlier projectors (one
 * collection, `deleteIds` and `docs` as fields) are still redone.
 */
interface IntentDoc {
  _id: string;
  /** The checkpoint epoch it was written in: a rebuild swap since makes it void. */
  epoch: number;
  groups?: Binary;
  collection?: string;
  deleteIds?: string[];
  docs?: ReadModelDoc[];
}

const DUPLICATE_KEY = 11000;
/** Documents per insert command of a redo. */
const REDO_INSERT_DOCS_MAX = 1000;

/**
 * A one-entry redo log per partition, in the projector's meta collection,
 * for FerretDB's delete-then-insert (see reinsert.ts): the step is recorded
 * before it runs and removed after; a step found at start (or after a failed
 * attempt, see `resume`) is run again. Running it again is harmless: it
 * deletes and inserts the same documents.
 */
export class Intents {
  readonly #c: Collection<IntentDoc>;
  readonly #id: string;
  readonly #epoch: number;
  /** A step began and was not seen to end: the entry may be in the database. */
  #open = false;

  constructor(db: Db, partition: string, epoch: number) {
    this.#c = db.collection<IntentDoc>(META_COLLECTION);
    this.#id = `intent:${partition}`;
    this.#epoch = epoch;
  }

  /** Records a step of one collection (see beginStep). */
  async begin(collection: string, deleteIds: string[], docs: ReadModelDoc[]): Promise<void> {
    await this.beginStep([{ collection, deleteIds, docs }]);
  }

  /**
   * Records a step before it runs. An insert, not a replace: an entry still
   * there is a step nobody redid (a second writer?), which must not be lost.
   */
  async beginStep(groups: readonly IntentGroup[]): Promise<void> {
    const doc: IntentDoc = { _id: this.#id, epoch: this.#epoch, groups: new Binary(encodeGroups(groups)) };
    this.#open = true;
    try {
      await this.#c.insertOne(doc);
    } catch (err) {
      if ((err as { code?: unknown }).code !== DUPLICATE_KEY) throw err;
      throw new ProjectorError(
        'ASP_ERR_PROJECTOR_CONFLICT',
        `${this.#id}: an unfinished write step is in the way (is a second projector writing this partition?)`,
        { cause: err },
      );
    }
  }

  async end(): Promise<void> {
    await this.#remove();
    this.#open = false;
  }

  /**
   * Deletes the entry by `{ _id: { $in } }`, not `deleteOne({ _id })`: ferretdb-asp deletes
   * such a filter by the ids alone (delete-by-id-in.patch), where a `deleteOne` first reads the
   * entry back and decodes its blob (a whole step's documents, up to 4 MB). In a perf profile
   * of `single`'s writes FerretDB's deletes fell from 8.1% of its samples to 1.7%
   * (infra/ferretdb/patches/README.md, delete-by-id-in.patch). The `_id` is unique: the same
   * entry is deleted either way.
   */
  async #remove(): Promise<void> {
    await this.#c.deleteMany({ _id: { $in: [this.#id] } });
  }

  /**
   * After a failed attempt (FerretDB restarting, a lost connection) the step
   * may be half done: documents deleted and not inserted again. It is redone
   * before the batch is tried again, so the retry reads every document back.
   */
  async resume(db: Db): Promise<void> {
    if (this.#open) await this.redo(db);
  }

  /** Runs again a step a crash interrupted; true when there was one. */
  async redo(db: Db): Promise<boolean> {
    const intent = await this.#c.findOne({ _id: this.#id });
    if (intent && intent.epoch === this.#epoch) {
      for (const g of groupsOf(intent)) await redoGroup(db, db.collection<ReadModelDoc>(g.collection), g);
    }
    if (intent) await this.#remove();
    this.#open = false;
    return intent !== null;
  }
}

async function redoGroup(db: Db, coll: Collection<ReadModelDoc>, g: IntentGroup): Promise<void> {
  await idDeletesOf(db).delete(coll, g.deleteIds);
  for (let i = 0; i < g.docs.length; i += REDO_INSERT_DOCS_MAX) {
    const chunk = g.docs.slice(i, i + REDO_INSERT_DOCS_MAX);
    try {
      await coll.insertMany(chunk, { ordered: false });
      continue;
    } catch (err) {
      if (isTransientMongoError(err)) throw err;
      // Learn which failed, one by one, below.
    }
    for (const d of chunk) {
      await coll.insertOne(d).catch((err: unknown) => {
        // A document the step inserted before the crash (or one it found existing).
        if ((err as { code?: unknown }).code !== DUPLICATE_KEY) throw err;
      });
    }
  }
}

function encodeGroups(groups: readonly IntentGroup[]): Buffer {
  return Buffer.concat(
    groups.map((g) => BSON.serialize({ c: g.collection, ids: g.deleteIds, docs: g.docs })),
  );
}

function groupsOf(intent: IntentDoc): IntentGroup[] {
  if (intent.groups === undefined) {
    return [
      { collection: intent.collection ?? '', deleteIds: intent.deleteIds ?? [], docs: intent.docs ?? [] },
    ];
  }
  const bytes = intent.groups.buffer.subarray(0, intent.groups.position);
  const out: IntentGroup[] = [];
  for (let at = 0; at < bytes.length; ) {
    const size = new DataView(bytes.buffer, bytes.byteOffset + at, 4).getInt32(0, true);
    const g = BSON.deserialize(bytes.subarray(at, at + size)) as {
      c: string;
      ids: string[];
      docs: ReadModelDoc[];
    };
    out.push({ collection: g.c, deleteIds: g.ids, docs: g.docs });
    at += size;
  }
  return out;
}
