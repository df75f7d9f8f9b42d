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
      let arrived = () => {};
      sub.subscribe(subject, {
        callback: (_err, m) => {
          got.push(m.data.slice());
          arrived();
        },
      });
      await sub.flush();
      // A parser that lost its place never delivers the rest: fail in seconds, saying how far it got.
      const until = (n: number) =>
        new Promise<void>((resolve, reject) => {
          const timer = setTimeout(
            () => reject(new Error(`${got.length} of ${sent.length} messages arrived`)),
            15_000,
          );
          arrived = () => {
            if (got.length < n) return;
            clearTimeout(timer);
            resolve();
          };
          arrived();
        });
      // Back to back, but in rounds of at most 16 MiB: a subscriber starved of CPU (the test
      // tier runs files in parallel) must not fall 64 MiB behind, or nats-server drops it as a
      // slow consumer and the messages in between are lost (seen in its log).
      const ROUND_BYTES = 16 * 1024 * 1024;
      for (let i = 0, bytes = 0; i < sent.length; i++) {
        pub.publish(subject, sent[i]!);
        bytes += sent[i]!.length;
        if (bytes >= ROUND_BYTES || i === sent.length - 1) {
          await pub.flush();
          await until(i + 1);
          bytes = 0;
        }
      }
      expect(got.map((g) => g.length)).toEqual(sent.map((s) => s.length));
      for (let i = 0; i < sent.length; i++) expect(Buffer.compare(Buffer.from(got[i]!), sent[i]!)).toBe(0);
    } finally {
      await pub.close();
      await sub.close();
    }
  });
});
