import { type AspClient, ClientError } from '@asp/client';
import { describe, expect, it } from 'vitest';
import { runLoad } from '../src/run.ts';

const spec = { runId: 'unit', aggregates: 10, producers: 2 };

/**
 * Only `send` of the client is used by runLoad; these stand-ins reject every call the way a real
 * client does (a closed one, or a batch it refuses before sending).
 */
function rejecting(code: 'ASP_ERR_CLIENT_CLOSED' | 'ASP_ERR_CLIENT_TOO_LARGE', stop: AbortController) {
  let calls = 0;
  const client = {
    async send(): Promise<never> {
      // A bound for the regression: without it a spinning loop would never end the test.
      if (++calls >= 1000) stop.abort();
      throw new ClientError(code, 'rejected by the stand-in');
    },
  } as unknown as AspClient;
  return { client, calls: () => calls };
}

/** Two producers of 10-command messages, for a minute unless stopped. */
const loadOn = (client: AspClient, signal: AbortSignal) =>
  runLoad({ client, spec, seed: 1, producers: 2, batch: 10, durationMs: 60_000, signal });

describe('runLoad', () => {
  it('stops a producer whose client is closed instead of spinning on its rejections', async () => {
    const stop = new AbortController();
    const c = rejecting('ASP_ERR_CLIENT_CLOSED', stop);
    const report = await loadOn(c.client, stop.signal);
    expect(c.calls()).toBe(2);
    expect(report.errors).toBe(20);
  });

  it('lets timers run between failing sends', async () => {
    const stop = new AbortController();
    const c = rejecting('ASP_ERR_CLIENT_TOO_LARGE', stop);
    let fired = false;
    setTimeout(() => {
      fired = true;
      stop.abort();
    }, 20);
    const report = await loadOn(c.client, stop.signal);
    // The timer stopped the load, not the stand-in's bound of 1000 calls.
    expect(fired).toBe(true);
    expect(c.calls()).toBeLessThan(1000);
    expect(report.errors).toBe(c.calls() * 10);
  });
});
