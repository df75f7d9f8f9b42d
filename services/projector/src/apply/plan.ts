import { type Engine, keyString, type Versioned } from '@asp/domain';
import type { CommitRecord, EventRecord } from '@asp/protocol';
import { ProjectorError } from '../errors.ts';

/** One event with the record it came in: the document remembers the record's seq and time. */
interface Placed {
  event: EventRecord;
  seq: number;
  ts: number;
}

/** All the events of one document in a batch, in stream order. */
export interface DocEvents {
  key: string;
  type: string;
  id: string;
  partition: string;
  events: Placed[];
}

/** One document to write: from `baseVersion` (0 = it does not exist yet) to `version`. */
export interface DocWrite {
  key: string;
  type: string;
  id: string;
  partition: string;
  baseVersion: number;
  version: number;
  state: unknown;
  seq: number;
  ts: number;
}

/** Groups a batch's events by document, so each document is written once per batch. */
export function coalesce(records: readonly CommitRecord[]): Map<string, DocEvents> {
  const docs = new Map<string, DocEvents>();
  for (const r of records) {
    for (const event of r.events) {
      const key = keyString(event.aggregateType, event.aggregateId);
      let doc = docs.get(key);
      if (doc === undefined) {
        doc = { key, type: event.aggregateType, id: event.aggregateId, partition: r.partition, events: [] };
        docs.set(key, doc);
      }
      doc.events.push({ event, seq: r.seq, ts: r.ts });
    }
  }
  return docs;
}

/**
 * The write that brings one document from `base` (undefined: absent) past
 * its events, or undefined when the document already has them all. Events at
 * or below the document's version were applied before (a redelivery, a
 * replay after a crash) and change nothing; the first new event must be the
 * next version, else events were lost (or the document was edited) and
 * writing would make the document silently wrong.
 */
export function planDoc(engine: Engine, doc: DocEvents, base: Versioned | undefined): DocWrite | undefined {
  const def = engine.aggregate(doc.type);
  if (def === undefined) {
    throw new ProjectorError(
      'ASP_ERR_PROJECTOR_UNKNOWN_AGGREGATE',
      `${doc.key}: no registered domain defines aggregate type "${doc.type}"`,
    );
  }
  const baseVersion = base?.version ?? 0;
  let version = baseVersion;
  let state = base === undefined ? def.initial(doc.id) : base.state;
  let last: Placed | undefined;
  for (const placed of doc.events) {
    const e = placed.event;
    if (e.version <= version) continue;
    if (e.version !== version + 1) {
      throw new ProjectorError(
        'ASP_ERR_PROJECTOR_VERSION_GAP',
        `${doc.key} is at version ${version} but event ${e.type} of command ${e.commandId} (record ${placed.seq}) ` +
          `has version ${e.version}: events are missing or the document was changed by hand; rebuild the read models`,
      );
    }
    state = def.evolve(state, e);
    version = e.version;
    last = placed;
  }
  if (last === undefined) return undefined;
  const { key, type, id, partition } = doc;
  return { key, type, id, partition, baseVersion, version, state, seq: last.seq, ts: last.ts };
}
