import type { Collection, Db } from 'mongodb';
import { META_COLLECTION } from '../readmodels/collections.ts';
import type { ReadModelDoc } from '../readmodels/documents.ts';

interface IntentDoc {
  _id: string;
  /** The checkpoint epoch it was written in: a rebuild swap since makes it void. */
  epoch: number;
  collection: string;
  deleteIds: string[];
  docs: ReadModelDoc[];
}

const DUPLICATE_KEY = 11000;

/**
 * A one-entry redo log per partition, in the projector's meta collection,
 * for FerretDB's delete-then-insert (see reinsert.ts): the step is recorded
 * before it runs and removed after; a step found at start is run again.
 * Running it again is harmless: it deletes and inserts the same documents.
 */
export class Intents {
  readonly #c: Collection<IntentDoc>;
  readonly #id: string;
  readonly #epoch: number;

  constructor(db: Db, partition: string, epoch: number) {
    this.#c = db.collection<IntentDoc>(META_COLLECTION);
    this.#id = `intent:${partition}`;
    this.#epoch = epoch;
  }

  async begin(collection: string, deleteIds: string[], docs: ReadModelDoc[]): Promise<void> {
    const doc: IntentDoc = { _id: this.#id, epoch: this.#epoch, collection, deleteIds, docs };
    await this.#c.replaceOne({ _id: this.#id }, doc, { upsert: true });
  }

  async end(): Promise<void> {
    await this.#c.deleteOne({ _id: this.#id });
  }

  /** Runs again a step a crash interrupted; true when there was one. */
  async redo(db: Db): Promise<boolean> {
    const intent = await this.#c.findOne({ _id: this.#id });
    if (!intent) return false;
    if (intent.epoch === this.#epoch) {
      const coll = db.collection<ReadModelDoc>(intent.collection);
      if (intent.deleteIds.length > 0) await coll.deleteMany({ _id: { $in: intent.deleteIds } });
      for (const d of intent.docs) {
        await coll.insertOne(d).catch((err: unknown) => {
          // A document the step inserted before the crash (or one it found existing).
          if ((err as { code?: unknown }).code !== DUPLICATE_KEY) throw err;
        });
      }
    }
    await this.#c.deleteOne({ _id: this.#id });
    return true;
  }
}
