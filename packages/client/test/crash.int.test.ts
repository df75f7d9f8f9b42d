import { setTimeout as sleep } from 'node:timers/promises';
import type { ServiceProcess } from '@asp/servers';
import { testEnv, testNats, uniqueName } from '@asp/testing';
import type { NatsConnection } from '@nats-io/nats-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AspClient, type CommandResult, command } from '../src/index.ts';
import { type SequencerRun, sequencerRun } from './sequencer.ts';

const env = testEnv('crash');
const partition = uniqueName('cr');
let nc: NatsConnection;
let run: SequencerRun;
let sequencer: ServiceProcess | undefined;

async function start(): Promise<ServiceProcess> {
  try {
    return await run.start();
  } catch (err) {
    throw new Error(`sequencer did not start: ${String(err)}\n--- ${run.logFile}\n${run.logTail()}`);
  }
}

beforeAll(async () => {
  nc = await testNats(env);
  run = sequencerRun(env.natsUrl, partition);
  sequencer = await start();
});

afterAll(async () => {
  await sequencer?.stop();
  await nc?.close();
  run?.remove();
});

describe('AspClient through a sequencer crash (kill -9) and restart', () => {
  it('gives every command exactly one result, and the same one again when retried', async () => {
    const client = AspClient.create(nc, {
      partition,
      inflightMessagesMax: 16,
      batchCommandsMax: 100,
      resultTimeoutMs: 1000,
      resultCheckMaxMs: 2000,
      lookupTimeoutMs: 500,
      retryDeadlineMs: 120_000,
    });
    const p = uniqueName('k');
    const org = `${p}o`;
    const team = `${p}t`;
    const total = 20_000;
    // The cap is exactly the number of one-seat commands: all are accepted only if none was lost,
    // and one more is refused only if none was applied twice.
    const setup = await client.send([
      command('seats.createOrg', `${p}-org`, { orgId: org, cap: total }),
      command('seats.createTeam', `${p}-team`, { orgId: org, teamId: team }),
    ]);
    expect(setup.map((r) => r.status)).toEqual(['accepted', 'accepted']);

    const commands = Array.from({ length: total }, (_, i) =>
      command('seats.addSeats', `${p}-${i}`, { orgId: org, teamId: team, seats: 1 }),
    );
    // Everything is queued at once so messages are always in flight; the kill comes once a
    // fifth of the results are in, whatever the machine's speed.
    const pending = commands.map((c) => client.submit(c));
    let done = 0;
    for (const p of pending) void p.then(() => done++);
    while (done < total / 5) await sleep(2);
    const atKill = client.stats();
    await sequencer!.kill();
    await sleep(300);
    sequencer = await start();
    const results = await Promise.all(pending);
    // The kill must have hit the load while messages were in flight, or this proves nothing.
    expect(atKill.inflightMessages).toBeGreaterThan(0);
    expect(results.map((r) => r.id)).toEqual(commands.map((c) => c.id));
    const refused = results.filter((r) => r.status !== 'accepted');
    expect(refused, run.logTail()).toEqual([]);

    const extra = await client.send([
      command('seats.addSeats', `${p}-extra`, { orgId: org, teamId: team, seats: 1 }),
    ]);
    expect(extra[0]).toMatchObject({ status: 'rejected', code: 'ASP_REJ_INVARIANT' });
    expect(extra[0]!.status === 'rejected' && extra[0]!.message).toMatch(`has 0 of ${total} free`);

    const again: CommandResult[] = [];
    for (let i = 0; i < total; i += 1000) again.push(...(await client.send(commands.slice(i, i + 1000))));
    expect(again).toEqual(results);
    console.log('[crash test] client stats at the kill', atKill, 'at the end', client.stats());
    await client.close();
  }, 180_000);

  it('waits through a sequencer that starts after the producer', async () => {
    const late = sequencerRun(env.natsUrl, uniqueName('lt'));
    const client = AspClient.create(nc, {
      partition: late.partition,
      resultTimeoutMs: 500,
      lookupTimeoutMs: 250,
    });
    const p = uniqueName('l');
    const pending = Array.from({ length: 50 }, (_, i) =>
      client.submit(command('counter.increment', `${p}-${i}`, { counterId: p, by: 1 })),
    );
    await sleep(1500);
    const proc = await late.start();
    try {
      const results = await Promise.all(pending);
      expect(results.every((r) => r.status === 'accepted')).toBe(true);
      expect(client.stats().lookupFailures).toBeGreaterThan(0);
    } finally {
      await client.close();
      await proc.stop();
      late.remove();
    }
  });
});
