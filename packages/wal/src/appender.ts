import { assert } from '@asp/errors';
import { crc32c } from '@node-rs/crc32';
import { WalError } from './errors.ts';
import { FRAME_HEADER_BYTES } from './format.ts';
import type { ResolvedOptions } from './options.ts';
import { ActiveSegment, type AppendResult, type SegmentMeta } from './segment.ts';
import type { StatsRecorder } from './stats.ts';

const noop = (): void => {};

/**
 * The write path: a queue of appends run one at a time, segment rolling, and
 * the poison state.
 *
 * Fail closed: when a write or fsync fails we cannot know what reached the
 * disk. After a failed fsync Linux may have dropped the dirty pages and
 * cleared the error, so a retried fsync "succeeds" without the data
 * (fsyncgate, PostgreSQL 2018). Retrying or carrying on could acknowledge
 * records that are not durable, so the log refuses every later call; the
 * process restarts and recovery rebuilds the truth from what is on disk.
 */
export class Appender {
  private current: ActiveSegment;
  private readonly dir: string;
  private readonly opts: ResolvedOptions;
  private readonly segments: SegmentMeta[];
  private readonly stats: StatsRecorder;
  private tail: Promise<void> = Promise.resolve();
  private queued = 0;
  private poisoned: WalError | undefined;

  constructor(
    dir: string,
    opts: ResolvedOptions,
    segments: SegmentMeta[],
    active: ActiveSegment,
    stats: StatsRecorder,
  ) {
    this.dir = dir;
    this.opts = opts;
    this.segments = segments;
    this.current = active;
    this.stats = stats;
  }

  /** The segment appends go to; it changes on every roll. */
  get active(): ActiveSegment {
    return this.current;
  }

  async append(payloads: readonly Uint8Array[]): Promise<AppendResult> {
    this.checkBatch(payloads);
    // The costly CRC part is computed now, while the append ahead may still be syncing.
    const crcs = payloads.map((p) => crc32c(p));
    this.queued += 1;
    const run = this.tail.then(() => this.appendNow(payloads, crcs));
    this.tail = run.then(noop, noop);
    try {
      return await run;
    } finally {
      this.queued -= 1;
    }
  }

  /** Resolves when every queued append has finished (either way). */
  drained(): Promise<void> {
    return this.tail;
  }

  /** Throws the poison error (a fresh one, the first failure as its cause) once the write path failed. */
  checkNotPoisoned(): void {
    if (this.poisoned) {
      const message = `WAL is poisoned by an earlier failure: ${this.poisoned.message}`;
      throw new WalError('ASP_ERR_WAL_IO', message, { cause: this.poisoned });
    }
  }

  private checkBatch(payloads: readonly Uint8Array[]): void {
    assert(Array.isArray(payloads) && payloads.length > 0, 'append(payloads): a non-empty array is required');
    this.checkNotPoisoned();
    for (const [i, payload] of payloads.entries()) {
      assert(payload instanceof Uint8Array, `append(payloads): payloads[${i}] is not a Uint8Array`);
      if (payload.byteLength > this.opts.recordBytesMax) {
        throw new WalError(
          'ASP_ERR_WAL_RECORD_TOO_LARGE',
          `WAL record of ${payload.byteLength} bytes (payloads[${i}]) is over recordBytesMax ${this.opts.recordBytesMax}`,
        );
      }
    }
    if (this.queued > this.opts.appendQueueMax) {
      throw new WalError(
        'ASP_ERR_WAL_BUSY',
        `WAL has ${this.queued} appends queued (appendQueueMax ${this.opts.appendQueueMax})`,
      );
    }
  }

  private async appendNow(payloads: readonly Uint8Array[], crcs: readonly number[]): Promise<AppendResult> {
    this.checkNotPoisoned();
    const bytes = payloads.reduce((sum, p) => sum + FRAME_HEADER_BYTES + p.byteLength, 0);
    assert(this.current.meta.lastSeq + payloads.length <= Number.MAX_SAFE_INTEGER, 'WAL seq overflow');
    try {
      // A batch never spans segments (one write, one fsync); a batch larger than a segment goes in alone.
      const { meta } = this.current;
      if (this.current.hasRecords && meta.size + bytes > this.opts.segmentBytesMax) await this.roll();
      return await this.current.writeBatch(payloads, crcs, this.opts.io, this.stats);
    } catch (err) {
      const message = `WAL append failed, the log is poisoned: ${err}`;
      this.poisoned = new WalError('ASP_ERR_WAL_IO', message, { cause: err });
      throw this.poisoned;
    }
  }

  /** The new segment is complete and durable (header, name) before it takes appends. */
  private async roll(): Promise<void> {
    const { lastSeq, lastCrc } = this.current.meta;
    const next = await ActiveSegment.create(this.dir, lastSeq + 1, lastCrc, this.opts.io);
    const sealed = this.current;
    this.current = next;
    this.segments.push(next.meta);
    await sealed.close();
  }
}
