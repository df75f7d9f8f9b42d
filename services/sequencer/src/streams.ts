import { COMMANDS_STREAM, commandSubject, DLQ_STREAM, EVENTS_STREAM, protocolLimits } from '@asp/protocol';
import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  type JetStreamManager,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import type { SequencerConfig } from './config.ts';
import { SequencerError } from './errors.ts';

/** The durable consumer name: `<service>-<purpose>`, one per partition. */
export const consumerName = (partition: string): string => `sequencer-${partition}`;

const MAX_MSG_HEADROOM = 64 * 1024; // headers and envelope around the largest allowed message

type Wanted = Partial<StreamConfig> & { name: string; subjects: string[] };

/**
 * Creates the stream, or checks and updates an existing one. Fields that
 * change semantics (retention, storage) are only checked: changing them on a
 * live stream is an operator's decision, so a mismatch stops the start.
 */
async function ensureStream(jsm: JetStreamManager, want: Wanted): Promise<void> {
  let info: Awaited<ReturnType<typeof jsm.streams.info>> | undefined;
  try {
    info = await jsm.streams.info(want.name);
  } catch {
    info = undefined;
  }
  if (!info) {
    await jsm.streams.add(want);
    return;
  }
  const have = info.config;
  for (const key of ['retention', 'storage'] as const) {
    if (want[key] !== undefined && have[key] !== want[key]) {
      throw new SequencerError(
        'ASP_ERR_STREAM_CONFIG',
        `stream ${want.name} has ${key}=${String(have[key])}, the sequencer needs ${String(want[key])}; ` +
          'delete or migrate the stream',
      );
    }
  }
  const subjects = [...new Set([...have.subjects, ...want.subjects])];
  await jsm.streams.update(want.name, { ...have, ...want, subjects });
}

export async function ensureStreams(jsm: JetStreamManager, cfg: SequencerConfig): Promise<void> {
  const p = cfg.ASP_PARTITION;
  const maxMsg = protocolLimits.messageBytesMax + MAX_MSG_HEADROOM;
  // Work queue: a command message is deleted once the sequencer acknowledged
  // it (after the WAL fsync). Discard-new: a full stream refuses producers
  // instead of silently dropping commands nobody has decided yet.
  await ensureStream(jsm, {
    name: COMMANDS_STREAM,
    subjects: ['asp.cmd.>'],
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
    discard: DiscardPolicy.New,
    max_bytes: cfg.ASP_COMMANDS_STREAM_BYTES_MAX,
    max_msgs: cfg.ASP_COMMANDS_STREAM_MESSAGES_MAX,
    max_msg_size: maxMsg,
    duplicate_window: nanos(120_000),
  });
  // Events keep history for projector rebuilds; when full, the oldest go
  // (a rebuild then needs a snapshot — documented in docs/operations.md).
  await ensureStream(jsm, {
    name: EVENTS_STREAM,
    subjects: ['asp.evt.>'],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    max_bytes: cfg.ASP_EVENTS_STREAM_BYTES_MAX,
    max_msg_size: Math.max(maxMsg, cfg.ASP_BATCH_BYTES_MAX * 2 + MAX_MSG_HEADROOM),
    allow_direct: true,
  });
  await ensureStream(jsm, {
    name: DLQ_STREAM,
    subjects: ['asp.dlq.>'],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    max_bytes: cfg.ASP_DLQ_STREAM_BYTES_MAX,
    max_msg_size: maxMsg,
  });
  const consumer = {
    durable_name: consumerName(p),
    filter_subject: commandSubject(p),
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: nanos(cfg.ASP_ACK_WAIT_MS),
    // Bounded so a stalled sequencer cannot hold an unbounded window of
    // unacknowledged commands.
    max_ack_pending: cfg.ASP_ACK_PENDING_MAX,
  };
  // add() is idempotent for an identical config; after a config change the
  // durable keeps its position and takes the new limits through update().
  try {
    await jsm.consumers.add(COMMANDS_STREAM, consumer);
  } catch {
    await jsm.consumers.update(COMMANDS_STREAM, consumer.durable_name, consumer);
  }
}
