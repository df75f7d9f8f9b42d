import { randomBytes } from 'node:crypto';
import { testEnv, testNats } from '@asp/testing';
import { describe, expect, it } from 'vitest';

/**
 * Our patch of nats.js's parser (patches/@nats-io__nats-core@3.4.0.patch) sizes a message's
 * buffer once from its header when the payload spans socket reads. Messages of every size up
 * to the server's limit, back to back so they split anywhere in a read, must arrive intact.
 */
describe('message payloads through a real nats-server', () => {
  it('delivers payloads of any size, split across reads at any point, byte for byte', async () => {
    const env = testEnv('payload');
    const pub = await testNats(env, 'asp-test-pub');
    const sub = await testNats(env, 'asp-test-sub');
    try {
      const max = Math.min(pub.info?.max_payload ?? 1024 * 1024, 4 * 1024 * 1024);
      const sizes = [0, 1, 100, 4095, 4096, 65_535, 65_536, 65_537, 200_001, max - 1024, max];
      for (let i = 0; i < 40; i++) sizes.push(1 + Math.floor(Math.random() * max));
      const sent = sizes.map((n) => randomBytes(n));
      const subject = `${env.prefix}.payloads`;
      const got: Uint8Array[] = [];
      const done = new Promise<void>((resolve) => {
        sub.subscribe(subject, {
          callback: (_err, m) => {
            got.push(m.data.slice());
            if (got.length === sent.length) resolve();
          },
        });
      });
      await sub.flush();
      for (const payload of sent) pub.publish(subject, payload);
      await pub.flush();
      // A parser that lost its place never delivers the rest: fail in seconds, saying how far it got.
      const late = new Promise<never>((_, reject) => {
        setTimeout(
          () => reject(new Error(`${got.length} of ${sent.length} messages arrived`)),
          15_000,
        ).unref();
      });
      await Promise.race([done, late]);
      expect(got.map((g) => g.length)).toEqual(sent.map((s) => s.length));
      for (let i = 0; i < sent.length; i++) expect(Buffer.compare(Buffer.from(got[i]!), sent[i]!)).toBe(0);
    } finally {
      await pub.close();
      await sub.close();
    }
  });
});
