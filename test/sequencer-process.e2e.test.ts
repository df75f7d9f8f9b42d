import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { AspClient } from '@asp/client';
import { runLoad, runSetup } from '@asp/loadgen';
import { testEnv, testNats } from '@asp/testing';
import { describe, expect, it } from 'vitest';
import { sequencerProcess } from './support/sequencer.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

describe('the sequencer as a process', () => {
  it('runs the example of docs/protocol.md: a JSON batch from a plain NATS client gets its result', async () => {
    // The example is written for partition p0; no other test uses it.
    const env = testEnv('example');
    const seq = sequencerProcess(env.natsUrl, 'p0');
    try {
      await seq.start();
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [join(root, 'docs/examples/publish-json.mjs')],
        {
          env: { ...process.env, NATS_URL: env.natsUrl },
          timeout: 30_000,
        },
      );
      const lines = stdout.trim().split('\n');
      expect(lines[0]).toMatch(/^stored in ASP_COMMANDS #\d+$/);
      const results = JSON.parse(lines[1]!) as { v: number; results: { status: string; seq: number }[] };
      expect(results.results[0]).toMatchObject({ status: 'accepted' });
    } finally {
      await seq.current()?.stop();
      seq.remove();
    }
  });

  it('drains on SIGTERM: exits 0, and no command is lost across the restart', async () => {
    const env = testEnv('drain');
    const seq = sequencerProcess(env.natsUrl, env.prefix, { ASP_ACK_WAIT_MS: '3000' });
    const nc = await testNats(env);
    const client = AspClient.create(nc, { partition: env.prefix, resultTimeoutMs: 120_000 });
    try {
      const proc = await seq.start();
      const spec = { runId: env.prefix.slice(0, 16), aggregates: 50, producers: 2 };
      await runSetup(client, spec);
      const stop = new AbortController();
      const load = runLoad({
        client,
        spec,
        seed: 3,
        producers: 2,
        batch: 200,
        durationMs: 60_000,
        signal: stop.signal,
      });
      await new Promise((r) => setTimeout(r, 1000));
      await proc.stop();
      expect(await proc.exited).toBe(0);
      // What it had taken was committed and answered before it exited. Messages the server
      // was still delivering as it unsubscribed are redelivered after the ack wait to the
      // next sequencer, which answers them: the client sees every result.
      await seq.start();
      stop.abort();
      const report = await load;
      expect(report.errors).toBe(0);
      expect(report.answered).toBeGreaterThan(0);
    } finally {
      await client.close();
      await seq.current()?.stop();
      await nc.close();
      seq.remove();
    }
  });
});
