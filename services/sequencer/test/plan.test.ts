import { createEngine } from '@asp/domain';
import { encodeEnvelope, type WireCommand } from '@asp/protocol';
import { describe, expect, it } from 'vitest';
import { decodeBatch, planBatch, validatedItems } from '../src/plan.ts';

const engine = createEngine();
const inc = (id: string): WireCommand => ({ id, type: 'counter.increment', data: { counterId: 'c', by: 1 } });
const msg = (commands: WireCommand[]) => ({
  data: encodeEnvelope({ v: 1, commands }, 'application/msgpack'),
  contentType: 'application/msgpack' as const,
});

describe('planBatch', () => {
  it('decides first copies only and counts retries apart from decoder refusals', () => {
    const decoded = decodeBatch(engine, [
      msg([inc('a'), inc('b'), inc('b')]), // the second b is a duplicate id in one message: refused
      msg([inc('a'), inc('old')]), // a again (same batch) and old (stored): retries
    ]);
    const stored = new Map([['old', { id: 'old', status: 'accepted' as const, seq: 1 }]]);
    const plan = planBatch(decoded, stored);
    expect(plan.items.map((i) => (i.ok ? i.id : i.result.id))).toEqual(['a', 'b']);
    expect(plan.retried).toBe(2);
    expect(plan.refused).toBe(1);
  });
});

describe('validatedItems', () => {
  it('holds every item the plan may decide: a superset, retries included, refusals not', () => {
    const decoded = decodeBatch(engine, [
      msg([inc('a'), inc('b'), inc('b')]),
      msg([inc('a'), inc('old')]),
      { data: new Uint8Array([0xc1]), contentType: 'application/msgpack' as const }, // unreadable
    ]);
    const ids = validatedItems(decoded).map((i) => (i.ok ? i.id : i.result.id));
    expect(ids).toEqual(['a', 'b', 'a', 'old']);
    const plan = planBatch(decoded, new Map([['old', { id: 'old', status: 'accepted' as const, seq: 1 }]]));
    for (const item of plan.items) expect(validatedItems(decoded)).toContain(item);
  });
});
