import { join } from 'node:path';
import { createEngine, type Engine } from '@asp/domain';
import { connectNats, Reconnects } from '@asp/nats';
import { COMMANDS_STREAM, readModelConsumer } from '@asp/protocol';
import { type Health, type Logger, type OpsServer, startOpsServer } from '@asp/service';
import { StateStore } from '@asp/state';
import { Wal, type WalOptions } from '@asp/wal';
import { type JetStreamClient, type JetStreamManager, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { complete, prepare } from './committer.ts';
import type { SequencerConfig } from './config.ts';
import { serveStateDump } from './dump.ts';
import { IDLE } from './flow.ts';
import { FlowControl } from './flowControl.ts';
import { Intake } from './intake.ts';
import { serveLookups } from './lookup.ts';
import { createSequencerMetrics, type SequencerMetrics } from './metrics.ts';
import type { PendingBatch } from './pending.ts';
import { recover } from './recovery.ts';
import { Relay } from './relay.ts';
import { registerStateMetrics } from './state-metrics.ts';
import { consumerName, ensureStreams } from './streams.ts';

type Phase = 'starting' | 'serving' | 'draining' | 'stopped' | 'failed';

/**
 * One partition's single writer. `start()` recovers LevelDB from the WAL,
 * resumes the relay from ASP_EVENTS, then commits batches until `stop()`
 * (drain: finish the batch in hand, flush the relay) or a fatal error
 * (fail closed: nothing more is acknowledged; the process should exit and
 * be restarted, recovery picks up from the WAL).
 */
export class Sequencer {
  readonly metrics: SequencerMetrics = createSequencerMetrics();
  readonly #cfg: SequencerConfig;
  readonly #log: Logger;
  readonly #engine: Engine;
  #phase: Phase = 'starting';
  #failure: unknown;
  #nc?: NatsConnection;
  #jsm?: JetStreamManager;
  #wal?: Wal;
  #state?: StateStore;
  #relay?: Relay;
  #intake?: Intake;
  #flow?: FlowControl;
  #ops?: OpsServer;
  #loop?: Promise<void>;
  #lookups?: { close(): Promise<void> };
  #dump?: { close(): Promise<void> };
  /** Resolves once the sequencer failed; main() exits non-zero on it. */
  readonly failed: Promise<unknown>;
  #onFail!: (err: unknown) => void;

  readonly #walIo: WalOptions['io'];

  /** `walIo` replaces the WAL's write path: fault-injection tests make fsync fail with it. */
  constructor(cfg: SequencerConfig, log: Logger, opts: { engine?: Engine; walIo?: WalOptions['io'] } = {}) {
    this.#cfg = cfg;
    this.#log = log;
    this.#engine = opts.engine ?? createEngine();
    this.#walIo = opts.walIo;
    registerStateMetrics(this.metrics.registry, () => (this.#phase === 'serving' ? this.#state : undefined));
    this.failed = new Promise((resolve) => {
      this.#onFail = resolve;
    });
  }

  get httpPort(): number | undefined {
    return this.#ops?.port;
  }

  async start(): Promise<void> {
    const cfg = this.#cfg;
    const dir = cfg.ASP_DATA_DIR;
    this.#ops = await startOpsServer({
      host: cfg.ASP_HTTP_HOST,
      port: cfg.ASP_HTTP_PORT,
      registry: this.metrics.registry,
      health: () => this.health(),
    });
    this.#wal = await Wal.open(join(dir, 'wal'), {
      segmentBytesMax: cfg.ASP_WAL_SEGMENT_BYTES_MAX,
      onTruncate: (info) => this.#log.warn(info, 'WAL: torn last record truncated'),
      ...(this.#walIo ? { io: this.#walIo } : {}),
    });
    this.#state = await StateStore.open(join(dir, 'state'), {
      resultsRetainMax: cfg.ASP_RESULTS_RETAIN_MAX,
      aggregateCacheEntriesMax: cfg.ASP_AGGREGATE_CACHE_ENTRIES_MAX,
      filterBytesMax: cfg.ASP_STATE_FILTER_BYTES_MAX,
      openFilesMax: cfg.ASP_LEVELDB_OPEN_FILES_MAX,
      writeBufferBytes: cfg.ASP_LEVELDB_WRITE_BUFFER_BYTES,
    });
    await recover(this.#engine, this.#wal, this.#state, this.#log.child({ module: 'recovery' }));

    const nc = await connectNats({ servers: cfg.NATS_URL, name: `sequencer-${cfg.ASP_PARTITION}` });
    this.#nc = nc;
    const jsm = await jetstreamManager(nc);
    this.#jsm = jsm;
    await ensureStreams(jsm, cfg);
    const js: JetStreamClient = jetstream(nc);
    this.#relay = new Relay({
      js,
      reconnects: new Reconnects(nc),
      jsm,
      partition: cfg.ASP_PARTITION,
      wal: this.#wal,
      log: this.#log.child({ module: 'relay' }),
      bufferRecordsMax: cfg.ASP_RELAY_BUFFER_RECORDS_MAX,
      bufferBytesMax: cfg.ASP_RELAY_BUFFER_BYTES_MAX,
      onPublished: (seq, bytes) => {
        this.metrics.publishedSeq.set(seq);
        this.metrics.relayBytes.inc(bytes);
        this.metrics.relayLag.set(this.#relay?.lag ?? 0);
        this.#retain();
      },
    });
    await this.#relay.start(this.#wal.lastSeq);
    this.#flow = new FlowControl({
      jsm,
      consumer: readModelConsumer(cfg.ASP_PARTITION),
      targetMs: cfg.ASP_FLOW_LAG_TARGET_MS,
      pollMs: cfg.ASP_FLOW_POLL_MS,
      stallMs: cfg.ASP_FLOW_STALL_MS,
      publishedSeq: () => this.#relay?.publishedSeq ?? 0,
      metrics: this.metrics,
      log: this.#log.child({ module: 'flow' }),
    });
    this.#flow.start(this.#wal.lastSeq);
    this.#lookups = serveLookups(nc, cfg.ASP_PARTITION, this.#state, this.metrics, this.#log);
    this.#dump = serveStateDump(nc, cfg.ASP_PARTITION, this.#state, this.#log);

    this.#intake = await this.#openIntake(js);
    this.#phase = 'serving';
    this.metrics.walSeq.set(this.#wal.lastSeq);
    this.metrics.appliedSeq.set(this.#state.appliedSeq);
    this.#log.info(
      { partition: cfg.ASP_PARTITION, walLastSeq: this.#wal.lastSeq, publishedSeq: this.#relay.publishedSeq },
      'sequencer serving',
    );
    this.#loop = this.#run(js, nc);
  }

  async #run(js: JetStreamClient, nc: NatsConnection): Promise<void> {
    const deps = {
      partition: this.#cfg.ASP_PARTITION,
      engine: this.#engine,
      wal: this.#wal!,
      state: this.#state!,
      relay: this.#relay!,
      nc,
      js,
      metrics: this.metrics,
      log: this.#log,
      deliveriesMax: this.#cfg.ASP_DELIVERIES_MAX,
    };
    const limits = { messagesMax: this.#cfg.ASP_BATCH_MESSAGES_MAX, bytesMax: this.#cfg.ASP_BATCH_BYTES_MAX };
    // The commit pipeline: batch n is decided while batch n-1's fsync runs.
    // Completions are chained, so batches are applied and answered in order,
    // each only after its own fsync; at most one batch is in flight (decided,
    // not yet applied) while the next is decided against it.
    let nextSeq = this.#wal!.lastSeq + 1;
    let tail: Promise<void> = Promise.resolve();
    let beforeTail: Promise<void> = Promise.resolve();
    let inFlight: PendingBatch | undefined;
    const flow = this.#flow!;
    try {
      for (;;) {
        // Flow control waits here, between batches: the batch in flight still completes.
        const msgs = await this.#intake!.take(limits, () => flow.ready());
        if (!msgs) {
          if (this.#intake!.gone && this.#phase === 'serving') {
            // Someone deleted the commands consumer (or the stream). Everything it delivered
            // was taken; once those batches are done, a new consumer takes over. Acks sent
            // after the deletion went nowhere: the new consumer redelivers those messages and
            // the result index answers them with their first result.
            await tail;
            this.#intake = await this.#recreateIntake(js);
            // stop() meanwhile closed the old intake: close this one, and take() ends the loop.
            if (this.#phase !== 'serving') this.#intake.close();
            continue;
          }
          if (this.#intake!.failure) throw this.#intake!.failure;
          break;
        }
        this.metrics.intakeMessages.set(this.#intake!.queued);
        this.metrics.intakeBytes.set(this.#intake!.queuedBytes);
        await beforeTail;
        const p = await prepare(deps, msgs, inFlight, nextSeq);
        if (!p) continue;
        const items = p.counts.items;
        flow.admitted(items);
        if (p.seq !== undefined) nextSeq++;
        const before = tail;
        const done = before.then(() => complete(deps, p));
        const pending = p.pending;
        if (pending) inFlight = pending;
        const seq = p.seq;
        done.then(
          () => {
            if (inFlight === pending) inFlight = undefined;
            if (seq !== undefined) flow.committed(seq, items);
            this.metrics.relayLag.set(this.#relay!.lag);
          },
          (err: unknown) => this.#fail(err),
        );
        beforeTail = before;
        tail = done;
      }
      await tail;
    } catch (err) {
      this.#fail(err);
    }
  }

  async #openIntake(js: JetStreamClient): Promise<Intake> {
    const cfg = this.#cfg;
    const consumer = await js.consumers.get(COMMANDS_STREAM, consumerName(cfg.ASP_PARTITION));
    return Intake.open(consumer, {
      pullBytesMax: cfg.ASP_PULL_BYTES_MAX,
      pullMessagesMax: cfg.ASP_ACK_PENDING_MAX,
      payloadMax: this.#nc?.info?.max_payload,
    });
  }

  /**
   * The consumer as at start (ensureStreams is idempotent): without this the sequencer would
   * wait forever on a consumer that no longer exists, healthy by every other measure. If that
   * fails, the failure is fatal as it would be at start.
   */
  async #recreateIntake(js: JetStreamClient): Promise<Intake> {
    this.#log.warn(
      { err: this.#intake?.failure },
      'the commands consumer or its stream was deleted: recreating it; unacknowledged commands are redelivered',
    );
    this.metrics.consumerRecreated.inc();
    await ensureStreams(this.#jsm!, this.#cfg);
    return this.#openIntake(js);
  }

  /** Fail closed: stop taking and acknowledging; the process must restart and recover. */
  #fail(err: unknown): void {
    if (this.#phase === 'failed') return;
    this.#phase = 'failed';
    this.#failure = err;
    this.#log.fatal(
      { err },
      'sequencer failed: nothing more will be acknowledged; restart to recover from the WAL',
    );
    this.#intake?.close();
    this.#flow?.stop();
    this.#onFail(err);
  }

  /** WAL segments can go once LevelDB applied them and ASP_EVENTS holds them. */
  #retain(): void {
    const upto = Math.min(this.#state!.appliedSeq, this.#relay!.publishedSeq);
    this.#wal!.removeSegmentsBefore(upto + 1).catch((err: unknown) =>
      this.#log.warn({ err }, 'WAL retention failed; will retry after the next publish'),
    );
  }

  health(): Health {
    return {
      ok: this.#phase === 'serving',
      phase: this.#phase,
      partition: this.#cfg.ASP_PARTITION,
      walLastSeq: this.#wal?.lastSeq ?? 0,
      appliedSeq: this.#state?.appliedSeq ?? 0,
      publishedSeq: this.#relay?.publishedSeq ?? 0,
      relayLag: this.#relay?.lag ?? 0,
      flow: this.#flow?.verdict ?? IDLE,
      ...(this.#failure ? { error: String(this.#failure) } : {}),
    };
  }

  /** Drain: stop pulling, finish the batch in hand, flush the relay, close everything. */
  async stop(): Promise<void> {
    if (this.#phase === 'serving') this.#phase = 'draining';
    this.#intake?.close();
    this.#flow?.stop();
    await this.#loop;
    const flushed = await this.#relay?.drain(this.#cfg.ASP_DRAIN_TIMEOUT_MS);
    if (flushed === false)
      this.#log.warn('relay not flushed before the drain timeout; it resumes from the WAL');
    await this.#lookups?.close();
    await this.#dump?.close();
    await this.#nc?.drain().catch(() => {});
    await this.#state?.close();
    await this.#wal?.close();
    await this.#ops?.close();
    if (this.#phase !== 'failed') this.#phase = 'stopped';
  }
}
