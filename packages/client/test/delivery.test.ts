import type { CommandResult } from '@asp/protocol';
import { describe, expect, it } from 'vitest';
import { deliver, type OutMessage, type Wire } from '../src/delivery.ts';
import { PendingResults } from '../src/pending.ts';
import { emptyStats } from '../src/stats.ts';

const accepted = (id: string, seq = 1): CommandResult => ({ id, status: 'accepted', seq });
const timing = {
  resultTimeoutMs: 20,
  resultCheckMaxMs: 40,
  retryDeadlineMs: 400,
  publishRetryMinMs: 1,
  publishRetryMaxMs: 5,
  random: () => 0.5,
  onResult: undefined,
};

/**
 * A scripted wire: `onPublish` decides what each publish does (and may reply), `store` is what
 * a look-up finds. It stands in for NATS here only; the integration tests use the real thing.
 */
class FakeWire implements Wire {
  closed = false;
  publishes = 0;
  lookups: string[][] = [];
  store = new Map<string, CommandResult>();
  lookupFails = false;
  readonly onPublish: (n: number) => 'ok' | 'fail';
  constructor(onPublish: (n: number) => 'ok' | 'fail' = () => 'ok') {
    this.onPublish = onPublish;
  }
  async publish(): Promise<void> {
    this.publishes++;
    if (this.onPublish(this.publishes) === 'fail') throw new Error('stream full');
  }
  async lookup(ids: readonly string[]): Promise<(CommandResult | null)[]> {
    this.lookups.push([...ids]);
    if (this.lookupFails) throw new Error('timeout');
    return ids.map((id) => this.store.get(id) ?? null);
  }
}

function message(ids: string[]): { out: OutMessage; pending: PendingResults } {
  return {
    out: { ids, bytes: new Uint8Array(1), msgId: 'c-0', replyTo: 'r.0' },
    pending: new PendingResults(ids),
  };
}

describe('deliver', () => {
  it('resolves with the reply and reports its latency', async () => {
    const { out, pending } = message(['a', 'b']);
    const wire = new FakeWire(() => {
      setTimeout(() => pending.onReply({ v: 1, results: [accepted('a'), accepted('b')] }), 5);
      return 'ok';
    });
    const seen: number[] = [];
    const results = await deliver(
      wire,
      out,
      pending,
      { ...timing, onResult: (_ms, n) => seen.push(n) },
      emptyStats(),
    );
    expect(results).toEqual([accepted('a'), accepted('b')]);
    expect(seen).toEqual([2]);
    expect(wire.lookups).toEqual([]);
  });

  it('looks up a lost reply instead of republishing', async () => {
    const { out, pending } = message(['a']);
    const wire = new FakeWire();
    wire.store.set('a', accepted('a', 7));
    const stats = emptyStats();
    expect(await deliver(wire, out, pending, timing, stats)).toEqual([accepted('a', 7)]);
    expect(wire.publishes).toBe(1);
    expect(stats).toMatchObject({ lookups: 1, messagesDoneByLookup: 1, republishes: 0 });
  });

  it('republishes the same message when the look-up finds nothing, then takes the reply', async () => {
    const { out, pending } = message(['a', 'b']);
    const wire = new FakeWire((n) => {
      if (n === 2) setTimeout(() => pending.onReply({ v: 1, results: [accepted('a'), accepted('b')] }), 1);
      return 'ok';
    });
    const stats = emptyStats();
    await deliver(wire, out, pending, timing, stats);
    expect(wire.publishes).toBe(2);
    expect(stats).toMatchObject({ lookups: 1, republishes: 1 });
  });

  it('completes from partial look-ups', async () => {
    const { out, pending } = message(['a', 'b']);
    const wire = new FakeWire((n) => {
      if (n === 2) wire.store.set('b', accepted('b', 2));
      return 'ok';
    });
    wire.store.set('a', accepted('a', 2));
    expect(await deliver(wire, out, pending, timing, emptyStats())).toEqual([
      accepted('a', 2),
      accepted('b', 2),
    ]);
    expect(wire.lookups).toEqual([['a', 'b'], ['b']]);
  });

  it('does not republish while look-ups get no answer (sequencer down)', async () => {
    const { out, pending } = message(['a']);
    const wire = new FakeWire();
    wire.lookupFails = true;
    setTimeout(() => pending.onReply({ v: 1, results: [accepted('a')] }), 150);
    const stats = emptyStats();
    await deliver(wire, out, pending, timing, stats);
    expect(wire.publishes).toBe(1);
    expect(stats.lookupFailures).toBeGreaterThanOrEqual(2);
  });

  it('looks up at once after a reconnect, and soon again while the sequencer does not answer', async () => {
    const { out, pending } = message(['a']);
    const wire = new FakeWire();
    wire.lookupFails = true;
    // The regular schedule would first look after a minute: the test's 5 s timeout says it did not.
    const slow = { ...timing, resultTimeoutMs: 60_000, resultCheckMaxMs: 60_000, retryDeadlineMs: 120_000 };
    setTimeout(() => pending.nudge(), 10);
    const done = deliver(wire, out, pending, slow, emptyStats());
    while (wire.lookups.length < 3) await new Promise((r) => setTimeout(r, 1));
    // The sequencer is back: the next quick look-up finds the result whose reply was lost.
    wire.lookupFails = false;
    wire.store.set('a', accepted('a', 3));
    expect(await done).toEqual([accepted('a', 3)]);
    expect(wire.publishes).toBe(1);
  });

  it('retries failed publishes with backoff', async () => {
    const { out, pending } = message(['a']);
    const wire = new FakeWire((n) => (n <= 3 ? 'fail' : 'ok'));
    wire.store.set('a', accepted('a'));
    const stats = emptyStats();
    await deliver(wire, out, pending, timing, stats);
    expect(stats.publishRetries).toBe(3);
  });

  it('gives up at the deadline with an unknown outcome and the ids', async () => {
    const { out, pending } = message(['a', 'b']);
    const wire = new FakeWire();
    wire.store.set('a', accepted('a'));
    const stats = emptyStats();
    const err = await deliver(wire, out, pending, { ...timing, retryDeadlineMs: 100 }, stats).catch((e) => e);
    expect(err).toMatchObject({ code: 'ASP_ERR_CLIENT_RESULT_TIMEOUT', ids: ['b'] });
    expect(err.message).toMatch(/UNKNOWN/);
    expect(stats.timeouts).toBe(1);
  });

  it('stops when the connection is closed for good', async () => {
    const { out, pending } = message(['a']);
    const wire = new FakeWire(() => 'fail');
    wire.closed = true;
    await expect(deliver(wire, out, pending, timing, emptyStats())).rejects.toMatchObject({
      code: 'ASP_ERR_CLIENT_CLOSED',
      ids: ['a'],
    });
  });

  it('rejects the message when the sequencer could not read it', async () => {
    const { out, pending } = message(['a']);
    const wire = new FakeWire(() => {
      pending.onReply({ v: 1, error: { code: 'ASP_REJ_TOO_LARGE', message: 'too big' } });
      return 'ok';
    });
    await expect(deliver(wire, out, pending, timing, emptyStats())).rejects.toMatchObject({
      code: 'ASP_ERR_CLIENT_MESSAGE_REJECTED',
      rejection: { code: 'ASP_REJ_TOO_LARGE' },
    });
  });
});

describe('PendingResults', () => {
  it('ignores replies that do not match the message', () => {
    const p = new PendingResults(['a', 'b']);
    expect(p.onReply({ v: 1, results: [accepted('a')] })).toBe(false);
    expect(p.onReply({ v: 1, results: [accepted('b'), accepted('a')] })).toBe(false);
    p.fill(['a', 'b'], [accepted('x'), null]);
    expect(p.missingIds()).toEqual(['a', 'b']);
    expect(p.onReply({ v: 1, results: [accepted('a', 3), accepted('b', 3)] })).toBe(true);
    expect(p.complete).toBe(true);
  });
});
