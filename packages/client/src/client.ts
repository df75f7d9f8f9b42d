import { assertNatsServer, connectNats } from '@asp/nats';
import { type CommandResult, encodeEnvelope, type WireCommand } from '@asp/protocol';
import { type NatsConnection, nuid } from '@nats-io/nats-core';
import { Batcher, type Queued } from './batcher.ts';
import { ClientError, closedError } from './errors.ts';
import { Messenger } from './messenger.ts';
import { type AspClientOptions, type ResolvedOptions, resolveOptions } from './options.ts';
import { Slots } from './slots.ts';
import { type ClientStats, emptyStats } from './stats.ts';
import { checkBatch, checkCommand, checkMessageSize } from './validate.ts';

export interface AspConnectOptions extends AspClientOptions {
  /** The NATS server URL, e.g. nats://127.0.0.1:4222. */
  servers: string;
  /** Connection name shown by the server. Default 'asp-client'. */
  name?: string;
}

export interface ClientSnapshot extends ClientStats {
  inflightMessages: number;
  queuedCommands: number;
}

/** Room for the headers (reply subject, msg id, content type) next to the payload. */
const HEADERS_BYTES_MAX = 1024;
const CLOSE_POLL_MS = 10;

/**
 * The producer SDK: publishes command messages to a partition and resolves each with the
 * sequencer's results. Only a result is a commit: a message is retried (look-up, then
 * republish with the same ids) until it has one, or rejected with an unknown outcome.
 */
export class AspClient {
  /** Unique per client; message ids (JetStream dedupe) derive from it. */
  readonly id: string = nuid.next();
  /** The largest encoded message this client sends (protocol limit and server max_payload). */
  readonly messageBytesMax: number;
  readonly #nc: NatsConnection;
  readonly #owned: boolean;
  readonly #o: ResolvedOptions;
  readonly #stats = emptyStats();
  readonly #messenger: Messenger;
  readonly #slots: Slots;
  readonly #batcher: Batcher<WireCommand, CommandResult>;
  #closing: Promise<void> | undefined;

  private constructor(nc: NatsConnection, owned: boolean, options: AspClientOptions) {
    this.#o = resolveOptions(options);
    this.#nc = nc;
    this.#owned = owned;
    const payloadMax = (nc.info?.max_payload ?? Number.MAX_SAFE_INTEGER) - HEADERS_BYTES_MAX;
    this.messageBytesMax = Math.min(this.#o.limits.messageBytesMax, payloadMax);
    this.#messenger = new Messenger(nc, this.id, this.#o, this.#stats);
    this.#slots = new Slots(this.#o.inflightMessagesMax);
    this.#batcher = new Batcher(
      this.#o,
      this.#slots,
      (b) => this.#dispatch(b),
      (c) => c.id,
    );
  }

  /** Connects to NATS (reconnecting forever) and owns the connection: `close()` closes it. */
  static async connect(options: AspConnectOptions): Promise<AspClient> {
    resolveOptions(options); // fail on bad options before connecting
    const nc = await connectNats({ servers: options.servers, name: options.name ?? 'asp-client' });
    try {
      return new AspClient(nc, true, options);
    } catch (err) {
      await nc.close();
      throw err;
    }
  }

  /** Uses an existing connection; `close()` leaves it open. */
  static create(nc: NatsConnection, options: AspClientOptions = {}): AspClient {
    assertNatsServer(nc);
    return new AspClient(nc, false, options);
  }

  /**
   * Sends one message: its commands are decided together, in order, linked groups atomically.
   * Resolves with one result per command, positionally. Rejects with ASP_ERR_CLIENT_INVALID_BATCH
   * or ASP_ERR_CLIENT_TOO_LARGE (nothing sent), ASP_ERR_CLIENT_RESULT_TIMEOUT (outcome unknown),
   * ASP_ERR_CLIENT_CLOSED or ASP_ERR_CLIENT_MESSAGE_REJECTED.
   */
  async send(commands: WireCommand[]): Promise<CommandResult[]> {
    checkBatch(commands, this.#o.limits);
    const ids = commands.map((c) => c.id);
    if (this.#closing) throw closedError(ids, false);
    const bytes = encodeEnvelope({ v: 1, commands }, this.#o.contentType);
    checkMessageSize(bytes, this.messageBytesMax, ids);
    try {
      await this.#slots.acquire();
    } catch (err) {
      throw closedError(ids, false, err);
    }
    try {
      return await this.#messenger.deliver(ids, bytes);
    } finally {
      this.#slots.release();
    }
  }

  /**
   * Queues one command for automatic batching and resolves with its result. Not for linked
   * commands: an atomic group must travel in one message, so send it with `send`.
   */
  async submit(command: WireCommand): Promise<CommandResult> {
    checkCommand(command, 0, this.#o.limits);
    if (command.linked === true) {
      const message = 'linked commands must be sent together in one message with send(), not submit()';
      throw new ClientError('ASP_ERR_CLIENT_INVALID_BATCH', message, { ids: [command.id] });
    }
    if (this.#closing) throw closedError([command.id], false);
    return new Promise((resolve, reject) => this.#batcher.push({ item: command, resolve, reject }));
  }

  /** Stored results by id (null = none yet, or expired); rejects with ASP_ERR_CLIENT_LOOKUP. */
  lookup(ids: readonly string[]): Promise<(CommandResult | null)[]> {
    return this.#messenger.lookup(ids);
  }

  stats(): ClientSnapshot {
    return {
      ...this.#stats,
      repliesUnknown: this.#messenger.repliesUnknown,
      inflightMessages: this.#messenger.inflight,
      queuedCommands: this.#batcher.size,
    };
  }

  /**
   * Stops accepting commands, sends what is queued, waits up to `closeTimeoutMs` for in-flight
   * messages, then rejects the rest with ASP_ERR_CLIENT_CLOSED (their ids on the error).
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    const deadline = performance.now() + this.#o.closeTimeoutMs;
    const idle = () => this.#batcher.size === 0 && this.#slots.busy === 0 && this.#slots.waiting === 0;
    while (!idle() && performance.now() < deadline) await new Promise((r) => setTimeout(r, CLOSE_POLL_MS));
    this.#batcher.rejectAll((ids) => closedError(ids, false));
    this.#slots.rejectWaiters(closedError([], false));
    this.#messenger.close();
    if (this.#owned) await this.#nc.close();
  }

  /** The batcher's dispatch: one message for the batch, split when it encodes too large. */
  async #dispatch(batch: Queued<WireCommand, CommandResult>[]): Promise<void> {
    try {
      let bytes = this.#encodeBatch(batch);
      while (bytes.length > this.messageBytesMax && batch.length > 1) {
        this.#batcher.unshift(batch.splice(Math.ceil(batch.length / 2)));
        bytes = this.#encodeBatch(batch);
      }
      const ids = batch.map((q) => q.item.id);
      checkMessageSize(bytes, this.messageBytesMax, ids);
      const results = await this.#messenger.deliver(ids, bytes);
      for (let i = 0; i < batch.length; i++) batch[i]!.resolve(results[i]!);
    } catch (err) {
      for (const q of batch) q.reject(err);
    }
  }

  /**
   * Encodes a batch. A command that cannot be encoded (a bigint or a cycle in JSON) must not fail
   * the others that happen to share its message: it is rejected alone, the rest are queued again.
   */
  #encodeBatch(batch: Queued<WireCommand, CommandResult>[]): Uint8Array {
    const ct = this.#o.contentType;
    try {
      return encodeEnvelope({ v: 1, commands: batch.map((q) => q.item) }, ct);
    } catch (err) {
      if (batch.length === 1) throw err;
      const good = batch.splice(0).filter((q) => {
        try {
          encodeEnvelope({ v: 1, commands: [q.item] }, ct);
          return true;
        } catch (e) {
          q.reject(e);
          return false;
        }
      });
      this.#batcher.unshift(good);
      throw err; // `batch` is empty now: nothing else is rejected
    }
  }
}
