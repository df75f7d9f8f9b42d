import type { ServiceProcess } from '@asp/servers';
import { testEnv, testNats, uniqueName } from '@asp/testing';
import type { NatsConnection } from '@nats-io/nats-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AspClient, type CommandResult, command } from '../src/index.ts';
import { type SequencerRun, sequencerRun } from './sequencer.ts';

const env = testEnv('client');
const partition = uniqueName('cl');
let nc: NatsConnection;
let run: SequencerRun;
let sequencer: ServiceProcess | undefined;

beforeAll(async () => {
  nc = await testNats(env);
  run = sequencerRun(env.natsUrl, partition);
  try {
    sequencer = await run.start();
  } catch (err) {
    throw new Error(`sequencer did not start: ${String(err)}\n--- ${run.logFile}\n${run.logTail()}`);
  }
});

afterAll(async () => {
  await sequencer?.stop();
  await nc?.close();
  run?.remove();
});

const fast = { partition, resultTimeoutMs: 2000, lookupTimeoutMs: 1000, retryDeadlineMs: 30_000 };

describe('AspClient against the real sequencer', () => {
  it('send: one message, positional results, rejections as values', async () => {
    const client = AspClient.create(nc, fast);
    const p = uniqueName('s');
    const results = await client.send([
      command('seats.createOrg', `${p}-1`, { orgId: `${p}o`, cap: 2 }),
      command('seats.createTeam', `${p}-2`, { orgId: `${p}o`, teamId: `${p}t` }),
      command('seats.addSeats', `${p}-3`, { orgId: `${p}o`, teamId: `${p}t`, seats: 2 }),
      command('seats.addSeats', `${p}-4`, { orgId: `${p}o`, teamId: `${p}t`, seats: 1 }),
    ]);
    expect(results.map((r) => r.id)).toEqual([`${p}-1`, `${p}-2`, `${p}-3`, `${p}-4`]);
    expect(results.slice(0, 3).every((r) => r.status === 'accepted')).toBe(true);
    expect(results[3]).toMatchObject({ status: 'rejected', code: 'ASP_REJ_INVARIANT' });
    await client.close();
  });

  it('retried ids get their original results, by send, submit and lookup', async () => {
    const client = AspClient.create(nc, { ...fast, contentType: 'application/json' });
    const p = uniqueName('r');
    const cmds = [
      command('counter.increment', `${p}-1`, { counterId: p, by: 1, max: 1 }),
      command('counter.increment', `${p}-2`, { counterId: p, by: 1 }),
    ];
    const first = await client.send(cmds);
    expect(first.map((r) => r.status)).toEqual(['accepted', 'rejected']);
    expect(await client.send(cmds)).toEqual(first);
    expect(await client.submit(cmds[1]!)).toEqual(first[1]);
    expect(await client.lookup([`${p}-2`, `${p}-1`, `${p}-none`])).toEqual([first[1], first[0], null]);
    await client.close();
  });

  it('submit batches naturally: fewer messages than commands, every command one result', async () => {
    const client = AspClient.create(nc, { ...fast, inflightMessagesMax: 4, batchCommandsMax: 200 });
    const p = uniqueName('b');
    const n = 3000;
    const pending: Promise<CommandResult>[] = [];
    for (let i = 0; i < n; i++) {
      pending.push(
        client.submit(command('counter.increment', `${p}-${i}`, { counterId: `${p}-${i % 7}`, by: 1 })),
      );
    }
    const results = await Promise.all(pending);
    expect(results.map((r) => r.id)).toEqual(pending.map((_, i) => `${p}-${i}`));
    expect(results.every((r) => r.status === 'accepted')).toBe(true);
    const stats = client.stats();
    expect(stats.commandsSent).toBe(n);
    expect(stats.messagesSent).toBeLessThanOrEqual(n / 10);
    expect(stats.messagesSent).toBeGreaterThanOrEqual(n / 200);
    await client.close();
  });

  it('refuses programmer errors without sending', async () => {
    const client = AspClient.create(nc, fast);
    const c = command('counter.increment', 'dup', { counterId: 'x', by: 1 });
    await expect(client.send([c, c])).rejects.toMatchObject({ code: 'ASP_ERR_CLIENT_INVALID_BATCH' });
    await expect(client.send([])).rejects.toMatchObject({ code: 'ASP_ERR_CLIENT_INVALID_BATCH' });
    await expect(client.submit({ ...c, linked: true })).rejects.toMatchObject({
      code: 'ASP_ERR_CLIENT_INVALID_BATCH',
    });
    expect(client.stats().messagesSent).toBe(0);
    await client.close();
    await expect(client.submit(c)).rejects.toMatchObject({ code: 'ASP_ERR_CLIENT_CLOSED' });
  });

  it('fails only the command that cannot be encoded, not its batch-mates', async () => {
    const client = AspClient.create(nc, { ...fast, contentType: 'application/json' });
    const p = uniqueName('e');
    const good = [0, 1, 2].map((i) =>
      client.submit(command('counter.increment', `${p}-${i}`, { counterId: p, by: 1 })),
    );
    const bad = client.submit({ id: `${p}-bad`, type: 'counter.increment', data: { counterId: p, by: 1n } });
    await expect(bad).rejects.toMatchObject({ code: 'ASP_ERR_PROTOCOL_ENCODE' });
    expect((await Promise.all(good)).map((r) => r.status)).toEqual(['accepted', 'accepted', 'accepted']);
    await client.close();
  });
});
