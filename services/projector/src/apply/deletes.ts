import type { Collection, Db } from 'mongodb';
import type { ReadModelDoc } from '../readmodels/documents.ts';

/**
 * From this many documents on, a collection's replaced documents are deleted one statement per
 * id (when FerretDB finds an id by index); below it, by one `$in`. Measured on FerretDB 1.24
 * (services/projector/bench/deletes.ts): one statement per id costs ~0.3 ms whatever the size;
 * a `$in` of m ids parses every document and tests each against the list, ~0.1 ms per id at
 * 1,000 documents, ~0.6 ms at 3,000, ~2–3 ms at 10,000, growing with the collection.
 */
export const EACH_DOCS_MIN = 2000;
/** How long a collection's size and index use are trusted before they are looked up again. */
const RECHECK_MS = 30_000;

export type DeleteStrategy = 'each' | 'in';

export interface IdDeletesOptions {
  eachDocsMin?: number;
  recheckMs?: number;
  now?: () => number;
}

interface Known {
  strategy: DeleteStrategy;
  until: number;
}

/**
 * FerretDB: deletes documents by id, choosing per collection the cheaper of one `$in` and one
 * statement per id (see EACH_DOCS_MIN). One statement per id pays only when FerretDB's lookup
 * by `_id` uses an index: ferretdb-asp rebuilds each collection's `_id` index for that
 * (infra/ferretdb/idindex.go); FerretDB's explain says whether it did, so another FerretDB
 * build keeps `$in`. Either way the same documents are deleted, in one command.
 */
export class IdDeletes {
  readonly #db: Db;
  readonly #o: Required<IdDeletesOptions>;
  readonly #known = new Map<string, Known>();

  constructor(db: Db, o: IdDeletesOptions = {}) {
    this.#db = db;
    this.#o = { eachDocsMin: EACH_DOCS_MIN, recheckMs: RECHECK_MS, now: Date.now, ...o };
  }

  async delete(coll: Collection<ReadModelDoc>, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    if ((await this.strategy(coll.collectionName)) === 'each') {
      await coll.bulkWrite(
        ids.map((_id) => ({ deleteOne: { filter: { _id } } })),
        { ordered: false },
      );
    } else {
      await coll.deleteMany({ _id: { $in: [...ids] } });
    }
  }

  /** How this collection's deletes go now; looked up again after `recheckMs`. */
  async strategy(name: string): Promise<DeleteStrategy> {
    const now = this.#o.now();
    const known = this.#known.get(name);
    if (known && known.until > now) return known.strategy;
    const each = (await this.#count(name)) >= this.#o.eachDocsMin && (await this.#indexedById(name));
    const strategy = each ? 'each' : 'in';
    // Bounded: one entry per collection the projector writes (its read models, a rebuild's).
    this.#known.set(name, { strategy, until: now + this.#o.recheckMs });
    return strategy;
  }

  async #count(name: string): Promise<number> {
    const stats = await this.#db.command({ collStats: name });
    return typeof stats.count === 'number' ? stats.count : 0;
  }

  /**
   * FerretDB's explain of a lookup by `_id` holds SQLite's plan: SEARCH … USING INDEX, or SCAN.
   * Only a yes is proof: SQLite plans an EXPLAIN with the schema its connection last loaded, and
   * a pooled connection that ran nothing since the index was rebuilt still says SCAN. So a real
   * lookup goes first (it reloads its connection's schema), a few times over FerretDB's pool; a
   * no is looked at again after `recheckMs`.
   */
  async #indexedById(name: string): Promise<boolean> {
    for (let i = 0; i < EXPLAIN_TRIES; i++) {
      await this.#db.collection<ReadModelDoc>(name).findOne({ _id: PROBE_ID });
      const plan = await this.#db.command({ explain: { find: name, filter: { _id: PROBE_ID } } });
      if (/USING (COVERING )?INDEX/.test(JSON.stringify(plan))) return true;
    }
    return false;
  }
}

/** Explains per look at a collection: enough to reach a refreshed connection of FerretDB's pool. */
const EXPLAIN_TRIES = 4;
/** An id no document has (ids are the domain's; they never start with a NUL). */
const PROBE_ID = '\u0000asp-probe';

const perDb = new WeakMap<Db, IdDeletes>();

/** One IdDeletes per database handle, so what it learnt serves every batch. */
export function idDeletesOf(db: Db): IdDeletes {
  let d = perDb.get(db);
  if (!d) {
    d = new IdDeletes(db);
    perDb.set(db, d);
  }
  return d;
}
