import { AspError } from '@asp/errors';

export type BenchErrorCode =
  /** The command line or an environment variable is invalid. */
  | 'ASP_ERR_BENCH_USAGE'
  /** The fsync preflight measured a disk slower than `--fsync-max-us` (override with `--force`). */
  | 'ASP_ERR_BENCH_DISK_SLOW'
  /** The pipeline could not be started, or a given URL does not answer. */
  | 'ASP_ERR_BENCH_STACK'
  /** The workload's set-up or load failed (a set-up command was rejected, the client gave up). */
  | 'ASP_ERR_BENCH_LOAD'
  /** The peers scenario has no PostgreSQL to talk to, or the peers module is missing or broke its contract. */
  | 'ASP_ERR_BENCH_PEERS'
  /** The integrity audit could not be run at all (its verdict otherwise is a value, not an error). */
  | 'ASP_ERR_BENCH_AUDIT';

export class BenchError extends AspError<BenchErrorCode> {}
