import { describe, expect, it } from 'vitest';
import { Slots } from '../src/slots.ts';

describe('Slots', () => {
  it('bounds holders and serves waiters first come, first served', async () => {
    const slots = new Slots(2);
    expect(slots.tryAcquire()).toBe(true);
    await slots.acquire();
    expect(slots.busy).toBe(2);
    expect(slots.tryAcquire()).toBe(false);
    const order: number[] = [];
    const a = slots.acquire().then(() => order.push(1));
    const b = slots.acquire().then(() => order.push(2));
    expect(slots.waiting).toBe(2);
    slots.release();
    slots.release();
    await Promise.all([a, b]);
    expect(order).toEqual([1, 2]);
    expect(slots.busy).toBe(2);
  });

  it('does not let tryAcquire jump the queue', async () => {
    const slots = new Slots(1);
    await slots.acquire();
    const waiter = slots.acquire();
    slots.release(); // handed to the waiter, not freed
    expect(slots.tryAcquire()).toBe(false);
    await waiter;
    slots.release();
    expect(slots.busy).toBe(0);
    expect(() => slots.release()).toThrow(/not held/);
  });

  it('rejects waiters on close', async () => {
    const slots = new Slots(1);
    await slots.acquire();
    const waiter = slots.acquire();
    slots.rejectWaiters(new Error('closed'));
    await expect(waiter).rejects.toThrow('closed');
  });
});
