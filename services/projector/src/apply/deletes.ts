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
/**
 * Ids per `$in` statement when FerretDB finds a `$in` by the index (ferretdb-asp's patch,
 * infra/ferretdb/patches): each document found is still tested against the whole list, so the
 * list is kept short; far below the patch's own bound of 1,000. Measured (bench/deletes.ts,
 * 3,000 of 15,000 documents): 0.036–0.038 ms of FerretDB CPU per document, against 0.103 for
 * one statement per id and 0.42 for one scanning `$in`.
 */
export const ID_CHUNK = 200;
/** How long a collection's size and its index use are trusted before they are looked up again. */
const RECHECK_MS = 30_000;
/**
 * How long "no index yet" is trusted. ferretdb-asp creates each collection with its `_id` index
 * on the column its lookups filter on (infra/ferretdb/patches/sqlite-id-column.patch); an older
 * build rebuilt the index within a second of the collection's creation, and trusting its first
 * "no" for RECHECK_MS made a whole `single` run delete by `$in`, scanning 15,000 documents per
 * batch. Another FerretDB may never index: then a second's delay costs nothing.
 */
const UNINDEXED_RECHECK_MS = 1000;

/**
 * 'in': one `$in` (FerretDB scans the collection unless it finds `$in` by the index);
 * 'each': one statement per id; 'chunks': statements of `$in` of ID_CHUNK ids, found by the index.
 */
export type DeleteStrategy = 'each' | 'in' | 'chunks';

/** What FerretDB's lookups by `_id` use: nothing, the index for one id, or also for a `$in`. */
type IdIndexUse = 'none' | 'id' | 'in';

export interface DeleteCosts {
  inPerDoc: number;
  inPerDocId: number;
  eachPerId: number;
}

/** The cheaper way to delete `ids` ids from `docs` documents when lookups by `_id` use an index. */
export function cheaperDelete(docs: number, ids: number, c: DeleteCosts = DELETE_COSTS): 'each' | 'in' {
  return c.eachPerId * ids < docs * (c.inPerDoc + c.inPerDocId * ids) ? 'each' : 'in';
}

export interface IdDeletesOptions {
  costs?: DeleteCosts;
  /**
   * One way always (benchmarks, tests); 'each' still only where lookups by `_id` use an index.
   * Unforced, a collection whose `$in` uses the index always gets 'chunks'.
   */
  force?: 'each' | 'in' | undefined;
  /**
   * false: choose as if no `$in` were found by the index (to compare in benchmarks, and to test
   * the cost model on a FerretDB with the patch).
   */
  inByIndex?: boolean;
  recheckMs?: number;
  unindexedRecheckMs?: number;
  now?: () => number;
}

interface Known {
  docs: number;
  index: IdIndexUse;
  until: number;
}

/**
 * FerretDB: deletes documents by id, in one command, the cheapest way the server allows, as its
 * explain shows (see DeleteStrategy): `$in` chunks where a `$in` is found by the index
 * (ferretdb-asp's patch), else the cheaper of one `$in` and one statement per id for the
 * collection's size and the number of ids (see DELETE_COSTS) where one `_id` is found by the
 * index (ferretdb-asp keeps `_id` in an indexed column for that,
 * infra/ferretdb/patches/sqlite-id-column.patch), else one `$in`. Every way deletes the same documents.
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
      inByIndex: true,
      now: Date.now,
      ...o,
    };
  }

  async delete(coll: Collection<ReadModelDoc>, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const how = await this.strategy(coll.collectionName, ids.length);
    if (how === 'in') {
      await coll.deleteMany({ _id: { $in: [...ids] } });
      return;
    }
    const filters: { _id: string | { $in: string[] } }[] = [];
    if (how === 'each') for (const _id of ids) filters.push({ _id });
    else
      for (let i = 0; i < ids.length; i += ID_CHUNK)
        filters.push({ _id: { $in: ids.slice(i, i + ID_CHUNK) } });
    await coll.bulkWrite(
      filters.map((filter) => ({ deleteMany: { filter } })),
      { ordered: false },
    );
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
      const index = await this.#indexUse(name);
      const until = now + (index === 'none' ? this.#o.unindexedRecheckMs : this.#o.recheckMs);
      known = { docs, index, until };
      // Bounded: one entry per collection the projector writes (its read models, a rebuild's).
      this.#known.set(name, known);
    }
    if (known.index === 'none') return 'in';
    if (this.#o.force === 'each') return 'each';
    if (known.index === 'in' && this.#o.inByIndex) return 'chunks';
    return cheaperDelete(known.docs, ids, this.#o.costs);
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
   * no is looked at again after `unindexedRecheckMs`. A `$in` by the index needs ferretdb-asp's
   * patch as well; a FerretDB without it scans for a `$in`, whatever the index.
   */
  async #indexUse(name: string): Promise<IdIndexUse> {
    const byIndex = async (filter: object) =>
      /USING (COVERING )?INDEX/.test(
        JSON.stringify(await this.#db.command({ explain: { find: name, filter } })),
      );
    let use: IdIndexUse = 'none';
    for (let i = 0; i < EXPLAIN_TRIES && use !== 'in'; i++) {
      await this.#db.collection<ReadModelDoc>(name).findOne({ _id: PROBE_ID });
      if (use === 'none' && (await byIndex({ _id: PROBE_ID }))) use = 'id';
      if (use === 'id' && (await byIndex({ _id: { $in: PROBE_IDS } }))) use = 'in';
    }
    return use;
  }
}

/** Explains per look at a collection: enough to reach a refreshed connection of FerretDB's pool. */
const EXPLAIN_TRIES = 4;
/** An id no document has (ids are the domain's; they never start with a NUL). */
const PROBE_ID = '\u0000asp-probe';
const PROBE_IDS = [PROBE_ID, '\u0000asp-probe-2'];

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
