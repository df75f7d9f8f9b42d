import type { Reconnects } from '@asp/nats';
import {
  type CommandResult,
  type ContentType,
  commandSubject,
  contentTypeOf,
  decodeLookupResponse,
  encodeLookupRequest,
  HEADER_CONTENT_TYPE,
  HEADER_REPLY_TO,
  resultLookupSubject,
} from '@asp/protocol';
import { type JetStreamClient, jetstream } from '@nats-io/jetstream';
import { headers, type NatsConnection } from '@nats-io/nats-core';
import type { OutMessage, Wire } from './delivery.ts';
import { ClientError } from './errors.ts';

export interface WireOptions {
  partition: string;
  contentType: ContentType;
  publishTimeoutMs: number;
  lookupTimeoutMs: number;
}

/** The NATS side of a delivery: JetStream publishes and result look-ups (core request/reply). */
export class NatsWire implements Wire {
  readonly #nc: NatsConnection;
  readonly #js: JetStreamClient;
  readonly #o: WireOptions;
  readonly #commandSubject: string;
  readonly #lookupSubject: string;
  readonly #reconnects: Reconnects;

  /**
   * A publish or look-up in flight when the connection dropped gets no answer; `reconnects`
   * ends its wait at the reconnect instead of at its timeout (both are safe to repeat).
   */
  constructor(nc: NatsConnection, o: WireOptions, reconnects: Reconnects) {
    this.#nc = nc;
    this.#reconnects = reconnects;
    this.#js = jetstream(nc);
    this.#o = o;
    this.#commandSubject = commandSubject(o.partition);
    this.#lookupSubject = resultLookupSubject(o.partition);
  }

  get closed(): boolean {
    return this.#nc.isClosed();
  }

  async publish(out: OutMessage): Promise<void> {
    const h = headers();
    h.set(HEADER_REPLY_TO, out.replyTo);
    h.set(HEADER_CONTENT_TYPE, this.#o.contentType);
    // A duplicate ack (the first copy is still in the stream) is success too.
    await this.#reconnects.race(
      this.#js.publish(this.#commandSubject, out.bytes, {
        msgID: out.msgId,
        headers: h,
        timeout: this.#o.publishTimeoutMs,
      }),
    );
  }

  /** One request for at most commandsPerMessageMax ids (the caller splits). */
  async lookup(ids: readonly string[]): Promise<(CommandResult | null)[]> {
    const ct = this.#o.contentType;
    const h = headers();
    h.set(HEADER_CONTENT_TYPE, ct);
    let reply: Awaited<ReturnType<NatsConnection['request']>>;
    try {
      const request = encodeLookupRequest({ v: 1, ids: [...ids] }, ct);
      reply = await this.#reconnects.race(
        this.#nc.request(this.#lookupSubject, request, { timeout: this.#o.lookupTimeoutMs, headers: h }),
      );
    } catch (err) {
      throw lookupError(`no answer from the sequencer of partition ${this.#o.partition}`, err);
    }
    const replyCt = contentTypeOf(reply.headers?.get(HEADER_CONTENT_TYPE));
    if (!replyCt.ok) throw lookupError(replyCt.error.message);
    let response: ReturnType<typeof decodeLookupResponse>;
    try {
      response = decodeLookupResponse(reply.data, replyCt.value);
    } catch (err) {
      throw lookupError('unreadable answer', err);
    }
    if ('error' in response) throw lookupError(`${response.error.code}: ${response.error.message}`);
    const results = response.results;
    const matches = results.length === ids.length && results.every((r, i) => r === null || r.id === ids[i]);
    if (!matches) throw lookupError('the answer does not match the ids asked for');
    return results;
  }
}

function lookupError(reason: string, cause?: unknown): ClientError {
  return new ClientError('ASP_ERR_CLIENT_LOOKUP', `result look-up failed: ${reason}`, { cause });
}
