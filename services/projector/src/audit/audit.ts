import { setTimeout as sleep } from 'node:timers/promises';
import { createEngine, type Engine, keyString, type Versioned } from '@asp/domain';
import type { NatsConnection } from '@nats-io/nats-core';
import type { Db } from 'mongodb';
import { Checkpoints } from '../checkpoint.ts';
import { collectionName } from '../readmodels/collections.ts';
import { fromDocument } from '../readmodels/documents.ts';
import { Comparison } from './compare.ts';
import { appliedSeqOf, fetchState, type StateDump } from './dump.ts';

export interface AuditOptions {
  nc: NatsConnection;
  db: Db;
  partition: string;
  engine?: Engine;
  /** How long to wait for the projector to catch up and for a quiet moment to compare in. */
  waitMs?: number;
  pageSize?: number;
}

export interface AuditReport {
  ok: boolean;
  /** The WAL seq compared at (the sequencer's applied seq). */
  seq: number;
  aggregates: number;
  documents: number;
  /**
   * One line per problem: broken invariants and audits first, then read model differences; the
   * first PROBLEMS_KEPT of them.
   */
  problems: string[];
  /** Problems found, the ones not kept in `problems` too. */
  problemsTotal: number;
}

/** Documents per cursor batch: what the audit holds of the read models at once. */
const DOCS_BATCH = 1000;

/** Differences kept for the report (all are counted): enough to show, bounded if everything differs. */
const PROBLEMS_KEPT = 1000;

/** Calls `see` with each of a partition's documents in every read model, by `type/id` key. */
async function eachDocument(
  db: Db,
  engine: Engine,
  partition: string,
  see: (key: string, doc: Versioned) => void,
): Promise<void> {
  for (const type of engine.domains.flatMap((d) => d.aggregates.map((a) => a.type))) {
    const cursor = db
      .collection<{ _id: string }>(collectionName(type))
      .find({ $or: [{ partition }, { partition: { $exists: false } }] }, { batchSize: DOCS_BATCH });
    for await (const d of cursor) see(keyString(type, d._id), fromDocument(d));
  }
}

/**
 * Proves the read models equal the sequencer's state. Needs a quiet moment:
 * it takes the state, waits (bounded) until the projector's checkpoint is
 * exactly at the state's applied seq, reads the documents, and checks that
 * the sequencer did not commit meanwhile; if it did, it tries again until
 * `waitMs`.
 */
export async function auditReadModels(o: AuditOptions): Promise<AuditReport> {
  const engine = o.engine ?? createEngine();
  const checkpoints = new Checkpoints(o.db);
  const deadline = Date.now() + (o.waitMs ?? 30_000);
  let why = '';
  for (;;) {
    const dump = await fetchState(o.nc, o.partition, { pageSize: o.pageSize });
    const at = dump.consistent
      ? await waitForCheckpoint(checkpoints, o.partition, dump.appliedSeq, deadline)
      : -1;
    if (at === dump.appliedSeq) {
      const comparison = new Comparison(dump.entries, PROBLEMS_KEPT);
      await eachDocument(o.db, engine, o.partition, (key, doc) => comparison.see(key, doc));
      // Nothing committed meanwhile means no newer record existed for the projector to be
      // writing (documents go before the checkpoint, so the checkpoint alone cannot tell).
      const after = await appliedSeqOf(o.nc, o.partition);
      if (after === dump.appliedSeq) return report(engine, dump, comparison);
      why = `the sequencer committed (${dump.appliedSeq} → ${after}) while the documents were read`;
    } else if (at > dump.appliedSeq || !dump.consistent) {
      why = `the sequencer kept committing (at ${dump.appliedSeq}, the projector at ${at})`;
    } else {
      why = `the projector did not catch up: at ${at} of the sequencer's ${dump.appliedSeq}`;
    }
    if (Date.now() > deadline) {
      return {
        ok: false,
        seq: dump.appliedSeq,
        aggregates: dump.entries.size,
        documents: 0,
        problems: [`no quiet moment to compare in: ${why}`],
        problemsTotal: 1,
      };
    }
    await sleep(100);
  }
}

/** The checkpoint's seq once it reached `seq` (or passed it), or where it stood at the deadline. */
async function waitForCheckpoint(
  checkpoints: Checkpoints,
  partition: string,
  seq: number,
  deadline: number,
): Promise<number> {
  for (;;) {
    const at = await checkpoints.seqOf(partition);
    if (at >= seq || Date.now() > deadline) return at;
    await sleep(100);
  }
}

function report(engine: Engine, dump: StateDump, comparison: Comparison): AuditReport {
  const violations = engine.checkAll(dump.entries);
  const problems = violations
    .slice(0, PROBLEMS_KEPT)
    .map((v) => `${v.rule}${v.key ? ` at ${v.key}` : ''}: ${v.message}`);
  for (const d of comparison.finish()) {
    if (problems.length >= PROBLEMS_KEPT) break;
    problems.push(d.message);
  }
  const problemsTotal = violations.length + comparison.total;
  return {
    ok: problemsTotal === 0,
    seq: dump.appliedSeq,
    aggregates: dump.entries.size,
    documents: comparison.documents,
    problems,
    problemsTotal,
  };
}

/** What `asp audit` prints: the verdict last, so a script can `tail -1`. */
export function auditLines(r: AuditReport, shown = 10): string[] {
  if (r.ok) {
    return [
      `${r.aggregates} aggregates, ${r.documents} read model documents, all equal at seq ${r.seq}`,
      'INTEGRITY_OK',
    ];
  }
  const lines = r.problems.slice(0, shown).map((p) => `  ${p}`);
  const more = r.problemsTotal - lines.length;
  if (more > 0) lines.push(`  … and ${more} more`);
  return [
    `INTEGRITY_FAILED: ${r.problemsTotal} difference${r.problemsTotal === 1 ? '' : 's'} at seq ${r.seq}`,
    ...lines,
  ];
}
