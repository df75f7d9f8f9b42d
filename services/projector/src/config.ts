import { parseConfig } from '@asp/service';
import { z } from 'zod';

const int = (def: number, min: number, max: number) => z.coerce.number().int().min(min).max(max).default(def);
const MiB = 1024 * 1024;

/**
 * The projector's configuration, from environment variables, parsed once at
 * start. Defaults work on a laptop; every limit has its unit last.
 */
export const projectorConfigSchema = z.object({
  NATS_URL: z.string().min(1).default('nats://127.0.0.1:4222'),
  MONGO_URL: z.string().min(1).default('mongodb://127.0.0.1:27017/?directConnection=true&retryWrites=false'),
  ASP_MONGO_DB: z.string().min(1).max(63).default('atomic_state'),
  ASP_PARTITION: z
    .string()
    .regex(/^[a-z0-9_-]{1,32}$/, 'lowercase letters, digits, _ or -, at most 32')
    .default('p0'),
  ASP_HTTP_HOST: z.string().default('127.0.0.1'),
  ASP_HTTP_PORT: int(9465, 0, 65535),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Commit records applied together: their events are coalesced into one write per document. */
  ASP_BATCH_RECORDS_MAX: int(256, 1, 100_000),
  /**
   * Bytes of commit records in one batch (a record is never split). Larger batches coalesce
   * more events per document write: with the broker load (2.7 MB records) 24 MiB took ~10% less
   * CPU than 16 MiB. It cannot usefully exceed ASP_PULL_BYTES_MAX.
   */
  ASP_BATCH_BYTES_MAX: int(24 * MiB, 64 * 1024, 512 * MiB),
  /**
   * Once a batch has begun and is below its limits, the projector waits for more records as
   * long as its last batch took to write, at most this long (0: no wait). Larger batches
   * coalesce more events per document write: with the broker load at 13,000 commands/s, 1000
   * took ~10% less CPU (FerretDB ~20% less) for ~0.7 s more lag. Under light load the wait is as
   * short as the writes.
   */
  ASP_BATCH_LINGER_MS: int(0, 0, 60_000),
  /** Records the pull consumer keeps buffered ahead of the writer. */
  ASP_PULL_RECORDS_MAX: int(512, 1, 100_000),
  /**
   * Bytes of records pulled ahead (the client's pull requests ask for this much). It must stay
   * well below nats-server's `max_pending` (64 MiB here): a projector busy with a batch does
   * not read its socket, the server queues what it pulled, and above max_pending it drops the
   * connection ("Slow Consumer") with the records in flight, which then come out of order.
   */
  ASP_PULL_BYTES_MAX: int(32 * MiB, MiB, 512 * MiB),
  /** JetStream redelivers a record not acknowledged within this time; retries keep theirs alive. */
  ASP_ACK_WAIT_MS: int(60_000, 1000, 3_600_000),
  /** Documents kept in memory so most batches need no read before their write. */
  ASP_CACHE_DOCS_MAX: int(100_000, 0, 100_000_000),
  /** Longest wait between two retries of a failed write (the backoff doubles up to it). */
  ASP_RETRY_DELAY_MS_MAX: int(5000, 10, 600_000),
  /** How long one MongoDB operation may wait for a server before it counts as failed. */
  ASP_MONGO_TIMEOUT_MS: int(5000, 100, 600_000),
  /** When idle, how often the projector beats its heartbeat and looks for a rebuild's fence. */
  ASP_POLL_MS: int(500, 10, 60_000),
  /**
   * One projector writes a partition at a time: its claim lasts this long unless renewed (every
   * batch and heartbeat renews it). A second projector of the partition stands by and takes over
   * once the first gives the claim up (it stops) or lets it lapse (it died or hangs). Longer than
   * any batch takes, and than the clock difference between the projectors' hosts.
   */
  ASP_LEASE_MS: int(30_000, 1000, 600_000),
  /** How often the lag metrics are refreshed from ASP_EVENTS. */
  ASP_LAG_POLL_MS: int(1000, 50, 600_000),
  /**
   * Between two batches the projector collects V8's young generation once it is this full
   * (percent of its capacity); 0: never, V8 alone decides. A collection V8 starts in the middle
   * of a batch copies and then promotes the batch's whole working set; between batches almost
   * nothing is alive. The projector alone under the broker load at 15,000 commands/s
   * (services/projector/bench/apply.ts) took a quarter less CPU and memory with 25; in the whole
   * pipeline on two cores its CPU stayed within the noise (docs/read-models.md, "Garbage
   * collection between batches").
   */
  ASP_YOUNG_GC_PERCENT: int(25, 0, 100),
  /** Time SIGTERM waits for the batch in hand before exiting. */
  ASP_DRAIN_TIMEOUT_MS: int(15_000, 100, 600_000),
});

export type ProjectorConfig = z.infer<typeof projectorConfigSchema>;

/** Parses the environment; an invalid value names its variable. */
export function loadProjectorConfig(env: NodeJS.ProcessEnv = process.env): ProjectorConfig {
  return parseConfig('projector', projectorConfigSchema, env);
}
