import type { Db, IndexDirection } from 'mongodb';
import type { WriteGuard } from './server.ts';

/** The projector's own documents: checkpoints per partition and the rebuild lock. */
export const META_COLLECTION = 'asp_projector';

/** One read model collection per aggregate type: the type's name in the plural (`org` → `orgs`). */
export function collectionName(aggregateType: string): string {
  return `${aggregateType}s`;
}

export interface IndexDef {
  name: string;
  key: Record<string, IndexDirection>;
}

/**
 * On MongoDB every collection gets `partition_1_seq_1`: the audit lists a
 * partition's documents with it, and readers can follow changes (`seq > n`).
 * The others serve the queries docs/read-models.md shows.
 */
const common: IndexDef[] = [{ name: 'partition_1_seq_1', key: { partition: 1, seq: 1 } }];

const byType: Record<string, IndexDef[]> = {
  team: [{ name: 'orgId_1', key: { orgId: 1 } }],
  account: [{ name: 'ledger_1', key: { ledger: 1 } }],
  transfer: [
    { name: 'debitAccountId_1', key: { debitAccountId: 1 } },
    { name: 'creditAccountId_1', key: { creditAccountId: 1 } },
    { name: 'status_1', key: { status: 1 } },
  ],
  reservation: [{ name: 'skuId_1_status_1', key: { skuId: 1, status: 1 } }],
};

/**
 * The secondary indexes of an aggregate type's collection on this kind of
 * server: none on FerretDB. FerretDB 1.24's SQLite backend answers every
 * query by scanning the table (it pushes down only `{ _id: <string> }`, to
 * the `_id` index alone, and only once ferretdb-asp rebuilt that index on the
 * expression the lookup uses; its explain says `SCAN` for all the others), yet SQLite updates
 * every index on each insert and delete, extracting each key from the
 * document's JSON: pure cost, about a third of FerretDB's CPU under the
 * projector's writes.
 */
export function indexesOf(aggregateType: string, guard: WriteGuard = 'atomic'): IndexDef[] {
  if (guard === 'id-only') return [];
  return [...common, ...(byType[aggregateType] ?? [])];
}

/** Every index name this module ever creates, whatever the server. */
const ownIndexNames = (type: string): string[] => indexesOf(type).map((i) => i.name);

/**
 * Creates the collections of these aggregate types (the ones without
 * documents yet too, so users find every read model) and their indexes for
 * this server (see indexesOf). On FerretDB the indexes earlier versions
 * created are dropped (only those, by name: an index a user made is theirs).
 * Idempotent; `nameOf` lets a rebuild create its fresh collections.
 */
export async function ensureReadModels(
  db: Db,
  aggregateTypes: Iterable<string>,
  guard: WriteGuard,
  nameOf: (type: string) => string = collectionName,
): Promise<void> {
  const existing = new Set((await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name));
  for (const type of aggregateTypes) {
    const name = nameOf(type);
    if (!existing.has(name)) await db.createCollection(name).catch(ignoreExists);
    const coll = db.collection(name);
    const have = new Set((await coll.listIndexes().toArray()).map((i) => String(i.name)));
    const wanted = indexesOf(type, guard);
    // One at a time and only the missing (or unwanted) ones: FerretDB 1.24 drops the
    // connection (a panic) on a createIndexes naming several indexes that already exist.
    for (const i of wanted) {
      if (!have.has(i.name)) await coll.createIndex(i.key, { name: i.name });
    }
    for (const n of ownIndexNames(type)) {
      if (have.has(n) && !wanted.some((i) => i.name === n)) await coll.dropIndex(n).catch(ignoreIndexGone);
    }
  }
  if (!existing.has(META_COLLECTION)) await db.createCollection(META_COLLECTION).catch(ignoreExists);
}

/** Two starts racing to drop an index: the loser's "index not found" (27) is fine. */
function ignoreIndexGone(err: unknown): void {
  if ((err as { code?: unknown }).code !== 27) throw err;
}

/** Two starts racing to create a collection: the loser's "already exists" (48) is fine. */
function ignoreExists(err: unknown): void {
  if ((err as { code?: unknown }).code !== 48) throw err;
}
