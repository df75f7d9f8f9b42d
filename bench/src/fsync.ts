import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { BenchError } from './errors.ts';

export interface FsyncPreflight {
  dir: string;
  samples: number;
  p50_us: number;
  p99_us: number;
  max_us: number;
  /** The threshold the p50 was checked against. */
  limit_us: number;
  /** True when the disk was over the limit and `--force` ran the benchmark anyway. */
  forced: boolean;
}

/** The value at quantile q of sorted values (nearest rank). */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}

/**
 * Writes 4 KiB and fdatasyncs it, `samples` times, in a scratch folder of the
 * data directory: the WAL's cost per batch on this disk. A disk that needs
 * milliseconds per fsync (a network volume, a throttled cloud disk) would make
 * every figure of the run about the disk, so it is refused unless forced.
 * The p50 is what is checked: on a shared machine one neighbour's burst moves
 * the p99 of 200 samples by milliseconds, while a slow disk is slow throughout.
 */
export function fsyncPreflight(dir: string, limitUs: number, force: boolean, samples = 200): FsyncPreflight {
  const scratch = mkdtempSync(join(dir, 'asp-bench-fsync-'));
  const file = join(scratch, 'probe');
  const block = Buffer.alloc(4096, 0x61);
  const times: number[] = [];
  const fd = openSync(file, 'w');
  try {
    for (let i = 0; i < samples; i++) {
      const t = process.hrtime.bigint();
      writeSync(fd, block, 0, block.length, i * block.length);
      fdatasyncSync(fd);
      times.push(Number(process.hrtime.bigint() - t) / 1000);
    }
  } finally {
    closeSync(fd);
    rmSync(scratch, { recursive: true, force: true });
  }
  times.sort((a, b) => a - b);
  const r: FsyncPreflight = {
    dir,
    samples,
    p50_us: Math.round(quantileSorted(times, 0.5)),
    p99_us: Math.round(quantileSorted(times, 0.99)),
    max_us: Math.round(times[times.length - 1] ?? 0),
    limit_us: limitUs,
    forced: false,
  };
  if (r.p50_us > limitUs) {
    if (!force) {
      throw new BenchError(
        'ASP_ERR_BENCH_DISK_SLOW',
        `fsync of ${dir} takes p50 ${r.p50_us} µs (p99 ${r.p99_us} µs), above --fsync-max-us ${limitUs}: ` +
          'the figures would measure the disk. Use a faster disk (ASP_BENCH_DATA_DIR), or --force to run anyway.',
      );
    }
    r.forced = true;
  }
  return r;
}
