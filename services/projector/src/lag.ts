import { decodeValue, EVENTS_STREAM, eventSubject, HEADER_WAL_SEQ } from '@asp/protocol';
import type { Logger } from '@asp/service';
import type { JetStreamManager, StoredMsg } from '@nats-io/jetstream';
import type { Position } from './checkpoint.ts';
import { recordTs } from './decode.ts';
import type { ProjectorMetrics } from './metrics.ts';

function walSeq(m: StoredMsg): number {
  const h = Number(m.header?.get(HEADER_WAL_SEQ));
  if (Number.isSafeInteger(h)) return h;
  return Number((decodeValue(m.data, 'application/msgpack') as { seq?: unknown }).seq) || 0;
}

/** The commit time the sequencer stamped on the record; the stream's own time if the record will not say. */
function recordTime(m: StoredMsg): number {
  try {
    const ts = recordTs(m.data);
    if (typeof ts === 'number') return ts;
  } catch {
    // fall through to the stream's timestamp
  }
  return m.time.getTime();
}

export interface LagProbeOptions {
  jsm: JetStreamManager;
  partition: string;
  metrics: ProjectorMetrics;
  applied: () => Position;
  intervalMs: number;
  log: Logger;
}

/**
 * Measures how far the read models are behind, from NATS alone (so the lag
 * keeps growing in the metrics while MongoDB is down): the last WAL seq the
 * stream holds for the partition minus the applied one, and the age of the
 * oldest record not applied yet.
 */
export class LagProbe {
  lastSeq = 0;
  #timer: NodeJS.Timeout | undefined;
  #busy = false;

  readonly o: LagProbeOptions;

  constructor(o: LagProbeOptions) {
    this.o = o;
  }

  start(): void {
    this.#timer = setInterval(() => void this.probe(), this.o.intervalMs);
    this.#timer.unref();
    void this.probe();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  async probe(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      const subject = eventSubject(this.o.partition);
      const last = await this.o.jsm.direct.getMessage(EVENTS_STREAM, { last_by_subj: subject });
      this.lastSeq = last ? walSeq(last) : 0;
      const applied = this.o.applied();
      const lag = Math.max(0, this.lastSeq - applied.seq);
      this.o.metrics.lagRecords.set(lag);
      let seconds = 0;
      if (lag > 0) {
        const next = await this.o.jsm.direct.getMessage(EVENTS_STREAM, {
          seq: applied.streamSeq + 1,
          next_by_subj: subject,
        });
        if (next) seconds = Math.max(0, (Date.now() - recordTime(next)) / 1000);
      }
      this.o.metrics.lagSeconds.set(seconds);
    } catch (err) {
      this.o.log.debug({ err: String(err) }, 'lag probe failed');
    } finally {
      this.#busy = false;
    }
  }
}
