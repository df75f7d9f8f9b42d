import type { Engine } from '@asp/domain';
import { EVENTS_STREAM } from '@asp/protocol';
import type { Logger } from '@asp/service';
import { type JetStreamManager, jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import type { Db } from 'mongodb';
import { Applier } from './apply/applier.ts';
import type { DocCache } from './apply/cache.ts';
import { Intents } from './apply/intents.ts';
import { applyBatch, type BatchDeps } from './batch.ts';
import { type CheckpointDoc, Checkpoints, type Position } from './checkpoint.ts';
import type { ProjectorConfig } from './config.ts';
import { alignConsumer, consumerName, waitForStream } from './consumer.ts';
import { Intake } from './intake.ts';
import type { ProjectorMetrics } from './metrics.ts';
import { ensureReadModels } from './readmodels/collections.ts';
import { type WriteGuard, writeGuardOf } from './readmodels/server.ts';
import { pause } from './retry.ts';

export type Phase = 'starting' | 'waiting' | 'held' | 'serving' | 'stopping' | 'stopped';

export interface SessionDeps {
  cfg: ProjectorConfig;
  log: Logger;
  engine: Engine;
  cache: DocCache;
  db: Db;
  nc: NatsConnection;
  jsm: JetStreamManager;
  metrics: ProjectorMetrics;
  signal: AbortSignal;
  /** False once the projector is stopping: waits end, no new batch starts. */
  running: () => boolean;
  phase: (p: Phase) => void;
  /** A transient failure being retried (err), or over (undefined). */
  retrying: (err: unknown) => void;
}

/**
 * One stretch of projecting, from the checkpoint to the next reason to
 * reload it: a rebuild's fence, a record out of order, a failure, a stop.
 */
export class Session {
  readonly #d: SessionDeps;
  readonly #checkpoints: Checkpoints;
  #intake?: Intake;
  #epoch = 0;
  #guard: WriteGuard = 'atomic';
  #intents: Intents | undefined;
  applied: Position = { seq: 0, streamSeq: 0, ts: 0 };

  constructor(d: SessionDeps) {
    this.#d = d;
    this.#checkpoints = new Checkpoints(d.db);
  }

  /** Holds while fenced, creates the read models, aligns the consumer; false when stopped meanwhile. */
  async open(fromStart: boolean): Promise<boolean> {
    const { cfg, log, jsm } = this.#d;
    const p = cfg.ASP_PARTITION;
    this.#d.phase('waiting');
    if (!(await waitForStream(jsm, log, this.#d.signal))) return false;
    let cp = await this.#holdWhileFenced(await this.#checkpoints.load(p));
    // A heartbeat conditional on no fence: a rebuild that fences after it sees this
    // projector alive and waits for it to hold; one that fenced before makes it fail.
    while (this.#d.running() && !(await this.#checkpoints.heartbeat(p, cp.epoch))) {
      cp = await this.#holdWhileFenced(await this.#checkpoints.load(p));
    }
    if (!this.#d.running()) return false;
    this.#guard = await writeGuardOf(this.#d.db);
    // A delete-then-insert step a crash cut short (FerretDB) is finished before anything is read.
    this.#intents = this.#guard === 'id-only' ? new Intents(this.#d.db, p, cp.epoch) : undefined;
    if (await this.#intents?.redo(this.#d.db)) log.warn('redid the write step a crash had interrupted');
    await ensureReadModels(
      this.#d.db,
      this.#d.engine.domains.flatMap((d) => d.aggregates.map((a) => a.type)),
      this.#guard,
    );
    // The cache may hold documents of collections a rebuild replaced: start cold.
    this.#d.cache.clear();
    this.#epoch = cp.epoch;
    this.applied = { seq: cp.seq, streamSeq: cp.streamSeq, ts: cp.recordTs?.getTime() ?? 0 };
    this.#d.metrics.appliedSeq.set(cp.seq);
    const after = fromStart ? 0 : cp.streamSeq;
    const limits = {
      ackWaitMs: cfg.ASP_ACK_WAIT_MS,
      ackPendingMax: Math.max(cfg.ASP_PULL_RECORDS_MAX * 4, 1024),
    };
    await alignConsumer(jsm, p, after, limits, log);
    const consumer = await jetstream(this.#d.nc).consumers.get(EVENTS_STREAM, consumerName(p));
    this.#intake = await Intake.open(consumer, {
      recordsMax: cfg.ASP_PULL_RECORDS_MAX,
      bytesMax: cfg.ASP_PULL_BYTES_MAX,
    });
    this.#d.phase('serving');
    log.info({ partition: p, seq: cp.seq, afterStreamSeq: after, epoch: cp.epoch }, 'projecting');
    return true;
  }

  /** While a rebuild holds the partition: acknowledge once, lift the fence if it lapsed, poll. */
  async #holdWhileFenced(first: CheckpointDoc): Promise<CheckpointDoc> {
    const { cfg, log } = this.#d;
    let cp = first;
    while (cp.fence && this.#d.running()) {
      this.#d.phase('held');
      const { by, until, heldAt } = cp.fence;
      if (!heldAt) {
        // Nothing is in flight here (no batch runs while opening): the rebuild may swap.
        await this.#checkpoints.acknowledge(cfg.ASP_PARTITION, by);
        log.info({ rebuild: by, until }, 'holding: a rebuild is swapping the read models');
      }
      if (until.getTime() < Date.now() && (await this.#checkpoints.breakLapsed(cfg.ASP_PARTITION, by))) {
        log.warn({ rebuild: by, until }, 'lifted a lapsed rebuild fence (did the rebuild stop?)');
      }
      await pause(cfg.ASP_POLL_MS, this.#d.signal);
      cp = await this.#checkpoints.load(cfg.ASP_PARTITION);
    }
    return cp;
  }

  /** Batches until the session must end: fenced, closed (stopping), or a failure (thrown). */
  async serve(): Promise<void> {
    const { cfg, metrics, cache } = this.#d;
    const deps: BatchDeps = {
      partition: cfg.ASP_PARTITION,
      applier: new Applier({
        db: this.#d.db,
        engine: this.#d.engine,
        cache,
        guard: this.#guard,
        ...(this.#intents ? { intents: this.#intents } : {}),
      }),
      checkpoints: this.#checkpoints,
      metrics,
      log: this.#d.log,
      signal: this.#d.signal,
      ackWaitMs: cfg.ASP_ACK_WAIT_MS,
      retryDelayMsMax: cfg.ASP_RETRY_DELAY_MS_MAX,
      onRetry: this.#d.retrying,
    };
    const limits = { recordsMax: cfg.ASP_BATCH_RECORDS_MAX, bytesMax: cfg.ASP_BATCH_BYTES_MAX, lingerMs: 0 };
    while (this.#d.running()) {
      const msgs = await this.#intake!.take(limits, cfg.ASP_POLL_MS);
      if (!msgs) return;
      if (msgs.length === 0) {
        if (!(await this.#checkpoints.heartbeat(cfg.ASP_PARTITION, this.#epoch))) return;
        // Caught up and MongoDB answers: whatever failed before is over.
        this.#d.retrying(undefined);
        continue;
      }
      const began = Date.now();
      const out = await applyBatch(deps, msgs, this.applied, this.#epoch);
      // The next batch may wait for more records as long as this one took (see ASP_BATCH_LINGER_MS).
      limits.lingerMs = Math.min(cfg.ASP_BATCH_LINGER_MS, Date.now() - began);
      this.applied = out.applied;
      metrics.cacheDocs.set(cache.size);
      if (out.kind === 'fenced') return;
    }
  }

  /** Stops pulling; what was delivered and not acknowledged comes again. */
  async close(): Promise<void> {
    await this.#intake?.close().catch(() => {});
  }
}
