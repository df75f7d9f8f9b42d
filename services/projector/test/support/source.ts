import { createEngine, type Engine, MemoryState, withSeq } from '@asp/domain';
import {
  type CommitRecord,
  EVENTS_STREAM,
  encodeCommitRecord,
  eventSubject,
  HEADER_WAL_SEQ,
  type WireCommand,
} from '@asp/protocol';
import {
  DiscardPolicy,
  type JetStreamClient,
  type JetStreamManager,
  RetentionPolicy,
  StorageType,
} from '@nats-io/jetstream';
import { headers } from '@nats-io/nats-core';
import { Workload } from './workload.ts';

/**
 * A stand-in for the sequencer, for tests of the projector's input contract:
 * decides commands with the real engine against a MemoryState and makes the
 * commit records the sequencer would publish. `state` is the truth the read
 * models must equal.
 */
export class RecordSource {
  readonly engine: Engine = createEngine();
  readonly state = new MemoryState();
  readonly partition: string;
  seq = 0;
  /** Every record made, by seq − 1. */
  readonly records: CommitRecord[] = [];

  constructor(partition: string) {
    this.partition = partition;
  }

  commit(commands: readonly WireCommand[], ts = Date.now()): CommitRecord {
    const items = commands.map((c) => this.engine.validate(c));
    const out = this.engine.decideBatch(items, this.state);
    this.state.apply(out.changed);
    this.seq += 1;
    const record: CommitRecord = {
      v: 1,
      partition: this.partition,
      seq: this.seq,
      ts,
      results: withSeq(out.results, this.seq),
      events: out.events,
    };
    this.records.push(record);
    return record;
  }
}

/**
 * A source with a workload's set-up committed, then `batches` records of `commands` load
 * commands each; the workload goes on from there.
 */
export function seededSource(
  partition: string,
  seed: number,
  batches: number,
  commands: number,
): { src: RecordSource; w: Workload } {
  const src = new RecordSource(partition);
  const w = new Workload(seed, partition);
  src.commit(w.setup());
  for (let i = 0; i < batches; i++) src.commit(w.next(commands));
  return { src, w };
}

/** ASP_EVENTS as the sequencer makes it (the fields it checks must match), unless it exists already. */
export async function ensureEventsStream(jsm: JetStreamManager): Promise<void> {
  try {
    await jsm.streams.info(EVENTS_STREAM);
  } catch {
    await jsm.streams
      .add({
        name: EVENTS_STREAM,
        subjects: ['asp.evt.>'],
        retention: RetentionPolicy.Limits,
        storage: StorageType.File,
        discard: DiscardPolicy.Old,
        allow_direct: true,
      })
      .catch(async (err: unknown) => {
        // Another test file created it at the same moment.
        await jsm.streams.info(EVENTS_STREAM).catch(() => {
          throw err;
        });
      });
  }
}

/** Publishes records as the relay does: one message each, the WAL seq in a header. */
export async function publishRecords(js: JetStreamClient, records: readonly CommitRecord[]): Promise<void> {
  for (const r of records) {
    const h = headers();
    h.set(HEADER_WAL_SEQ, String(r.seq));
    await js.publish(eventSubject(r.partition), encodeCommitRecord(r), { headers: h });
  }
}
