import type { Reconnects } from '@asp/nats';
import { EVENTS_STREAM, eventSubject, HEADER_CONTENT_TYPE, HEADER_WAL_SEQ } from '@asp/protocol';
import type { Logger } from '@asp/service';
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import { headers } from '@nats-io/nats-core';
import { SequencerError } from './errors.ts';

/** What the relay needs of the WAL: records it no longer holds in memory. */
export interface RecordSource {
  read(fromSeq: number): AsyncIterable<{ seq: number; payload: Uint8Array }>;
}

export interface RelayOptions {
  js: JetStreamClient;
  /** The connection's reconnects end the publish in flight (see `#publish`). */
  reconnects: Reconnects;
  jsm: JetStreamManager;
  partition: string;
  wal: RecordSource;
  log: Logger;
  /** Committed records kept in memory, by count and by bytes; the others are read back from the WAL. */
  bufferRecordsMax: number;
  bufferBytesMax: number;
  onPublished?: (seq: number, bytes: number) => void;
}

interface Position {
  /** WAL seq of the last record in ASP_EVENTS for this partition. */
  seq: number;
  /** Its stream sequence: the expectation for the next publish. */
  streamSeq: number;
}

const RETRY_MS_MIN = 100;
const RETRY_MS_MAX = 5000;

/**
 * Publishes every committed WAL record to ASP_EVENTS exactly once, in order.
 * Each publish expects the stream's last sequence on this partition's subject
 * to be the previous record's, so neither a retry nor a second relay can add
 * a duplicate or skip one, however long an outage lasts (the 2-minute msg-id
 * window alone would not cover that). The position is read back from the
 * stream at start: the stream, not a local counter, says what was published.
 */
export class Relay {
  readonly #o: RelayOptions;
  readonly #subject: string;
  readonly #buffer = new Map<number, Uint8Array>();
  #bufferBytes = 0;
  #pos: Position = { seq: 0, streamSeq: 0 };
  #committed = 0;
  #wake: (() => void) | undefined;
  #running = false;
  #loop: Promise<void> | undefined;

  constructor(o: RelayOptions) {
    this.#o = o;
    this.#subject = eventSubject(o.partition);
  }

  get publishedSeq(): number {
    return this.#pos.seq;
  }

  /** Reads the published position; `walLastSeq` guards against a stream ahead of the WAL. */
  async start(walLastSeq: number): Promise<void> {
    this.#pos = await this.#readPosition();
    if (this.#pos.seq > walLastSeq) {
      throw new SequencerError(
        'ASP_ERR_EVENTS_DIVERGED',
        `${EVENTS_STREAM} holds record ${this.#pos.seq} of partition ${this.#o.partition} but the WAL ends at ` +
          `${walLastSeq}: the WAL was lost or replaced; refusing to publish a second history`,
      );
    }
    this.#committed = walLastSeq;
    this.#running = true;
    this.#loop = this.#run();
  }

  /** Called after a record's fsync: the relay may now publish it. */
  offer(seq: number, payload: Uint8Array): void {
    this.#committed = seq;
    // A record that does not fit stays in the WAL only: records are up to
    // ASP_BATCH_BYTES_MAX each, so a count alone could hold gigabytes while
    // ASP_EVENTS is unreachable.
    const fits =
      this.#buffer.size < this.#o.bufferRecordsMax &&
      this.#bufferBytes + payload.length <= this.#o.bufferBytesMax;
    if (fits) {
      this.#buffer.set(seq, payload);
      this.#bufferBytes += payload.length;
    }
    this.#wake?.();
  }

  get lag(): number {
    return this.#committed - this.#pos.seq;
  }

  /** Waits until everything committed is published, or the time is up; then stops. */
  async drain(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.lag > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const done = this.lag === 0;
    this.#running = false;
    this.#wake?.();
    await this.#loop;
    return done;
  }

  async #readPosition(): Promise<Position> {
    const last = await this.#o.jsm.streams.getMessage(EVENTS_STREAM, { last_by_subj: this.#subject });
    if (!last) return { seq: 0, streamSeq: 0 };
    const seq = Number(last.header?.get(HEADER_WAL_SEQ));
    if (!Number.isSafeInteger(seq) || seq < 1) {
      throw new SequencerError(
        'ASP_ERR_EVENTS_DIVERGED',
        `${EVENTS_STREAM} message ${last.seq} on ${this.#subject} has no valid ${HEADER_WAL_SEQ} header`,
      );
    }
    return { seq, streamSeq: last.seq };
  }

  async #run(): Promise<void> {
    let backoff = RETRY_MS_MIN;
    while (this.#running) {
      if (this.#pos.seq >= this.#committed) {
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
        });
        this.#wake = undefined;
        continue;
      }
      try {
        await this.#publishFrom(this.#pos.seq + 1);
        backoff = RETRY_MS_MIN;
      } catch (err) {
        this.#o.log.warn(
          { err, seq: this.#pos.seq + 1 },
          'relay publish failed; re-reading position and retrying',
        );
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(backoff * 2, RETRY_MS_MAX);
        // After a failure we cannot know whether the last publish landed:
        // the stream says.
        this.#pos = await this.#readPosition().catch(() => this.#pos);
      }
    }
  }

  /** Publishes from the in-memory buffer, or from the WAL for records no longer buffered. */
  async #publishFrom(seq: number): Promise<void> {
    const buffered = this.#buffer.get(seq);
    if (buffered) {
      await this.#publish(seq, buffered);
      return;
    }
    for await (const rec of this.#o.wal.read(seq)) {
      if (!this.#running || rec.seq > this.#committed) break;
      await this.#publish(rec.seq, rec.payload);
      if (this.#buffer.has(rec.seq + 1)) break;
    }
  }

  async #publish(seq: number, payload: Uint8Array): Promise<void> {
    const h = headers();
    h.set(HEADER_WAL_SEQ, String(seq));
    h.set(HEADER_CONTENT_TYPE, 'application/msgpack');
    const published = this.#o.js.publish(this.#subject, payload, {
      headers: h,
      msgID: `${this.#o.partition}-${seq}`,
      expect: { lastSubjectSequence: this.#pos.streamSeq },
      timeout: 10_000,
    });
    // A publish in flight when the connection dropped gets no answer: the server that had it
    // may have restarted. nats.js would wait out its 10 s timeout, and the read models (and,
    // through flow control, the writes) with it. The reconnect ends the wait; the retry
    // re-reads the position, so a publish that did land is not repeated.
    const ack = await this.#o.reconnects.race(published);
    this.#pos = { seq, streamSeq: ack.seq };
    if (this.#buffer.delete(seq)) this.#bufferBytes -= payload.length;
    this.#o.onPublished?.(seq, payload.length);
  }
}
