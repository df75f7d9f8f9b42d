import { Reconnects } from '@asp/nats';
import { type CommandResult, contentTypeOf, decodeResults, HEADER_CONTENT_TYPE } from '@asp/protocol';
import { createInbox, type Msg, type NatsConnection, type Subscription } from '@nats-io/nats-core';
import { deliver } from './delivery.ts';
import { closedError } from './errors.ts';
import type { ResolvedOptions } from './options.ts';
import { PendingResults } from './pending.ts';
import { ReplyRouter } from './replies.ts';
import type { ClientStats } from './stats.ts';
import { NatsWire } from './wire.ts';

/**
 * Messages in flight on one connection: the reply subscription, the wire, and the set of
 * messages waiting for results (so close() can fail them).
 */
export class Messenger {
  readonly #o: ResolvedOptions;
  readonly #stats: ClientStats;
  readonly #wire: NatsWire;
  readonly #router = new ReplyRouter<Msg>(createInbox());
  readonly #sub: Subscription;
  readonly #active = new Set<PendingResults>();
  /** Message ids are `<clientId>-<token>`: unique across clients, stable across republishes. */
  readonly #clientId: string;

  constructor(nc: NatsConnection, clientId: string, o: ResolvedOptions, stats: ClientStats) {
    this.#o = o;
    this.#stats = stats;
    this.#clientId = clientId;
    const reconnects = new Reconnects(nc);
    this.#wire = new NatsWire(nc, o, reconnects);
    // Replies published while the connection was down are lost: every message waiting for
    // one looks its results up now, not after the rest of its resultTimeoutMs.
    reconnects.onReconnect(() => {
      for (const p of this.#active) p.nudge();
    });
    this.#sub = nc.subscribe(this.#router.wildcard, {
      callback: (err, msg) => {
        if (!err) this.#router.dispatch(msg.subject, msg);
      },
    });
  }

  get inflight(): number {
    return this.#active.size;
  }

  get repliesUnknown(): number {
    return this.#router.unknown;
  }

  /** Publishes an encoded message and resolves with its results (see delivery.ts). */
  async deliver(ids: string[], bytes: Uint8Array): Promise<CommandResult[]> {
    const pending = new PendingResults(ids);
    const { token, subject } = this.#router.open((msg) => this.#onReply(pending, msg));
    this.#active.add(pending);
    this.#stats.messagesSent++;
    this.#stats.commandsSent += ids.length;
    try {
      const out = { ids, bytes, msgId: `${this.#clientId}-${token}`, replyTo: subject };
      const results = await deliver(this.#wire, out, pending, this.#o, this.#stats);
      this.#stats.messagesDone++;
      return results;
    } finally {
      this.#router.close(token);
      this.#active.delete(pending);
    }
  }

  /** Stored results by id, split into requests of at most commandsPerMessageMax ids. */
  async lookup(ids: readonly string[]): Promise<(CommandResult | null)[]> {
    const chunk = this.#o.limits.commandsPerMessageMax;
    const out: (CommandResult | null)[] = [];
    for (let i = 0; i < ids.length; i += chunk)
      out.push(...(await this.#wire.lookup(ids.slice(i, i + chunk))));
    return out;
  }

  /** Fails every message still waiting (their outcome is unknown) and stops listening. */
  close(): void {
    for (const p of this.#active) p.fail(closedError(p.missingIds(), true));
    this.#sub.unsubscribe();
  }

  #onReply(pending: PendingResults, msg: Msg): void {
    const ct = contentTypeOf(msg.headers?.get(HEADER_CONTENT_TYPE));
    try {
      if (ct.ok && pending.onReply(decodeResults(msg.data, ct.value))) return;
    } catch {
      // An unreadable reply is ignored like a lost one: the look-up settles the message.
    }
    this.#stats.repliesInvalid++;
  }
}
