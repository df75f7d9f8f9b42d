import { EVENTS_STREAM, eventSubject } from '@asp/protocol';
import { testEnv, testNats } from '@asp/testing';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Intake } from '../src/intake.ts';
import { ensureEventsStream, publishRecords, seededSource } from './support/source.ts';

const env = testEnv('in');
let nc: NatsConnection;

beforeAll(async () => {
  nc = await testNats(env);
  await ensureEventsStream(await jetstreamManager(nc));
});

afterAll(async () => {
  await nc?.close();
});

async function intakeOf(partition: string): Promise<Intake> {
  const jsm = await jetstreamManager(nc);
  await jsm.consumers.add(EVENTS_STREAM, {
    durable_name: `intake-${partition}`,
    filter_subject: eventSubject(partition),
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
  });
  const consumer = await jetstream(nc).consumers.get(EVENTS_STREAM, `intake-${partition}`);
  return Intake.open(consumer, { recordsMax: 100, bytesMax: 1024 * 1024 });
}

describe('Intake', () => {
  it('takes what is buffered, and with a linger what comes within it, up to the limits', async () => {
    const partition = `${env.prefix}l`;
    const { src } = seededSource(partition, 3, 4, 5);
    const js = jetstream(nc);
    const intake = await intakeOf(partition);
    try {
      await publishRecords(js, src.records.slice(0, 1));
      // No linger: the batch leaves with what is there.
      const alone = await intake.take({ recordsMax: 10, bytesMax: 1024 * 1024 }, 2000);
      expect(alone?.map((m) => m.seq)).toHaveLength(1);
      for (const m of alone ?? []) m.ack();
      await publishRecords(js, src.records.slice(1, 2));
      const later = setTimeout(() => void publishRecords(js, src.records.slice(2, 4)), 150);
      const began = Date.now();
      const lingered = await intake.take({ recordsMax: 3, bytesMax: 1024 * 1024, lingerMs: 1500 }, 2000);
      clearTimeout(later);
      // The records that came within the linger joined the batch, which left once full.
      expect(lingered?.map((m) => m.seq)).toHaveLength(3);
      expect(Date.now() - began).toBeLessThan(1400);
    } finally {
      await intake.close();
    }
  });
});
