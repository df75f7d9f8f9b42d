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

/** The projector process that projects a partition, until its lease lapses. */
export interface Owner {
  id: string;
  until: Date;
}

/** This process's claim on partitions: its id, and how long a claim lasts unless renewed. */
export interface Lease {
  id: string;
  ms: number;
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
  /** Which projector may write the partition (one at a time); null or missing: nobody. */
  owner?: Owner | null;
}

export interface Position {
  seq: number;
  streamSeq: number;
  ts: number;
}

export const checkpointId = (partition: string): string => `checkpoint:${partition}`;

/** The owner a claim or renewal writes: this lease, good for its length from now. */
const ownerFrom = (lease: Lease): Owner => ({ id: lease.id, until: new Date(Date.now() + lease.ms) });

/**
 * The checkpoint documents. Every projector write of one is conditional on
 * its epoch and on there being no fence: that is how a rebuild stops a
 * running projector (see docs/read-models.md, "Rebuild"). With a lease, on
 * its ownership too, and each such write renews it: a second projector of
 * the partition stands by until the lease is given up or lapses.
 */
export class Checkpoints {
  readonly #c: Collection<CheckpointDoc>;
  readonly #lease: Lease | undefined;

  constructor(db: Db, lease?: Lease) {
    this.#c = db.collection<CheckpointDoc>(META_COLLECTION);
    this.#lease = lease;
  }

  /** The filter and the renewal that make a write this owner's own. */
  #owned(): { filter: object; set: object } {
    if (!this.#lease) return { filter: {}, set: {} };
    return { filter: { 'owner.id': this.#lease.id }, set: { owner: ownerFrom(this.#lease) } };
  }

  /**
   * Takes the partition for this lease's owner when nobody holds it, its
   * lease lapsed, or it is ours already; otherwise returns who holds it.
   */
  async claim(partition: string): Promise<{ ok: true } | { ok: false; owner: Owner }> {
    const lease = this.#lease;
    if (!lease) return { ok: true };
    const _id = checkpointId(partition);
    const r = await this.#c.updateOne(
      {
        _id,
        $or: [
          { owner: null },
          { owner: { $exists: false } },
          { 'owner.id': lease.id },
          { 'owner.until': { $lt: new Date() } },
        ],
      },
      { $set: { owner: ownerFrom(lease) } },
    );
    if (r.matchedCount === 1) return { ok: true };
    const owner = (await this.#c.findOne({ _id }))?.owner;
    // Given up between the two reads: the next claim takes it.
    return { ok: false, owner: owner ?? { id: '(nobody)', until: new Date(0) } };
  }

  /** Takes the partition from an owner known to be gone (see Session): only if still that one. */
  async takeOver(partition: string, gone: string): Promise<boolean> {
    const lease = this.#lease;
    if (!lease) return true;
    const r = await this.#c.updateOne(
      { _id: checkpointId(partition), 'owner.id': gone },
      { $set: { owner: ownerFrom(lease) } },
    );
    return r.matchedCount === 1;
  }

  /** Gives the partition up, so a projector standing by takes it at once. */
  async resign(partition: string): Promise<void> {
    if (!this.#lease) return;
    await this.#c.updateOne(
      { _id: checkpointId(partition), 'owner.id': this.#lease.id },
      { $set: { owner: null } },
    );
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

  /**
   * Records a batch as applied; false when a rebuild fenced the partition or swapped the epoch,
   * or (with a lease) another projector owns it now.
   */
  async advance(partition: string, epoch: number, p: Position): Promise<boolean> {
    const own = this.#owned();
    const r = await this.#c.updateOne(
      { _id: checkpointId(partition), epoch, fence: null, ...own.filter },
      {
        $set: {
          seq: p.seq,
          streamSeq: p.streamSeq,
          recordTs: new Date(p.ts),
          aliveAt: new Date(),
          ...own.set,
        },
      },
    );
    return r.matchedCount === 1;
  }

  /** The idle projector's heartbeat, which renews its lease; false as for advance. */
  async heartbeat(partition: string, epoch: number): Promise<boolean> {
    const own = this.#owned();
    const r = await this.#c.updateOne(
      { _id: checkpointId(partition), epoch, fence: null, ...own.filter },
      { $set: { aliveAt: new Date(), ...own.set } },
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
