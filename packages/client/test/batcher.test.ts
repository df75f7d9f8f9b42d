import { describe, expect, it } from 'vitest';
import { Batcher, type Queued } from '../src/batcher.ts';
import { Slots } from '../src/slots.ts';

type Q = Queued<string, string>;

/** A batcher whose dispatches stay in flight until the test finishes them. */
function setup(o: { slots: number; max: number; queueMax?: number; lingerMs?: number }) {
  const slots = new Slots(o.slots);
  const batches: string[][] = [];
  const inflight: (() => void)[] = [];
  const dispatch = (batch: Q[]) =>
    new Promise<void>((resolve) => {
      batches.push(batch.map((q) => q.item));
      inflight.push(() => {
        for (const q of batch) q.resolve(`r:${q.item}`);
        resolve();
      });
    });
  const opts = { batchCommandsMax: o.max, lingerMs: o.lingerMs ?? 0, submitQueueMax: o.queueMax ?? 1000 };
  const batcher = new Batcher<string, string>(opts, slots, dispatch, (id) => id.split('#')[0]!);
  const push = (item: string) =>
    new Promise<string>((resolve, reject) => batcher.push({ item, resolve, reject }));
  const finishAll = async () => {
    while (inflight.length > 0) inflight.shift()!();
    await tick();
  };
  return { slots, batcher, batches, inflight, push, finishAll };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('Batcher', () => {
  it('sends everything submitted in one tick as one batch when a slot is free', async () => {
    const t = setup({ slots: 4, max: 100 });
    const results = ['a', 'b', 'c'].map(t.push);
    await tick();
    expect(t.batches).toEqual([['a', 'b', 'c']]);
    await t.finishAll();
    expect(await Promise.all(results)).toEqual(['r:a', 'r:b', 'r:c']);
  });

  it('cuts batches at batchCommandsMax, one slot each', async () => {
    const t = setup({ slots: 3, max: 10 });
    for (let i = 0; i < 25; i++) void t.push(`c${i}`);
    await tick();
    await tick();
    expect(t.batches.map((b) => b.length)).toEqual([10, 10, 5]);
    expect(t.slots.busy).toBe(3);
    await t.finishAll();
    expect(t.slots.busy).toBe(0);
  });

  it('accumulates while every slot is busy and sends it all when one frees', async () => {
    const t = setup({ slots: 1, max: 100 });
    void t.push('first');
    await tick();
    expect(t.batches).toEqual([['first']]);
    for (let i = 0; i < 50; i++) void t.push(`c${i}`);
    await tick();
    expect(t.batches.length).toBe(1); // no slot: nothing leaves
    expect(t.batcher.size).toBe(50);
    t.inflight.shift()!();
    await tick();
    expect(t.batches.length).toBe(2);
    expect(t.batches[1]!.length).toBe(50);
    await t.finishAll();
  });

  it('holds a repeated id back for the next batch', async () => {
    const t = setup({ slots: 2, max: 100 });
    for (const item of ['a', 'b', 'a#2', 'c', 'a#3']) void t.push(item);
    await tick();
    await tick();
    expect(t.batches).toEqual([['a', 'b', 'c'], ['a#2']]);
    await t.finishAll();
    await tick();
    expect(t.batches[2]).toEqual(['a#3']);
    await t.finishAll();
  });

  it('refuses submissions past submitQueueMax', async () => {
    const t = setup({ slots: 1, max: 10, queueMax: 3 });
    for (const item of ['a', 'b', 'c']) void t.push(item);
    await expect(t.push('d')).rejects.toMatchObject({ code: 'ASP_ERR_CLIENT_QUEUE_FULL', ids: ['d'] });
    await tick();
    await t.finishAll();
  });

  it('puts split-off items back at the head, and fails the queue on close', async () => {
    const t = setup({ slots: 1, max: 10 });
    void t.push('x');
    await tick();
    const late = ['y', 'z'].map(t.push);
    t.batcher.unshift([{ item: 'w', resolve: () => {}, reject: () => {} }]);
    expect(t.batcher.size).toBe(3);
    t.batcher.rejectAll((ids) => new Error(`closed: ${ids.join(',')}`));
    await expect(late[0]).rejects.toThrow('closed: w,y,z');
    await expect(late[1]).rejects.toThrow('closed: w,y,z');
    await t.finishAll();
  });

  it('waits lingerMs for more commands when a slot is free', async () => {
    const t = setup({ slots: 1, max: 100, lingerMs: 30 });
    void t.push('a');
    await tick();
    void t.push('b');
    await new Promise((r) => setTimeout(r, 60));
    expect(t.batches).toEqual([['a', 'b']]);
    await t.finishAll();
  });
});
