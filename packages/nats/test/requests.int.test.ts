import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { testEnv, testNats } from '@asp/testing';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { errors } from '@nats-io/nats-core';
import { describe, expect, it } from 'vitest';

/**
 * A JetStream publish is a request. nats.js 3.4.0 builds Errors (each a stack capture) around
 * every request: two up front for async traces (off in connectNats: `noAsyncTraces`) and one in
 * `RequestOne.cancel` after the reply, rejecting a promise already settled (our patch,
 * patches/@nats-io__nats-core@3.4.0.patch, leaves that out). Counted here through the module
 * nats.js's request code reads its error classes from at each use.
 */
const require = createRequire(import.meta.url);
type ErrorClass = new (...args: unknown[]) => Error;
const errorsModule: Record<'RequestError' | 'TimeoutError', ErrorClass> = require(
  join(dirname(require.resolve('@nats-io/nats-core')), 'errors.js'),
);

function countErrorsBuilt(): { built: () => number; restore: () => void } {
  const saved = { RequestError: errorsModule.RequestError, TimeoutError: errorsModule.TimeoutError };
  let n = 0;
  for (const name of ['RequestError', 'TimeoutError'] as const) {
    const Base = saved[name];
    errorsModule[name] = class extends Base {
      constructor(...args: unknown[]) {
        super(...args);
        n++;
      }
    };
  }
  return { built: () => n, restore: () => Object.assign(errorsModule, saved) };
}

describe('requests through connectNats and the patched nats.js', () => {
  it('builds no Error for a JetStream publish that succeeds, and still fails one that cannot', async () => {
    const env = testEnv('requests');
    const nc = await testNats(env, 'asp-test-requests');
    const stream = `${env.prefix.toUpperCase()}_REQ`;
    const subject = `${env.prefix}.req`;
    const counter = countErrorsBuilt();
    try {
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({ name: stream, subjects: [subject] });
      const js = jetstream(nc);
      const before = counter.built();
      for (let i = 0; i < 50; i++) await js.publish(subject, new Uint8Array([i]));
      expect(counter.built() - before).toBe(0);
      expect((await jsm.streams.info(stream)).state.messages).toBe(50);

      // Failures still reach the caller as nats.js's errors: nobody listens on this subject.
      const noResponders = await nc.request(`${env.prefix}.nobody`, new Uint8Array(), { timeout: 2000 }).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(noResponders).toBeInstanceOf(errors.RequestError);
      expect((noResponders as Error).cause).toBeInstanceOf(errors.NoRespondersError);
      // …and a request nobody answers times out.
      nc.subscribe(`${env.prefix}.silent`, { callback: () => {} });
      await nc.flush();
      await expect(
        nc.request(`${env.prefix}.silent`, new Uint8Array(), { timeout: 100 }),
      ).rejects.toBeInstanceOf(errors.TimeoutError);
      await jsm.streams.delete(stream);
    } finally {
      counter.restore();
      await nc.close();
    }
  });
});
