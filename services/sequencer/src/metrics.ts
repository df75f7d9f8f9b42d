import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** The sequencer's Prometheus metrics: one registry, `asp_` prefix, base units. */
export function createSequencerMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'asp_sequencer_' });
  const r = [registry];
  return {
    registry,
    commands: new Counter({
      name: 'asp_sequencer_commands_total',
      help: 'Commands answered, by outcome: accepted, rejected, or duplicate (a retry answered with its original result)',
      labelNames: ['outcome'] as const,
      registers: r,
    }),
    messages: new Counter({
      name: 'asp_sequencer_messages_total',
      help: 'Command messages taken from ASP_COMMANDS',
      registers: r,
    }),
    messageErrors: new Counter({
      name: 'asp_sequencer_message_errors_total',
      help: 'Messages that could not be read at all, by code',
      labelNames: ['code'] as const,
      registers: r,
    }),
    deadLettered: new Counter({
      name: 'asp_sequencer_dead_lettered_total',
      help: 'Messages moved to ASP_DLQ',
      registers: r,
    }),
    batches: new Counter({ name: 'asp_sequencer_batches_total', help: 'Batches committed', registers: r }),
    batchCommands: new Histogram({
      name: 'asp_sequencer_batch_commands',
      help: 'Commands per committed batch',
      buckets: [1, 10, 50, 100, 250, 500, 1000, 2000, 4000, 8000, 16000],
      registers: r,
    }),
    batchSeconds: new Histogram({
      name: 'asp_sequencer_batch_seconds',
      help: 'Time from taking a batch to releasing its results',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: r,
    }),
    fsyncSeconds: new Histogram({
      name: 'asp_wal_fsync_seconds',
      help: 'WAL append (queue, write, fdatasync) per batch, as the event loop sees it: includes waiting for the loop',
      buckets: [
        0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
      ],
      registers: r,
    }),
    walBytes: new Counter({ name: 'asp_wal_bytes_total', help: 'Bytes appended to the WAL', registers: r }),
    walSeq: new Gauge({ name: 'asp_wal_last_seq', help: 'Last durable WAL sequence', registers: r }),
    appliedSeq: new Gauge({
      name: 'asp_state_applied_seq',
      help: 'Last WAL sequence applied to LevelDB',
      registers: r,
    }),
    publishedSeq: new Gauge({
      name: 'asp_relay_published_seq',
      help: 'Last WAL sequence published to ASP_EVENTS',
      registers: r,
    }),
    relayLag: new Gauge({
      name: 'asp_relay_lag_records',
      help: 'Committed WAL records not yet in ASP_EVENTS',
      registers: r,
    }),
    relayBytes: new Counter({
      name: 'asp_relay_bytes_total',
      help: 'Bytes published to ASP_EVENTS',
      registers: r,
    }),
    intakeMessages: new Gauge({
      name: 'asp_sequencer_intake_queued_messages',
      help: 'Command messages pulled and queued ahead of the committer when it last took a batch',
      registers: r,
    }),
    intakeBytes: new Gauge({
      name: 'asp_sequencer_intake_queued_bytes',
      help: 'Bytes of those messages (bounded by ASP_PULL_BYTES_MAX)',
      registers: r,
    }),
    consumerRecreated: new Counter({
      name: 'asp_sequencer_consumer_recreated_total',
      help: 'Times the commands consumer (or its stream) was found deleted while serving and was recreated',
      registers: r,
    }),
    flowState: new Gauge({
      name: 'asp_sequencer_flow_state',
      help: 'Flow control: 1 for the current state (idle, open, paced, throttled, stalled), 0 for the others',
      labelNames: ['state'] as const,
      registers: r,
    }),
    flowLagSeconds: new Gauge({
      name: 'asp_sequencer_flow_lag_seconds',
      help: 'Age of the oldest committed record the read side has not acknowledged, as flow control last saw it',
      registers: r,
    }),
    flowRateLimit: new Gauge({
      name: 'asp_sequencer_flow_rate_limit',
      help: 'Commands a second flow control lets the sequencer take (0: no limit)',
      registers: r,
    }),
    flowWaitSeconds: new Counter({
      name: 'asp_sequencer_flow_wait_seconds_total',
      help: 'Time the committer waited for the read models before taking a batch',
      registers: r,
    }),
    lookups: new Counter({
      name: 'asp_sequencer_result_lookups_total',
      help: 'Result look-up requests answered',
      registers: r,
    }),
  };
}

export type SequencerMetrics = ReturnType<typeof createSequencerMetrics>;
