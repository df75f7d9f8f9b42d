import { parseConfig } from '@asp/service';
import { z } from 'zod';

const int = (def: number, min: number, max: number) => z.coerce.number().int().min(min).max(max).default(def);
const MiB = 1024 * 1024;

/**
 * The sequencer's configuration, from environment variables, parsed once at
 * start. Defaults work on a laptop; every limit has its unit last.
 */
export const sequencerConfigSchema = z
  .object({
    NATS_URL: z.string().min(1).default('nats://127.0.0.1:4222'),
    ASP_PARTITION: z
      .string()
      .regex(/^[a-z0-9_-]{1,32}$/, 'lowercase letters, digits, _ or -, at most 32')
      .default('p0'),
    ASP_DATA_DIR: z.string().min(1).default('.data/sequencer'),
    ASP_HTTP_HOST: z.string().default('127.0.0.1'),
    ASP_HTTP_PORT: int(9464, 0, 65535),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /**
     * Messages decided and fsynced together (a message is never split: it is
     * acknowledged as a unit). Bigger batches amortise the fsync; they also delay results.
     */
    ASP_BATCH_MESSAGES_MAX: int(1024, 1, 100_000),
    /** Bytes of command messages in one batch; bounds the commit record (and the ASP_EVENTS message). */
    ASP_BATCH_BYTES_MAX: int(4 * MiB, 64 * 1024, 64 * MiB),
    /** Bytes of command messages the pull consumer keeps buffered ahead of the committer. */
    ASP_PULL_BYTES_MAX: int(32 * MiB, MiB, 512 * MiB),
    /** Messages delivered but not yet acknowledged; JetStream stops delivering beyond it. */
    ASP_ACK_PENDING_MAX: int(4096, 16, 100_000),
    /** JetStream redelivers a message not acknowledged within this time. */
    ASP_ACK_WAIT_MS: int(30_000, 1000, 3_600_000),
    /** A message delivered this many times is dead-lettered instead of processed again. */
    ASP_DELIVERIES_MAX: int(5, 2, 100),
    ASP_COMMANDS_STREAM_BYTES_MAX: int(4096 * MiB, 16 * MiB, Number.MAX_SAFE_INTEGER),
    ASP_COMMANDS_STREAM_MESSAGES_MAX: int(1_000_000, 1000, Number.MAX_SAFE_INTEGER),
    ASP_EVENTS_STREAM_BYTES_MAX: int(16384 * MiB, 16 * MiB, Number.MAX_SAFE_INTEGER),
    ASP_DLQ_STREAM_BYTES_MAX: int(256 * MiB, MiB, Number.MAX_SAFE_INTEGER),
    /**
     * Command results kept for dedupe of retries (see docs/state.md): 20 M covers
     * 200 s at 100k commands/s, longer than the client retries (120 s); ~1.9 GB on disk.
     */
    ASP_RESULTS_RETAIN_MAX: int(20_000_000, 1000, 1_000_000_000),
    /**
     * Aggregates kept in memory (write-through CLOCK cache). Size it to the hot set: every entry
     * is heap the GC walks on each major collection, so a cache much bigger than what commands
     * re-read costs CPU (measured: 200k entries cost ~2 µs per command of GC over 20k).
     */
    ASP_AGGREGATE_CACHE_ENTRIES_MAX: int(50_000, 1, 10_000_000),
    /**
     * Memory of each of the two "certainly absent" filters (aggregates, results; docs/state.md):
     * 2 MiB per 2^20 keys. Past it a filter turns itself off and new keys are read again.
     */
    ASP_STATE_FILTER_BYTES_MAX: int(128 * MiB, 2 * MiB, 16384 * MiB),
    /**
     * LevelDB's open table files: bounds the Bloom filter and index blocks it keeps in memory
     * (a Bloom filter of 10 bits a key per open table) and the file descriptors (docs/state.md).
     */
    ASP_LEVELDB_OPEN_FILES_MAX: int(1000, 74, 50_000),
    /**
     * LevelDB's memtable (two of them at most: one filling, one being written out). Bigger ones
     * make fewer, larger level-0 tables and less compaction: 64 MiB cut what compactions wrote
     * by 40% in the broker probe, at no change in CPU (docs/state.md). 1 MiB to LevelDB's 1 GiB.
     */
    ASP_LEVELDB_WRITE_BUFFER_BYTES: int(16 * MiB, MiB, 1024 * MiB),
    ASP_WAL_SEGMENT_BYTES_MAX: int(64 * MiB, MiB, 1024 * MiB),
    /** Committed records kept in memory for the relay before it falls back to reading the WAL. */
    ASP_RELAY_BUFFER_RECORDS_MAX: int(1024, 16, 1_000_000),
    /** Bytes of those records (each is up to ASP_BATCH_BYTES_MAX and more): the one that bounds memory. */
    ASP_RELAY_BUFFER_BYTES_MAX: int(256 * MiB, MiB, 16384 * MiB),
    /**
     * Flow control (docs/sequencer.md): the read models' lag (the age of the oldest committed
     * record the projector has not acknowledged) the sequencer holds to, taking commands at the
     * pace the projector applies them; it takes none above twice it. 0 turns it off: the
     * sequencer then commits as fast as it can, however far the read side falls behind.
     */
    ASP_FLOW_LAG_TARGET_MS: int(1000, 0, 3_600_000),
    /** How often flow control reads the projector's position from ASP_EVENTS. */
    ASP_FLOW_POLL_MS: int(100, 10, 60_000),
    /** A projector that makes no progress for this long is not waited for: writes go on without it. */
    ASP_FLOW_STALL_MS: int(5000, 100, 3_600_000),
    /** Time SIGTERM waits for the in-flight batch and the relay before exiting. */
    ASP_DRAIN_TIMEOUT_MS: int(15_000, 100, 600_000),
  })
  .refine((c) => c.ASP_FLOW_STALL_MS > c.ASP_FLOW_POLL_MS, {
    message: 'must be longer than ASP_FLOW_POLL_MS: progress is only seen at a poll',
    path: ['ASP_FLOW_STALL_MS'],
  });

export type SequencerConfig = z.infer<typeof sequencerConfigSchema>;

/** Parses the environment; an invalid value names its variable. */
export function loadSequencerConfig(env: NodeJS.ProcessEnv = process.env): SequencerConfig {
  return parseConfig('sequencer', sequencerConfigSchema, env);
}
