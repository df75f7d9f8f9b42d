import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CommandResult,
  type ContentType,
  commandSubject,
  decodeResults,
  encodeEnvelope,
  HEADER_CONTENT_TYPE,
  HEADER_REPLY_TO,
  type ResultsMessage,
  type WireCommand,
} from '@asp/protocol';
import { createLogger } from '@asp/service';
import { type TestEnv, testNats } from '@asp/testing';
import { jetstream } from '@nats-io/jetstream';
import { headers, type NatsConnection, nuid } from '@nats-io/nats-core';
import { sequencerConfigSchema } from '../src/config.ts';
import { Sequencer } from '../src/sequencer.ts';

export interface Harness {
  partition: string;
  dir: string;
  nc: NatsConnection;
  sequencer: Sequencer;
  /** Publishes one message and waits for its results. */
  send(commands: WireCommand[], ct?: ContentType): Promise<CommandResult[]>;
  sendRaw(data: Uint8Array, ct?: string, timeoutMs?: number): Promise<ResultsMessage>;
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startHarness(
  env: TestEnv,
  overrides: Record<string, string> = {},
  opts: ConstructorParameters<typeof Sequencer>[2] = {},
): Promise<Harness> {
  const partition = env.prefix.toLowerCase().slice(0, 32);
  const dir = mkdtempSync(join(tmpdir(), 'asp-seq-'));
  const cfg = sequencerConfigSchema.parse({
    NATS_URL: env.natsUrl,
    ASP_PARTITION: partition,
    ASP_DATA_DIR: dir,
    ASP_HTTP_PORT: '0',
    ASP_ACK_WAIT_MS: '2000',
    ...overrides,
  });
  const log = createLogger('sequencer', (process.env.TEST_LOG_LEVEL as 'silent') ?? 'silent');
  const nc = await testNats(env);
  const js = jetstream(nc);
  const h: Harness = {
    partition,
    dir,
    nc,
    sequencer: new Sequencer(cfg, log, opts),
    async send(commands, ct = 'application/msgpack') {
      const r = await h.sendRaw(encodeEnvelope({ v: 1, commands }, ct), ct);
      if ('error' in r) throw new Error(`message error ${r.error.code}: ${r.error.message}`);
      return r.results;
    },
    async sendRaw(data, ct, timeoutMs = 20_000) {
      const inbox = `_INBOX.${nuid.next()}`;
      const sub = nc.subscribe(inbox, { max: 1, timeout: timeoutMs });
      const hd = headers();
      hd.set(HEADER_REPLY_TO, inbox);
      if (ct !== undefined) hd.set(HEADER_CONTENT_TYPE, ct);
      await js.publish(commandSubject(partition), data, { headers: hd });
      for await (const m of sub) {
        const type =
          m.headers?.get(HEADER_CONTENT_TYPE) === 'application/json'
            ? 'application/json'
            : 'application/msgpack';
        return decodeResults(m.data, type);
      }
      throw new Error('no results');
    },
    async restart() {
      await h.sequencer.stop();
      h.sequencer = new Sequencer(cfg, log);
      await h.sequencer.start();
    },
    async close() {
      await h.sequencer.stop();
      await nc.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await h.sequencer.start();
  return h;
}
