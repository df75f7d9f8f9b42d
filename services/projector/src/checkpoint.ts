import type { Collection, Db } from 'mongodb';
import { META_COLLECTION } from './readmodels/collections.ts';

/** A rebuild's hold on a partition: while it is set, the partition's projector writes nothing. */
export interface Fence {
  /** The rebuild's id. */
  by: string;
  /** The hold lapses then, so a rebuild that died does not stop the projector forever. */
  until: Date;
  /** Set by the projector once it has stopped writing. */
  heldAt?: Date;
}

/** Where a partition's read models stand, in the same database as the read models. */
export interface CheckpointDoc {
  _id: string;
  partition: string;
  /** WAL sequence of the last commit record applied (0: none). */
  seq: number;
  /** ASP_EVENTS stream sequence of that record, where the consumer resumes. */
  streamSeq: number;
  /** Bumped by every rebuild swap: a projector still on the old epoch must reload before it writes again. */
  epoch: number;
  fence: Fence | null;
  /** Commit time of the record at `seq`. */
  recordTs?: Date;
  /** The projector's last heartbeat (each batch, and every poll while idle). */
  aliveAt?: Date;
}

export interface Position {
  seq: number;
  streamSeq: number;
  ts: number;
}

export const checkpointId = (partition: string): string => `checkpoint:${partition}`;

/**
 * The checkpoint documents. Every projector write of one is conditional on
 * its epoch and on there being no fence: that is how a rebuild stops a
 * running projector (see docs/read-models.md, "Rebuild").
 */
export class Checkpoints {
  readonly #c: Collection<CheckpointDoc>;

  constructor(db: Db) {
    this.#c = db.collection<CheckpointDoc>(META_COLLECTION);
  }

  /** The partition's checkpoint, created at seq 0 when there is none. */
  async load(partition: string): Promise<CheckpointDoc> {
    const _id = checkpointId(partition);
    try {
      await this.#c.updateOne(
        { _id },
        { $setOnInsert: { partition, seq: 0, streamSeq: 0, epoch: 0, fence: null } },
        { upsert: true },
      );
    } catch (err) {
      // Two upserts racing (a projector starting as a rebuild fences): the other one inserted it.
      if ((err as { code?: unknown }).code !== 11000) throw err;
    }
    const doc = await this.#c.findOne({ _id });
    if (!doc) throw new Error(`assertion failed: checkpoint ${_id} missing right after its upsert`);
    return doc;
  }

  /** The partition's checkpoint seq, without creating anything (0 when there is none). */
  async seqOf(partition: string): Promise<number> {
    return (await this.#c.findOne({ _id: checkpointId(partition) }))?.seq ?? 0;
  }

  async list(): Promise<CheckpointDoc[]> {
    return this.#c.find({ _id: { $regex: /^checkpoint:/ } }).toArray();
  }

  /** Records a batch as applied; false when a rebuild fenced the partition or swapped the epoch. */
  async advance(partition: string, epoch: number, p: Position): Promise<boolean> {
    const r = await this.#c.updateOne(
      { _id: checkpointId(partition), epoch, fence: null },
      { $set: { seq: p.seq, streamSeq: p.streamSeq, recordTs: new Date(p.ts), aliveAt: new Date() } },
    );
    return r.matchedCount === 1;
  }

  /** The idle projector's heartbeat; false as for advance. */
  async heartbeat(partition: string, epoch: number): Promise<boolean> {
    const r = await this.#c.updateOne(
      { _id: checkpointId(partition), epoch, fence: null },
      { $set: { aliveAt: new Date() } },
    );
    return r.matchedCount === 1;
  }

  /** The projector says it has stopped writing for this fence. */
  async acknowledge(partition: string, by: string): Promise<void> {
    await this.#c.updateOne(
      { _id: checkpointId(partition), 'fence.by': by },
      { $set: { 'fence.heldAt': new Date() } },
    );
  }

  /** Lifts a lapsed fence (its rebuild died); true when this call lifted it. */
  async breakLapsed(partition: string, by: string): Promise<boolean> {
    const r = await this.#c.updateOne(
      { _id: checkpointId(partition), 'fence.by': by, 'fence.until': { $lt: new Date() } },
      { $set: { fence: null }, $inc: { epoch: 1 } },
    );
    return r.matchedCount === 1;
  }

  /** Rebuild: holds the partition; false when another rebuild holds it. */
  async fence(partition: string, by: string, until: Date): Promise<boolean> {
    await this.load(partition);
    const r = await this.#c.updateOne(
      { _id: checkpointId(partition), fence: null },
      { $set: { fence: { by, until } } },
    );
    return r.matchedCount === 1;
  }

  /** Rebuild: extends its hold; false when it lost it (it lapsed and the projector lifted it). */
  async renew(partition: string, by: string, until: Date): Promise<boolean> {
    const r = await this.#c.updateOne(
      { _id: checkpointId(partition), 'fence.by': by },
      { $set: { 'fence.until': until } },
    );
    return r.matchedCount === 1;
  }

  /** Rebuild: lifts its hold, moving the checkpoint to where the rebuilt read models stand (when given). */
  async release(partition: string, by: string, at?: Position): Promise<boolean> {
    const set: Partial<CheckpointDoc> = { fence: null };
    if (at) Object.assign(set, { seq: at.seq, streamSeq: at.streamSeq, recordTs: new Date(at.ts) });
    const r = await this.#c.updateOne(
      { _id: checkpointId(partition), 'fence.by': by },
      { $set: set, $inc: { epoch: 1 } },
    );
    return r.matchedCount === 1;
  }
}
