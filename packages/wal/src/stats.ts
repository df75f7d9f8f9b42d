/** Upper bounds of the fsync histogram buckets, in milliseconds; one more bucket counts everything slower. */
export const FSYNC_BUCKETS_MS: readonly number[] = [0.25, 0.5, 1, 2, 5, 10, 25, 50, 100, 250, 1000];

export interface WalStats {
  segments: number;
  /** Bytes of durable data across the segments (headers included). */
  bytes: number;
  firstSeq: number;
  lastSeq: number;
  /** Successful appends (each one fdatasync) and the records and frame bytes they wrote, since open. */
  appends: number;
  records: number;
  appendedBytes: number;
  /** Batch fdatasyncs since open, with their durations. */
  fsyncs: number;
  fsyncLastMs: number;
  fsyncSumMs: number;
  fsyncMaxMs: number;
  /** counts[i]: fsyncs that took at most boundsMs[i] (and more than boundsMs[i-1]); the last count is the rest. */
  fsyncHistogram: { boundsMs: readonly number[]; counts: number[] };
}

/** Counters since open; a metrics layer turns them into asp_wal_* series. */
export class StatsRecorder {
  private appends = 0;
  private records = 0;
  private appendedBytes = 0;
  private fsyncs = 0;
  private lastMs = 0;
  private sumMs = 0;
  private maxMs = 0;
  private readonly counts: number[] = new Array<number>(FSYNC_BUCKETS_MS.length + 1).fill(0);

  fsynced(ms: number): void {
    this.fsyncs += 1;
    this.lastMs = ms;
    this.sumMs += ms;
    this.maxMs = Math.max(this.maxMs, ms);
    const bucket = FSYNC_BUCKETS_MS.findIndex((bound) => ms <= bound);
    const index = bucket === -1 ? FSYNC_BUCKETS_MS.length : bucket;
    this.counts[index] = (this.counts[index] ?? 0) + 1;
  }

  appended(records: number, bytes: number): void {
    this.appends += 1;
    this.records += records;
    this.appendedBytes += bytes;
  }

  snapshot(log: Pick<WalStats, 'segments' | 'bytes' | 'firstSeq' | 'lastSeq'>): WalStats {
    return {
      ...log,
      appends: this.appends,
      records: this.records,
      appendedBytes: this.appendedBytes,
      fsyncs: this.fsyncs,
      fsyncLastMs: this.lastMs,
      fsyncSumMs: this.sumMs,
      fsyncMaxMs: this.maxMs,
      fsyncHistogram: { boundsMs: FSYNC_BUCKETS_MS, counts: [...this.counts] },
    };
  }
}
