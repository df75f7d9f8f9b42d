import { randomBytes } from 'node:crypto';
import { createEngine, type Engine } from '@asp/domain';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import type { Db } from 'mongodb';
import { Applier } from '../apply/applier.ts';
import { DocCache } from '../apply/cache.ts';
import { Checkpoints } from '../checkpoint.ts';
import { ProjectorError } from '../errors.ts';
import { collectionName, ensureReadModels } from '../readmodels/collections.ts';
import { writeGuardOf } from '../readmodels/server.ts';
import { fenceAndHold, type HoldLimits, releaseAll } from './fence.ts';
import { acquireRebuildLock, releaseRebuildLock, renewRebuildLock } from './lock.ts';
import { lastSeqs, Replayer } from './replayer.ts';
import { dropLeftovers, swapCollection } from './swap.ts';

export interface RebuildOptions extends Partial<HoldLimits> {
  nc: NatsConnection;
  db: Db;
  engine?: Engine;
  /** The partitions whose read models live in `db`; default: those with a checkpoint there. */
  partitions?: readonly string[];
  say?: (line: string) => void;
  /** Documents the rebuild keeps in memory (misses are read back from MongoDB). */
  cacheDocsMax?: number;
  /** Fails when the stream gives no record for this long while records are still due. */
  idleMs?: number;
}

export interface RebuildReport {
  id: string;
  /** Each partition's WAL seq the swapped-in read models stand at. */
  seqs: Record<string, number>;
  records: number;
  docs: Record<string, number>;
  elapsedMs: number;
}

/**
 * Rebuilds every read model from ASP_EVENTS into fresh collections while the
 * sequencer and the projector keep running, then swaps them in:
 *
 * 1. replay every record of the partitions into `<collection>_rebuild_<id>`;
 * 2. fence the partitions' checkpoints and wait until each projector holds
 *    (it stops writing, and acknowledges);
 * 3. replay on until the rebuilt models reach each held projector's
 *    checkpoint, so they hold everything the live ones acknowledged;
 * 4. swap each collection in, move each checkpoint to where the rebuilt
 *    models stand (a new epoch) and lift the fences: the projectors reload
 *    and go on from there.
 *
 * Any failure before the swap leaves the live models untouched; the fences
 * are lifted and the fresh collections dropped.
 */
export async function rebuildReadModels(o: RebuildOptions): Promise<RebuildReport> {
  const started = Date.now();
  const say = o.say ?? (() => {});
  const engine = o.engine ?? createEngine();
  const limits: HoldLimits = {
    leaseMs: o.leaseMs ?? 300_000,
    holdTimeoutMs: o.holdTimeoutMs ?? 60_000,
    aliveStaleMs: o.aliveStaleMs ?? 30_000,
  };
  const id = `r${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const { db } = o;
  const checkpoints = new Checkpoints(db);
  await acquireRebuildLock(db, id, limits.leaseMs);
  const types = engine.domains.flatMap((d) => d.aggregates.map((a) => a.type));
  const rebuiltName = (t: string) => `${collectionName(t)}_rebuild_${id}`;
  let replayer: Replayer | undefined;
  let swapped = false;
  try {
    const partitions = o.partitions ?? (await checkpoints.list()).map((c) => c.partition);
    if (partitions.length === 0)
      throw new ProjectorError('ASP_ERR_PROJECTOR_REBUILD', 'no partition to rebuild');
    const dropped = await dropLeftovers(db, id);
    if (dropped.length > 0) say(`dropped ${dropped.length} collections left by an earlier rebuild`);
    const guard = await writeGuardOf(db);
    await ensureReadModels(db, types, guard, rebuiltName);
    const applier = new Applier({
      db,
      engine,
      cache: new DocCache(o.cacheDocsMax ?? 1_000_000, { complete: true }),
      guard,
      nameOf: rebuiltName,
    });
    const jsm = await jetstreamManager(o.nc);
    replayer = await Replayer.open(o.nc, partitions, applier, {
      recordsMax: 256,
      bytesMax: 16 * 1024 * 1024,
    });
    const idleMs = o.idleMs ?? 10_000;
    say(`rebuild ${id}: replaying ASP_EVENTS for ${partitions.join(', ')}`);
    await replayer.until(await lastSeqs(jsm, partitions), idleMs);
    const reopened = replayer.reopened
      ? ` (the consumer reopened ${replayer.reopened} times after a stall)`
      : '';
    say(`replayed ${replayer.records} records${reopened}; holding the projectors`);
    const held = await fenceAndHold(checkpoints, partitions, id, limits);
    try {
      await replayer.until(held, idleMs);
      await renewAll(db, checkpoints, partitions, id, limits.leaseMs);
      for (const t of types) {
        await swapCollection(db, collectionName(t), rebuiltName(t), `${collectionName(t)}_replaced_${id}`);
      }
      swapped = true;
      await releaseAll(checkpoints, partitions, id, replayer.positions);
    } catch (err) {
      // Without a position the checkpoints stay: every live collection, swapped or not,
      // is at least at them, so the projectors go on correctly from there.
      await releaseAll(checkpoints, partitions, id).catch(() => {});
      throw err;
    }
    const docs: Record<string, number> = {};
    for (const t of types) docs[collectionName(t)] = await db.collection(collectionName(t)).countDocuments();
    const seqs = Object.fromEntries([...replayer.positions].map(([p, pos]) => [p, pos.seq]));
    say(`swapped in ${types.length} read models at ${JSON.stringify(seqs)}`);
    return { id, seqs, records: replayer.records, docs, elapsedMs: Date.now() - started };
  } finally {
    await replayer?.close().catch(() => {});
    if (!swapped) for (const t of types) await db.dropCollection(rebuiltName(t)).catch(() => {});
    await releaseRebuildLock(db, id).catch(() => {});
  }
}

/** Before the swap: every hold must still be this rebuild's, with a full lease ahead. */
async function renewAll(
  db: Db,
  checkpoints: Checkpoints,
  partitions: readonly string[],
  id: string,
  leaseMs: number,
): Promise<void> {
  const until = new Date(Date.now() + leaseMs);
  for (const p of partitions) {
    if (!(await checkpoints.renew(p, id, until))) {
      throw new ProjectorError(
        'ASP_ERR_PROJECTOR_REBUILD',
        `lost the hold on partition ${p} before the swap`,
      );
    }
  }
  if (!(await renewRebuildLock(db, id, leaseMs))) {
    throw new ProjectorError('ASP_ERR_PROJECTOR_REBUILD', 'lost the rebuild lock before the swap');
  }
}
