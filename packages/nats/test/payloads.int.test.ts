import { randomBytes } from 'node:crypto';
import { testEnv, testNats } from '@asp/testing';
import { headers } from '@nats-io/nats-core';
import { describe, expect, it } from 'vitest';

/**
 * Our patch of nats.js (patches/@nats-io__nats-core@3.4.0.patch) sizes a message's buffer once
 * from its header when the payload spans socket reads, and writes a large payload to the socket
 * as it is instead of copying it behind its protocol line. Messages of every size up to the
 * server's limit, back to back so they split anywhere in a read, must arrive intact.
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

  it('hands a large payload to the transport as it is, between its protocol line and the next commands', async () => {
    const env = testEnv('payload-write');
    const pub = await testNats(env, 'asp-test-pub');
    const sub = await testNats(env, 'asp-test-sub');
    // nats.js's connection keeps its transport on `protocol`; what it sends is recorded here.
    const transport = (pub as unknown as { protocol: { transport: { send(frame: Uint8Array): void } } })
      .protocol.transport;
    const send = transport.send.bind(transport);
    const frames: Uint8Array[] = [];
    transport.send = (frame) => {
      frames.push(frame);
      send(frame);
    };
    try {
      const subject = `${env.prefix}.large`;
      const got: { data: Uint8Array; header: string | undefined }[] = [];
      const arrived = new Promise<void>((resolve) => {
        sub.subscribe(subject, {
          callback: (_err, m) => {
            got.push({ data: m.data.slice(), header: m.headers?.get('x-n') });
            if (got.length === 3) resolve();
          },
        });
      });
      await sub.flush();
      const large = randomBytes(1024 * 1024);
      const small = randomBytes(100);
      const h = headers();
      h.set('x-n', 'one');
      pub.publish(subject, small);
      pub.publish(subject, large, { headers: h });
      pub.publish(subject, small);
      await pub.flush();
      await arrived;
      expect(frames.some((f) => f === large)).toBe(true);
      // Small payloads are still joined with their protocol lines, not written one by one.
      expect(frames.some((f) => f === small)).toBe(false);
      expect(got.map((g) => g.header)).toEqual([undefined, 'one', undefined]);
      expect(Buffer.compare(Buffer.from(got[1]!.data), large)).toBe(0);
      expect(Buffer.compare(Buffer.from(got[2]!.data), small)).toBe(0);
    } finally {
      transport.send = send;
      await pub.close();
      await sub.close();
    }
  });
});
