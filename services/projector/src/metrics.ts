import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** The projector's Prometheus metrics: one registry, `asp_` prefix, base units. */
export function createProjectorMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'asp_projector_' });
  const r = [registry];
  return {
    registry,
    records: new Counter({
      name: 'asp_projector_records_total',
      help: 'Commit records applied to the read models (redeliveries of applied records not counted)',
      registers: r,
    }),
    events: new Counter({
      name: 'asp_projector_events_total',
      help: 'Events in the records applied',
      registers: r,
    }),
    docsWritten: new Counter({
      name: 'asp_projector_docs_written_total',
      help: 'Read model documents written (one write per document per batch)',
      registers: r,
    }),
    duplicates: new Counter({
      name: 'asp_projector_duplicate_records_total',
      help: 'Records delivered again after they were applied (acknowledged, not applied twice)',
      registers: r,
    }),
    errors: new Counter({
      name: 'asp_projector_errors_total',
      help: 'Failures by kind: mongo (transient, retried), conflict, version_gap, record, consumer, fenced, other',
      labelNames: ['kind'] as const,
      registers: r,
    }),
    writeSeconds: new Histogram({
      name: 'asp_projector_write_seconds',
      help: 'Time to apply one batch to MongoDB (reads on cache misses, bulk writes, fallbacks), checkpoint excluded',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: r,
    }),
    checkpointSeconds: new Histogram({
      name: 'asp_projector_checkpoint_seconds',
      help: 'Time to write the checkpoint after a batch',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: r,
    }),
    batchRecords: new Histogram({
      name: 'asp_projector_batch_records',
      help: 'Commit records per applied batch',
      buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000],
      registers: r,
    }),
    appliedSeq: new Gauge({
      name: 'asp_projector_applied_seq',
      help: 'WAL sequence of the last commit record applied and checkpointed',
      registers: r,
    }),
    lagRecords: new Gauge({
      name: 'asp_projector_lag_records',
      help: 'Commit records in ASP_EVENTS for this partition not applied yet (last WAL seq in the stream - applied)',
      registers: r,
    }),
    lagSeconds: new Gauge({
      name: 'asp_projector_lag_seconds',
      help: 'Age of the oldest record not applied yet (0 when caught up)',
      registers: r,
    }),
    intakeRecords: new Gauge({
      name: 'asp_projector_intake_queued_records',
      help: 'Commit records pulled and queued ahead of the writer when it last took a batch',
      registers: r,
    }),
    intakeBytes: new Gauge({
      name: 'asp_projector_intake_queued_bytes',
      help: 'Bytes of those records (bounded by ASP_PULL_BYTES_MAX)',
      registers: r,
    }),
    youngGcs: new Counter({
      name: 'asp_projector_young_gc_total',
      help: 'Collections of the young generation run between batches (ASP_YOUNG_GC_PERCENT); their time is in asp_projector_nodejs_gc_duration_seconds{kind="minor"}',
      registers: r,
    }),
    cacheDocs: new Gauge({
      name: 'asp_projector_cache_docs',
      help: 'Documents in the write cache',
      registers: r,
    }),
  };
}

export type ProjectorMetrics = ReturnType<typeof createProjectorMetrics>;
