import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { createEngine, type Engine } from '@asp/domain';
import { connectNats } from '@asp/nats';
import {
  type Health,
  type Logger,
  type OpsServer,
  startOpsServer,
  type YoungCollector,
  youngCollector,
} from '@asp/service';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { MongoClient } from 'mongodb';
import { DocCache } from './apply/cache.ts';
import type { Lease, Position } from './checkpoint.ts';
import type { ProjectorConfig } from './config.ts';
import { LagProbe } from './lag.ts';
import { createProjectorMetrics, type ProjectorMetrics } from './metrics.ts';
import { backoffMs, failureKind, OpenPolicy, pause } from './retry.ts';
import { type Phase, runningHere, Session } from './session.ts';

/**
 * One partition's projector: ASP_EVENTS → MongoDB read models. Sessions run
 * one after the other: each opens from the checkpoint and projects until it
 * must reload it (a rebuild's fence, a record out of order, a failure after
 * a backoff). Nothing is ever skipped: a record that cannot be applied is
 * retried, loudly, until it can.
 */
export class Projector {
  readonly metrics: ProjectorMetrics = createProjectorMetrics();
  readonly #cfg: ProjectorConfig;
  readonly #log: Logger;
  readonly #engine: Engine;
  readonly #cache: DocCache;
  readonly #youngGc: YoungCollector;
  readonly #abort = new AbortController();
  #stopping = false;
  #phase: Phase = 'starting';
  #mongo?: MongoClient;
  #nc?: NatsConnection;
  #session?: Session;
  #ops?: OpsServer;
  #lag?: LagProbe;
  #loop?: Promise<void>;
  #lastError: string | undefined;
  #failing = false;
  /** The applied seq at the last failure: the backoff resets once projecting moves past it. */
  #lastFailedAt: number | undefined;
  /** Unique per process: a restarted projector claims the partition anew. */
  readonly #lease: Lease;

  constructor(cfg: ProjectorConfig, log: Logger, engine: Engine = createEngine()) {
    this.#cfg = cfg;
    this.#log = log;
    this.#engine = engine;
    this.#cache = new DocCache(cfg.ASP_CACHE_DOCS_MAX);
    this.#youngGc = youngCollector(cfg.ASP_YOUNG_GC_PERCENT);
    if (cfg.ASP_YOUNG_GC_PERCENT > 0 && !this.#youngGc.available) {
      log.warn('V8 does not expose its collector here: ASP_YOUNG_GC_PERCENT has no effect');
    }
    this.#lease = { id: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`, ms: cfg.ASP_LEASE_MS };
  }

  get httpPort(): number | undefined {
    return this.#ops?.port;
  }

  get applied(): Position {
    return this.#session?.applied ?? { seq: 0, streamSeq: 0, ts: 0 };
  }

  async start(): Promise<void> {
    const cfg = this.#cfg;
    this.#ops = await startOpsServer({
      host: cfg.ASP_HTTP_HOST,
      port: cfg.ASP_HTTP_PORT,
      registry: this.metrics.registry,
      health: () => this.health(),
    });
    // The driver connects lazily and reconnects by itself. retryWrites is off: FerretDB
    // has no sessions, and every write here is idempotent anyway.
    this.#mongo = new MongoClient(cfg.MONGO_URL, {
      serverSelectionTimeoutMS: cfg.ASP_MONGO_TIMEOUT_MS,
      retryWrites: false,
      ignoreUndefined: true,
      appName: `projector-${cfg.ASP_PARTITION}`,
    });
    this.#nc = await connectNats({ servers: cfg.NATS_URL, name: `projector-${cfg.ASP_PARTITION}` });
    const jsm = await jetstreamManager(this.#nc);
    this.#lag = new LagProbe({
      jsm,
      partition: cfg.ASP_PARTITION,
      metrics: this.metrics,
      applied: () => this.applied,
      intervalMs: cfg.ASP_LAG_POLL_MS,
      log: this.#log,
    });
    this.#lag.start();
    runningHere.add(this.#lease.id);
    this.#loop = this.#run(jsm);
  }

  #running = (): boolean => !this.#stopping && !this.#abort.signal.aborted;

  async #run(jsm: Awaited<ReturnType<typeof jetstreamManager>>): Promise<void> {
    const opening = new OpenPolicy();
    for (let attempt = 0; this.#running(); ) {
      const session = new Session({
        cfg: this.#cfg,
        log: this.#log,
        engine: this.#engine,
        cache: this.#cache,
        youngGc: this.#youngGc,
        db: this.#mongo!.db(this.#cfg.ASP_MONGO_DB),
        nc: this.#nc!,
        jsm,
        metrics: this.metrics,
        signal: this.#abort.signal,
        running: this.#running,
        phase: (p) => {
          this.#phase = p;
        },
        retrying: (err) => this.#retrying(err),
        lease: this.#lease,
      });
      if (this.#session) session.applied = this.#session.applied;
      this.#session = session;
      try {
        if (!(await session.open(opening.fromStart))) break;
        opening.opened();
        await session.serve();
      } catch (err) {
        if (!this.#running()) break;
        // The backoff grows while nothing gets applied: a failure that keeps coming back
        // (a version gap) is retried every few seconds, not in a tight loop.
        attempt = session.applied.seq > (this.#lastFailedAt ?? -1) ? 1 : attempt + 1;
        this.#lastFailedAt = session.applied.seq;
        const kind = failureKind(err);
        opening.failed(kind, session.applied.seq);
        this.#fail(err, kind);
        await pause(backoffMs(attempt, this.#cfg.ASP_RETRY_DELAY_MS_MAX), this.#abort.signal);
      } finally {
        await session.close();
        // Only now, with no batch in hand: a projector standing by may write from here on.
        if (!this.#running()) await session.resign();
      }
    }
  }

  #fail(err: unknown, kind: string): void {
    this.metrics.errors.inc({ kind });
    this.#retrying(err);
    const level = kind === 'mongo' ? 'warn' : 'error';
    this.#log[level]({ err, kind }, 'projection interrupted; reloading from the checkpoint after a pause');
  }

  #retrying(err: unknown): void {
    this.#failing = err !== undefined;
    if (err !== undefined) this.#lastError = err instanceof Error ? err.message : String(err);
  }

  health(): Health {
    const applied = this.applied.seq;
    const streamLastSeq = this.#lag?.lastSeq ?? 0;
    return {
      ok: !this.#failing && this.#phase !== 'stopped',
      phase: this.#phase,
      partition: this.#cfg.ASP_PARTITION,
      appliedSeq: applied,
      streamLastSeq,
      lagRecords: Math.max(0, streamLastSeq - applied),
      ...(this.#failing && this.#lastError ? { error: this.#lastError } : {}),
    };
  }

  /** Drain: stop pulling, let the batch in hand finish (bounded), close everything. */
  async stop(): Promise<void> {
    this.#stopping = true;
    // Waiting for the stream or held by a rebuild: nothing in hand, no reason to wait.
    if (this.#phase !== 'serving') this.#abort.abort();
    this.#phase = 'stopping';
    await this.#session?.close();
    const drained = await Promise.race([
      this.#loop?.then(() => true),
      pause(this.#cfg.ASP_DRAIN_TIMEOUT_MS).then(() => false),
    ]);
    if (!drained)
      this.#log.warn('the batch in hand did not finish before the drain timeout; it is redone at restart');
    this.#abort.abort();
    await this.#loop;
    this.#lag?.stop();
    await this.#nc?.drain().catch(() => {});
    await this.#mongo?.close().catch(() => {});
    await this.#ops?.close();
    runningHere.delete(this.#lease.id);
    this.#phase = 'stopped';
  }
}
