import { EVENTS_STREAM, eventSubject, readModelConsumer } from '@asp/protocol';
import type { Logger } from '@asp/service';
import {
  AckPolicy,
  type ConsumerConfig,
  type ConsumerInfo,
  DeliverPolicy,
  type JetStreamManager,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import { backoffMs, pause } from './retry.ts';

/** The durable consumer, one per partition; the sequencer's flow control reads its position. */
export const consumerName = readModelConsumer;

export interface ConsumerLimits {
  ackWaitMs: number;
  /** Records delivered and not yet acknowledged, at most. */
  ackPendingMax: number;
}

/** The sequencer creates ASP_EVENTS; a projector started first waits for it. */
export async function waitForStream(
  jsm: JetStreamManager,
  log: Logger,
  signal: AbortSignal,
): Promise<boolean> {
  for (let attempt = 0; !signal.aborted; attempt++) {
    try {
      await jsm.streams.info(EVENTS_STREAM);
      return true;
    } catch (err) {
      if (attempt === 0 || attempt % 20 === 0)
        log.warn({ err: String(err) }, `waiting for stream ${EVENTS_STREAM}`);
      await pause(backoffMs(attempt, 2000), signal);
    }
  }
  return false;
}

function wanted(partition: string, afterStreamSeq: number, l: ConsumerLimits): Partial<ConsumerConfig> {
  return {
    durable_name: consumerName(partition),
    filter_subject: eventSubject(partition),
    ack_policy: AckPolicy.Explicit,
    ack_wait: nanos(l.ackWaitMs),
    max_ack_pending: l.ackPendingMax,
    ...(afterStreamSeq > 0
      ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: afterStreamSeq + 1 }
      : { deliver_policy: DeliverPolicy.All }),
  };
}

/**
 * The consumer is where the checkpoint says (its next delivery follows it),
 * with nothing delivered and unacknowledged, and configured as wanted.
 */
function aligned(info: ConsumerInfo, partition: string, afterStreamSeq: number, l: ConsumerLimits): boolean {
  const c = info.config;
  return (
    info.delivered.stream_seq === afterStreamSeq &&
    info.num_ack_pending === 0 &&
    c.filter_subject === eventSubject(partition) &&
    c.ack_wait === nanos(l.ackWaitMs) &&
    c.max_ack_pending === l.ackPendingMax
  );
}

/**
 * Puts the durable consumer right after the checkpoint. The checkpoint in
 * MongoDB is the position of record (it is written after the documents, the
 * acks after it), so a consumer that is elsewhere is recreated from it: after
 * a crash JetStream would deliver the never-delivered records at once and
 * the unacknowledged ones only after the ack wait, out of order; after a
 * rebuild or a wiped database the checkpoint moved on its own.
 */
export async function alignConsumer(
  jsm: JetStreamManager,
  partition: string,
  afterStreamSeq: number,
  l: ConsumerLimits,
  log: Logger,
): Promise<void> {
  const name = consumerName(partition);
  let info: ConsumerInfo | undefined;
  try {
    info = await jsm.consumers.info(EVENTS_STREAM, name);
  } catch {
    info = undefined;
  }
  if (info && aligned(info, partition, afterStreamSeq, l)) return;
  if (info) {
    log.info(
      {
        consumer: name,
        ackFloor: info.ack_floor.stream_seq,
        delivered: info.delivered.stream_seq,
        afterStreamSeq,
      },
      'recreating the consumer at the checkpoint',
    );
    await jsm.consumers.delete(EVENTS_STREAM, name);
  }
  await jsm.consumers.add(EVENTS_STREAM, wanted(partition, afterStreamSeq, l));
}
