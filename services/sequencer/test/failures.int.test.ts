import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  COMMANDS_STREAM,
  commandSubject,
  DLQ_STREAM,
  dlqSubject,
  encodeEnvelope,
  protocolLimits,
} from '@asp/protocol';
import { createLogger } from '@asp/service';
import { testEnv, testNats } from '@asp/testing';
import { defaultIo } from '@asp/wal';
import { type JetStreamManager, jetstream, jetstreamManager, type StoredMsg } from '@nats-io/jetstream';
import { describe, expect, it } from 'vitest';
import { sequencerConfigSchema } from '../src/config.ts';
import { Sequencer } from '../src/sequencer.ts';
import { consumerName } from '../src/streams.ts';
import { startHarness } from './helpers.ts';

const inc = (id: string) => ({ id, type: 'counter.increment', data: { counterId: 'f', by: 1 } });

describe('sequencer failure paths', () => {
  it('a failing fsync produces no result and no ack, and the sequencer fails closed', async () => {
    let failSync = false;
    const io = {
      ...defaultIo,
      datasync: async (f: Parameters<typeof defaultIo.datasync>[0]) => {
        if (failSync) throw Object.assign(new Error('EIO: injected'), { code: 'EIO' });
        return defaultIo.datasync(f);
      },
    };
    const h = await startHarness(testEnv('fsync'), {}, { walIo: io });
    try {
      expect((await h.send([inc('before')]))[0]?.status).toBe('accepted');
      failSync = true;
      await expect(
        h.sendRaw(encodeEnvelope({ v: 1, commands: [inc('lost')] }, 'application/msgpack'), undefined, 3000),
      ).rejects.toThrow();
      await expect(h.sequencer.failed).resolves.toBeDefined();
      expect(h.sequencer.health().ok).toBe(false);
      // The message was never acknowledged: it is still in the stream for a restarted sequencer.
      const jsm = await jetstreamManager(h.nc);
      const info = await jsm.consumers.info(COMMANDS_STREAM, consumerName(h.partition));
      expect(info.num_ack_pending + info.num_pending).toBe(1);
      // A restart on a healthy disk commits it exactly once.
      failSync = false;
      await h.restart();
      const r = await h.send([inc('lost')]);
      expect(r[0]?.status).toBe('accepted');
    } finally {
      await h.close();
    }
  });

  it('dead-letters a message nobody can be answered about', async () => {
    const h = await startHarness(testEnv('dlq'), { ASP_DELIVERIES_MAX: '2' });
    try {
      const js = jetstream(h.nc);
      const jsm = await jetstreamManager(h.nc);
      // Undecodable and no Asp-Reply-To: no one can be told, so it is kept for an operator.
      await js.publish(commandSubject(h.partition), new Uint8Array([1, 2, 3]));
      const dead = await dlqCopy(jsm, h.partition);
      expect(dead?.header?.get('Asp-Dlq-Reason')).toMatch(/ASP_REJ_/);
      // The sequencer keeps serving.
      expect((await h.send([inc('after-dlq')]))[0]?.status).toBe('accepted');
    } finally {
      await h.close();
    }
  });

  it('dead-letters a message delivered ASP_DELIVERIES_MAX times instead of trying it again', async () => {
    let failSync = false;
    const io = {
      ...defaultIo,
      datasync: async (f: Parameters<typeof defaultIo.datasync>[0]) => {
        if (failSync) throw new Error('EIO: injected');
        return defaultIo.datasync(f);
      },
    };
    const h = await startHarness(
      testEnv('poison'),
      { ASP_DELIVERIES_MAX: '2', ASP_ACK_WAIT_MS: '1000' },
      { walIo: io },
    );
    try {
      failSync = true;
      // First delivery: the fsync fails, nothing is acknowledged (as if it had crashed us).
      await expect(
        h.sendRaw(
          encodeEnvelope({ v: 1, commands: [inc('poison')] }, 'application/msgpack'),
          undefined,
          2000,
        ),
      ).rejects.toThrow();
      failSync = false;
      await h.restart();
      // Second delivery reaches the limit: moved to the DLQ, never decided.
      const jsm = await jetstreamManager(h.nc);
      const dead = await dlqCopy(jsm, h.partition);
      expect(dead?.header?.get('Asp-Dlq-Reason')).toMatch(/delivered 2 times/);
      // The message is terminated right after its DLQ copy is stored: wait for the server to
      // have both, and see that it was not delivered a third time.
      const info = () => jsm.consumers.info(COMMANDS_STREAM, consumerName(h.partition));
      const settled = async () => {
        const i = await info();
        return i.num_ack_pending + i.num_pending === 0;
      };
      expect(await waitFor(settled)).toBe(true);
      expect((await info()).delivered.consumer_seq).toBe(2);
    } finally {
      await h.close();
    }
  });

  it('recreates its commands consumer when someone deletes it, and goes on answering', async () => {
    const h = await startHarness(testEnv('gone'));
    try {
      const first = (await h.send([inc('before')]))[0];
      expect(first?.status).toBe('accepted');
      const jsm = await jetstreamManager(h.nc);
      await jsm.consumers.delete(COMMANDS_STREAM, consumerName(h.partition));
      // Before, the sequencer waited on the deleted consumer for good while its health said ok.
      const after = await h.sendRaw(
        encodeEnvelope({ v: 1, commands: [inc('after')] }, 'application/msgpack'),
        undefined,
        5000,
      );
      expect(after).toMatchObject({ results: [{ id: 'after', status: 'accepted' }] });
      expect((await h.sequencer.metrics.consumerRecreated.get()).values[0]?.value).toBe(1);
      expect(h.sequencer.health().ok).toBe(true);
      // The new consumer is the durable one, configured as at start.
      const info = await jsm.consumers.info(COMMANDS_STREAM, consumerName(h.partition));
      expect(info.config.filter_subject).toBe(commandSubject(h.partition));
      // The result index is untouched: the first command is still answered with its result.
      expect((await h.send([inc('before')]))[0]).toEqual(first);
    } finally {
      await h.close();
    }
  });

  it('refuses to start with a pull window smaller than the server max_payload', async () => {
    // One command message could fill more than such a window, and the consumer would end there.
    const env = testEnv('window');
    const nc = await testNats(env);
    const payloadMax = nc.info?.max_payload ?? 0;
    await nc.close();
    expect(payloadMax).toBeGreaterThanOrEqual(2 * 1024 * 1024);
    const dir = mkdtempSync(join(tmpdir(), 'asp-seq-'));
    const cfg = sequencerConfigSchema.parse({
      NATS_URL: env.natsUrl,
      ASP_PARTITION: env.prefix.toLowerCase().slice(0, 32),
      ASP_DATA_DIR: dir,
      ASP_HTTP_PORT: '0',
      ASP_PULL_BYTES_MAX: String(payloadMax / 2),
    });
    const sequencer = new Sequencer(cfg, createLogger('sequencer', 'silent'));
    try {
      await expect(sequencer.start()).rejects.toMatchObject({ code: 'ASP_ERR_NATS_PULL_WINDOW' });
    } finally {
      await sequencer.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers an oversized message and an open group with their codes', async () => {
    const h = await startHarness(testEnv('big'));
    try {
      const many = Array.from({ length: protocolLimits.commandsPerMessageMax + 1 }, (_, i) =>
        inc(`big-${i}`),
      );
      const r = await h.sendRaw(
        encodeEnvelope({ v: 1, commands: many }, 'application/msgpack'),
        'application/msgpack',
      );
      expect('error' in r && r.error.code).toBe('ASP_REJ_TOO_LARGE');
      const open = await h.send([
        { ...inc('o1'), linked: true },
        { ...inc('o2'), linked: true },
      ]);
      expect(open.map((x) => x.status === 'rejected' && x.code)).toEqual([
        'ASP_REJ_GROUP_OPEN',
        'ASP_REJ_GROUP_OPEN',
      ]);
      expect((await h.send([inc('fine')]))[0]?.status).toBe('accepted');
    } finally {
      await h.close();
    }
  });
});

/**
 * The DLQ copy of this test's message. ASP_DLQ is one stream for the whole test run (every
 * test's partition has its own subject in it), so its message count says nothing about this
 * test: another test's dead letter made an earlier version of this wait pass before the
 * copy existed, and the read after it found none (1 run in ~8).
 */
async function dlqCopy(jsm: JetStreamManager, partition: string): Promise<StoredMsg | null> {
  let found: StoredMsg | null = null;
  await waitFor(async () => {
    found = await jsm.streams.getMessage(DLQ_STREAM, { last_by_subj: dlqSubject(partition) });
    return found !== null;
  });
  return found;
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}
