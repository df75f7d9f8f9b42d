import { type Engine, keyString, type Versioned } from '@asp/domain';
import type { CommitRecord } from '@asp/protocol';
import type { Db } from 'mongodb';
import { ProjectorError } from '../errors.ts';
import { collectionName } from '../readmodels/collections.ts';
import { fromDocument } from '../readmodels/documents.ts';
import type { WriteGuard } from '../readmodels/server.ts';
import type { DocCache } from './cache.ts';
import type { Intents } from './intents.ts';
import { coalesce, type DocEvents, type DocWrite, planDoc } from './plan.ts';
import { writeDocs } from './writer.ts';

export interface ApplyStats {
  events: number;
  /** Documents the batch touched. */
  docs: number;
  /** Documents written (each once, however many events it had). */
  written: number;
  /** Documents that already had every event of the batch (a redelivery or a replay). */
  skipped: number;
  /** Version conflicts that needed a fresh read. */
  conflicts: number;
}

export interface ApplierOptions {
  db: Db;
  engine: Engine;
  cache: DocCache;
  /** How writes are guarded on this server (see writeGuardOf). */
  guard: WriteGuard;
  /** FerretDB's redo log (the projector's partition); none for a rebuild's fresh collections. */
  intents?: Intents;
  /** Where an aggregate type's documents go: the read model, or a rebuild's fresh collection. */
  nameOf?: (type: string) => string;
  /** Conflicts resolved by re-reading before the batch fails with ASP_ERR_PROJECTOR_CONFLICT. */
  conflictRoundsMax?: number;
}

/** Ids per `find({ _id: { $in } })`: bounds the size of one query. */
const IN_IDS_MAX = 1000;

/**
 * Applies commit records to the read models: their events are coalesced per
 * document, evolved from the document's current state (the cache, or one
 * read per collection for the misses) and written once each with a version
 * guard. Throws when anything could not be written; the caller retries the
 * same records, which is safe because applying is idempotent.
 */
export class Applier {
  readonly #o: Required<Omit<ApplierOptions, 'intents'>> & Pick<ApplierOptions, 'intents'>;

  constructor(o: ApplierOptions) {
    this.#o = { nameOf: collectionName, conflictRoundsMax: 3, ...o };
  }

  async apply(records: readonly CommitRecord[]): Promise<ApplyStats> {
    const docs = coalesce(records);
    const stats: ApplyStats = { events: 0, docs: docs.size, written: 0, skipped: 0, conflicts: 0 };
    for (const r of records) stats.events += r.events.length;
    let pending = [...docs.values()];
    try {
      // A step an earlier attempt left half done is finished first, so every document reads back.
      await this.#o.intents?.resume(this.#o.db);
      for (let round = 0; pending.length > 0; round++) {
        const bases = await this.#bases(pending, round === 0);
        const writes: DocWrite[] = [];
        for (const doc of pending) {
          const w = planDoc(this.#o.engine, doc, bases.get(doc.key));
          if (w) writes.push(w);
          else stats.skipped++;
        }
        const out = await writeDocs(this.#o, writes);
        for (const w of out.written) this.#o.cache.set(w.key, { version: w.version, state: w.state });
        stats.written += out.written.length;
        if (out.conflicts.length === 0) break;
        stats.conflicts += out.conflicts.length;
        if (round + 1 >= this.#o.conflictRoundsMax) {
          const keys = out.conflicts.slice(0, 5).map((c) => c.key);
          throw new ProjectorError(
            'ASP_ERR_PROJECTOR_CONFLICT',
            `documents kept changing under the projector (${keys.join(', ')}): is a second projector writing this partition?`,
          );
        }
        // The document is not what the cache said: read it again and redo it from there.
        for (const c of out.conflicts) this.#o.cache.delete(c.key);
        pending = out.conflicts.map((c) => docs.get(c.key)!);
      }
    } catch (err) {
      // What was written is unknown: the next attempt reads these documents again.
      for (const key of docs.keys()) this.#o.cache.delete(key);
      throw err;
    }
    return stats;
  }

  /**
   * Each document's current version and state: from the cache, else from
   * MongoDB (absent: undefined). A document whose first event here is its
   * version 1 is new: it is not read (on FerretDB every read scans the
   * collection, and most misses are new documents). If it exists after all
   * (a replay), its insert fails and the next round (`guess` off) reads it.
   */
  async #bases(pending: readonly DocEvents[], guess: boolean): Promise<Map<string, Versioned>> {
    const bases = new Map<string, Versioned>();
    const misses = new Map<string, { type: string; ids: string[]; partitions: Map<string, string> }>();
    for (const doc of pending) {
      const hit = this.#o.cache.get(doc.key);
      if (hit) {
        bases.set(doc.key, hit);
        continue;
      }
      if (guess && doc.events[0]?.event.version === 1) continue;
      const name = this.#o.nameOf(doc.type);
      const m = misses.get(name) ?? { type: doc.type, ids: [], partitions: new Map<string, string>() };
      m.ids.push(doc.id);
      m.partitions.set(doc.id, doc.partition);
      misses.set(name, m);
    }
    if (this.#o.cache.complete) return bases;
    const reads: Promise<void>[] = [];
    for (const [name, { type, ids, partitions }] of misses) {
      for (let i = 0; i < ids.length; i += IN_IDS_MAX) {
        const chunk = ids.slice(i, i + IN_IDS_MAX);
        reads.push(this.#read(name, type, chunk, partitions, bases));
      }
    }
    await Promise.all(reads);
    return bases;
  }

  async #read(
    name: string,
    type: string,
    ids: string[],
    partitions: Map<string, string>,
    into: Map<string, Versioned>,
  ): Promise<void> {
    const found = await this.#o.db
      .collection<{ _id: string }>(name)
      .find({ _id: { $in: ids } })
      .toArray();
    for (const d of found) {
      const { version, state, partition } = fromDocument(d);
      const key = keyString(type, d._id);
      if (partition !== undefined && partition !== partitions.get(d._id)) {
        // Each aggregate belongs to one partition: the same id from two partitions would
        // make two writers of one document.
        throw new ProjectorError(
          'ASP_ERR_PROJECTOR_CONFLICT',
          `${key} is partition ${partition}'s, but partition ${partitions.get(d._id)} has events for it: ` +
            'aggregate ids must be unique across partitions',
        );
      }
      into.set(key, { version, state });
      this.#o.cache.set(key, { version, state });
    }
  }
}
