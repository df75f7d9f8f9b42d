import type { Progress } from './codec.ts';

/** The results of one old batch that an applyBatch deletes. */
export interface PrunedBatch {
  seq: number;
  ids: readonly string[];
}

export interface PrunePlan {
  pruned: PrunedBatch[];
  resultsFromSeq: number;
  resultsRetained: number;
}

/** Reads the ids batch `seq` indexed; undefined when it indexed none. */
export type ReadSeqIds = (seq: number) => Promise<readonly string[] | undefined>;

/**
 * Bounded retention of the command-id index, pruned a few batches at a time.
 *
 * The index is kept per batch (s:<seq> lists the ids it indexed), so pruning is "delete the
 * oldest batch's ids", done inside the same LevelDB batch as the newest batch's writes: no
 * scan, no stop-the-world. The oldest batch goes only if the batches after it still hold at
 * least retainMax results, so the last retainMax commands are always kept. At most
 * pruneMax old batches go per call, so a lowered retainMax catches up gradually.
 */
export class ResultRetention {
  readonly #retainMax: number;
  readonly #pruneMax: number;
  #fromSeq: number;
  #retained: number;
  /** The last batch read and not yet pruned: steady state reads each old batch once. */
  #head: PrunedBatch | undefined;

  constructor(progress: Progress, retainMax: number, pruneMax: number) {
    this.#retainMax = retainMax;
    this.#pruneMax = pruneMax;
    this.#fromSeq = progress.resultsFromSeq;
    this.#retained = progress.resultsRetained;
  }

  get fromSeq(): number {
    return this.#fromSeq;
  }

  get retained(): number {
    return this.#retained;
  }

  /** What applying batch `seq`, which indexes `added` new results, prunes. Only reads. */
  async plan(seq: number, added: number, readIds: ReadSeqIds): Promise<PrunePlan> {
    const pruned: PrunedBatch[] = [];
    let from = this.#fromSeq;
    let retained = this.#retained + added;
    // Never the batch being applied: its own results are what the window must keep.
    while (pruned.length < this.#pruneMax && from < seq && retained > this.#retainMax) {
      const head = await this.#read(from, readIds);
      if (retained - head.ids.length < this.#retainMax) break;
      pruned.push(head);
      retained -= head.ids.length;
      from += 1;
    }
    return { pruned, resultsFromSeq: from, resultsRetained: retained };
  }

  /** Call once the plan's batch is written. */
  commit(plan: PrunePlan): void {
    this.#fromSeq = plan.resultsFromSeq;
    this.#retained = plan.resultsRetained;
    if (this.#head !== undefined && this.#head.seq < plan.resultsFromSeq) this.#head = undefined;
  }

  async #read(seq: number, readIds: ReadSeqIds): Promise<PrunedBatch> {
    if (this.#head?.seq === seq) return this.#head;
    const ids = (await readIds(seq)) ?? [];
    this.#head = { seq, ids };
    return this.#head;
  }
}
