import { EVENTS_STREAM, eventSubject, readModelConsumer, type WireCommand } from '@asp/protocol';
import { testEnv, waitFor } from '@asp/testing';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './helpers.ts';

const inc = (id: string): WireCommand => ({ id, type: 'counter.increment', data: { counterId: 'c', by: 1 } });
const flowOf = (h: Harness) => h.sequencer.health().flow as { state: string; lagMs: number; rate: number };

/** The flow state changes within a poll of 100 ms: look often. */
const until = (what: string, ok: () => boolean) => waitFor(what, ok, 10_000, 20);

/**
 * The read side here is the projector's durable consumer on ASP_EVENTS, made and acknowledged
 * by the test as a projector would: flow control only reads that consumer's position.
 */
async function readSide(h: Harness) {
  const jsm = await jetstreamManager(h.nc);
  const name = readModelConsumer(h.partition);
  await jsm.consumers.add(EVENTS_STREAM, {
    durable_name: name,
    filter_subject: eventSubject(h.partition),
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
  });
  const consumer = await jetstream(h.nc).consumers.get(EVENTS_STREAM, name);
  return {
    /** Applies (acknowledges) the next record. */
    async applyOne(): Promise<void> {
      const m = await consumer.next({ expires: 5000 });
      if (!m) throw new Error('no record to apply');
      await m.ackAck();
    },
    /** Applies every record there is, as a projector's batch does. */
    async applyAll(): Promise<void> {
      const { num_pending } = await consumer.info();
      if (num_pending === 0) return;
      const batch = await consumer.fetch({ max_messages: num_pending, expires: 1000 });
      for await (const m of batch) await m.ackAck();
    },
  };
}

const flowEnv = (stallMs: number) => ({
  ASP_FLOW_LAG_TARGET_MS: '150',
  ASP_FLOW_POLL_MS: '25',
  ASP_FLOW_STALL_MS: String(stallMs),
});

describe('flow control against a real nats-server', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('follows nothing while no projector has a consumer', async () => {
    h = await startHarness(testEnv('flow0'), flowEnv(1000));
    for (let i = 0; i < 3; i++) {
      expect((await h.send([inc(`n${i}`)]))[0]!.status).toBe('accepted');
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(flowOf(h).state).toBe('idle');
  });

  it('takes no batch while the read models are behind, and goes on once they apply', async () => {
    h = await startHarness(testEnv('flow1'), flowEnv(60_000));
    const reader = await readSide(h);
    expect((await h.send([inc('a1')]))[0]!.status).toBe('accepted');
    // Record 1 is not applied: past twice the target the sequencer stops taking batches.
    await until('throttled', () => flowOf(h!).state === 'throttled');
    let answered = false;
    const second = h.send([inc('a2')]).then((r) => {
      answered = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 500));
    expect(answered).toBe(false);
    // The projector applies record 1: the lag is gone, the waiting command is decided (long
    // before the 60 s stall time).
    const asked = Date.now();
    await reader.applyOne();
    expect((await second)[0]!.status).toBe('accepted');
    expect(Date.now() - asked).toBeLessThan(10_000);
    await reader.applyOne();
    await until('open', () => flowOf(h!).state === 'open' && flowOf(h!).lagMs === 0);
  });

  it('paces the writes to a read side that applies in bursts, and lifts the limit once it keeps up', async () => {
    h = await startHarness(testEnv('flow3'), { ...flowEnv(60_000), ASP_FLOW_LAG_TARGET_MS: '400' });
    const reader = await readSide(h);
    // The read side applies what there is every 350 ms: the lag reaches ~350 ms before each
    // apply, past half the 400 ms target, so flow control paces at the pace it sees applied.
    let applying = true;
    const applier = (async () => {
      while (applying) {
        await new Promise((r) => setTimeout(r, 350));
        await reader.applyAll();
      }
    })();
    const seen = new Set<string>();
    let rateMax = 0;
    const sampler = setInterval(() => {
      const f = flowOf(h!);
      seen.add(f.state);
      rateMax = Math.max(rateMax, f.rate);
    }, 10);
    try {
      let n = 0;
      for (const end = Date.now() + 4000; Date.now() < end; ) {
        expect((await h.send([inc(`p${n++}`)]))[0]!.status).toBe('accepted');
      }
      expect(seen).toContain('paced');
      expect(rateMax).toBeGreaterThan(0);
      const metrics = await (await fetch(`http://127.0.0.1:${h.sequencer.httpPort}/metrics`)).text();
      expect(metrics).toMatch(/^asp_sequencer_flow_state\{state="paced"\} [01]$/m);
      expect(metrics).toMatch(/^asp_sequencer_flow_rate_limit [0-9.e+]+$/m);
      // No more writes: the read side catches up, the limit is not used, and it goes.
      await until('open', () => flowOf(h!).state === 'open' && flowOf(h!).rate === 0);
    } finally {
      clearInterval(sampler);
      applying = false;
      await applier;
    }
  });

  it('does not wait for a projector that makes no progress', async () => {
    h = await startHarness(testEnv('flow2'), flowEnv(1000));
    await readSide(h);
    expect((await h.send([inc('b1')]))[0]!.status).toBe('accepted');
    await until('throttled', () => flowOf(h!).state === 'throttled');
    // Nothing applies record 1: after the stall time writes go on without the read side.
    const r = await h.send([inc('b2')]);
    expect(r[0]!.status).toBe('accepted');
    expect(flowOf(h).state).toBe('stalled');
    const metrics = await (await fetch(`http://127.0.0.1:${h.sequencer.httpPort}/metrics`)).text();
    expect(metrics).toMatch(/^asp_sequencer_flow_state\{state="stalled"\} 1$/m);
    expect(metrics).toMatch(/^asp_sequencer_flow_wait_seconds_total [0-9.e-]+$/m);
    const waited = Number(/^asp_sequencer_flow_wait_seconds_total (\S+)$/m.exec(metrics)![1]);
    expect(waited).toBeGreaterThan(0.3);
  });
});
