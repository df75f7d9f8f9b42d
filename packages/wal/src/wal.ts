import { assert } from '@asp/errors';
import { Appender } from './appender.ts';
import { WalError } from './errors.ts';
import { makeDurableDir } from './io.ts';
import { acquireLock, type DirLock } from './lock.ts';
import { type ResolvedOptions, resolveOptions, type WalOptions } from './options.ts';
import { type ReadSource, readRecords, type WalRecord } from './reader.ts';
import { recoverDir } from './recover.ts';
import { removeSegmentsBefore } from './retention.ts';
import { ActiveSegment, type AppendResult, findSegment, type SegmentMeta } from './segment.ts';
import { StatsRecorder, type WalStats } from './stats.ts';

/** The sequencer's write-ahead log, the source of truth (docs/wal.md). One Wal per directory. */
export class Wal {
  private readonly dir: string;
  private readonly opts: ResolvedOptions;
  private readonly lock: DirLock;
  /** Oldest first; the last one is the active segment. Never empty. */
  private readonly segments: SegmentMeta[];
  private readonly recorder: StatsRecorder;
  private readonly appender: Appender;
  private closing: Promise<void> | undefined;

  private constructor(
    dir: string,
    opts: ResolvedOptions,
    lock: DirLock,
    segments: SegmentMeta[],
    active: ActiveSegment,
  ) {
    this.dir = dir;
    this.opts = opts;
    this.lock = lock;
    this.segments = segments;
    this.recorder = new StatsRecorder();
    this.appender = new Appender(dir, opts, segments, active, this.recorder);
  }

  /** Takes the directory's lock, recovers (cuts a torn tail, halts on corruption) and opens for appends. */
  static async open(dir: string, options: WalOptions = {}): Promise<Wal> {
    const opts = resolveOptions(options);
    let lock: DirLock | undefined;
    let active: ActiveSegment | undefined;
    try {
      await makeDurableDir(dir, opts.io);
      lock = await acquireLock(dir);
      const segments = await recoverDir(dir, opts);
      const last = segments.at(-1);
      active = last
        ? await ActiveSegment.reopen(dir, last, opts.io)
        : await ActiveSegment.create(dir, 1, 0, opts.io);
      if (!last) segments.push(active.meta);
      await opts.io.syncDir(dir);
      return new Wal(dir, opts, lock, segments, active);
    } catch (err) {
      await active?.close().catch(() => {});
      await lock?.release();
      if (err instanceof WalError) throw err;
      throw new WalError('ASP_ERR_WAL_IO', `cannot open the WAL in ${dir}: ${err}`, { cause: err });
    }
  }

  /** The seq of the last durable record; firstSeq - 1 when the log holds none. */
  get lastSeq(): number {
    return this.appender.active.meta.lastSeq;
  }

  /** The oldest seq still in the log (retention moves it forward). */
  get firstSeq(): number {
    return this.segments[0]!.firstSeq;
  }

  /**
   * Appends the payloads as consecutive records and resolves once they are
   * durable: one writev, ONE fdatasync. Appends run one at a time in call
   * order; later calls queue (up to appendQueueMax). Do not change a payload
   * until its append settles.
   */
  append(payloads: readonly Uint8Array[]): Promise<AppendResult> {
    if (this.closing) return Promise.reject(closed());
    return this.appender.append(payloads);
  }

  /**
   * Records fromSeq..lastSeq, lastSeq taken at this call (call again to follow
   * the tail). Reads in large chunks and checks every CRC. Errors, including a
   * closed or poisoned log, surface from the iteration.
   */
  read(fromSeq: number): AsyncIterable<WalRecord> {
    assert(
      Number.isSafeInteger(fromSeq) && fromSeq >= 1,
      `read(fromSeq): expected a seq >= 1, got ${fromSeq}`,
    );
    const source: ReadSource = {
      dir: this.dir,
      readChunkBytes: this.opts.readChunkBytes,
      segmentFor: (seq) => findSegment(this.segments, seq),
      check: () => this.checkUsable(),
    };
    return wrapIoErrors(readRecords(source, fromSeq, this.lastSeq));
  }

  /**
   * Deletes the oldest segments whose every record is below `seq`, never the
   * active one, and returns how many. Pass a seq applied to LevelDB AND
   * published to ASP_EVENTS, and no reader may still need the records below it.
   */
  async removeSegmentsBefore(seq: number): Promise<number> {
    assert(Number.isSafeInteger(seq), `removeSegmentsBefore(seq): expected an integer, got ${seq}`);
    this.checkUsable();
    return removeSegmentsBefore(this.dir, this.segments, seq, this.opts.io);
  }

  stats(): WalStats {
    const bytes = this.segments.reduce((sum, s) => sum + s.size, 0);
    return this.recorder.snapshot({
      segments: this.segments.length,
      bytes,
      firstSeq: this.firstSeq,
      lastSeq: this.lastSeq,
    });
  }

  /** Lets queued appends finish, closes the active segment and releases the lock. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.appender.drained();
      try {
        await this.appender.active.close();
      } finally {
        await this.lock.release();
      }
    })();
    return this.closing;
  }

  private checkUsable(): void {
    if (this.closing) throw closed();
    this.appender.checkNotPoisoned();
  }
}

function closed(): WalError {
  return new WalError('ASP_ERR_WAL_CLOSED', 'the WAL is closed');
}

async function* wrapIoErrors(records: AsyncGenerator<WalRecord>): AsyncGenerator<WalRecord> {
  try {
    yield* records;
  } catch (err) {
    if (err instanceof WalError) throw err;
    throw new WalError('ASP_ERR_WAL_IO', `WAL read failed: ${err}`, { cause: err });
  }
}
