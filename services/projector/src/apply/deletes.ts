import type { Collection, Db } from 'mongodb';
import type { ReadModelDoc } from '../readmodels/documents.ts';

/**
 * FerretDB's CPU for a delete, in ms, measured on FerretDB 1.24 with the rebuilt `_id` index
 * (services/projector/bench/deletes.ts, 2026-11-22, collections of 300 to 10,000 documents and
 * 30 to 1,000 ids): a `$in` of m ids parses every one of the collection's n documents and tests
 * it against the list, ≈ n × (0.0214 + 0.0000186 × m); one statement per id, found by the
 * index, ≈ 0.11 × m whatever the size. So one statement per id wins from ~150 documents for 30
 * ids, ~470 for 100, ~1,200 for 300, ~2,700 for 1,000. Only the ratios matter.
 */
export const DELETE_COSTS: DeleteCosts = { inPerDoc: 0.0214, inPerDocId: 0.0000186, eachPerId: 0.11 };
/** How long a collection's size and its index use are trusted before they are looked up again. */
const RECHECK_MS = 30_000;
/**
 * How long "no index yet" is trusted. ferretdb-asp rebuilds the `_id` index of a new collection
 * within a second (infra/ferretdb/idindex.go), and the projector's first replacements come
 * right after its first inserts made the collection: trusting that "no" for RECHECK_MS made a
 * whole `single` run delete by `$in`, scanning 15,000 documents per batch.
 */
const UNINDEXED_RECHECK_MS = 1000;

export type DeleteStrategy = 'each' | 'in';

export interface DeleteCosts {
  inPerDoc: number;
  inPerDocId: number;
  eachPerId: number;
}

/** The cheaper way to delete `ids` ids from `docs` documents when lookups by `_id` use an index. */
export function cheaperDelete(docs: number, ids: number, c: DeleteCosts = DELETE_COSTS): DeleteStrategy {
  return c.eachPerId * ids < docs * (c.inPerDoc + c.inPerDocId * ids) ? 'each' : 'in';
}

export interface IdDeletesOptions {
  costs?: DeleteCosts;
  /** One way always (benchmarks, tests); 'each' still only where lookups by `_id` use an index. */
  force?: DeleteStrategy | undefined;
  recheckMs?: number;
  unindexedRecheckMs?: number;
  now?: () => number;
}

interface Known {
  docs: number;
  indexed: boolean;
  until: number;
}

/**
 * FerretDB: deletes documents by id, choosing per call the cheaper of one `$in` and one
 * statement per id for the collection's size and the number of ids (see DELETE_COSTS). One
 * statement per id pays only when FerretDB's lookup by `_id` uses an index: ferretdb-asp
 * rebuilds each collection's `_id` index for that (infra/ferretdb/idindex.go); FerretDB's
 * explain says whether it did, so another FerretDB build keeps `$in`. Either way the same
 * documents are deleted, in one command.
 */
export class IdDeletes {
  readonly #db: Db;
  readonly #o: Required<Omit<IdDeletesOptions, 'force'>> & Pick<IdDeletesOptions, 'force'>;
  readonly #known = new Map<string, Known>();

  constructor(db: Db, o: IdDeletesOptions = {}) {
    this.#db = db;
    this.#o = {
      costs: DELETE_COSTS,
      recheckMs: RECHECK_MS,
      unindexedRecheckMs: UNINDEXED_RECHECK_MS,
      now: Date.now,
      ...o,
    };
  }

  async delete(coll: Collection<ReadModelDoc>, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    if ((await this.strategy(coll.collectionName, ids.length)) === 'each') {
      await coll.bulkWrite(
        ids.map((_id) => ({ deleteOne: { filter: { _id } } })),
        { ordered: false },
      );
    } else {
      await coll.deleteMany({ _id: { $in: [...ids] } });
    }
  }

  /**
   * How deleting `ids` ids from this collection goes now. Its size and index use are looked
   * up again after `recheckMs`, or `unindexedRecheckMs` while its lookups by `_id` scan.
   */
  async strategy(name: string, ids: number): Promise<DeleteStrategy> {
    if (this.#o.force === 'in') return 'in';
    const now = this.#o.now();
    let known = this.#known.get(name);
    if (!known || known.until <= now) {
      const docs = await this.#count(name);
      const indexed = await this.#indexedById(name);
      known = { docs, indexed, until: now + (indexed ? this.#o.recheckMs : this.#o.unindexedRecheckMs) };
      // Bounded: one entry per collection the projector writes (its read models, a rebuild's).
      this.#known.set(name, known);
    }
    if (!known.indexed) return 'in';
    return this.#o.force ?? cheaperDelete(known.docs, ids, this.#o.costs);
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
