import { describe, expect, it } from 'vitest';
import { closeOpenChain, invalidItem } from '../src/index.ts';
import { cmd, Harness } from './batch.ts';

function acme(cap: number): Harness {
  const h = new Harness();
  h.run([
    cmd('seats.createOrg', { orgId: 'acme', cap }),
    cmd('seats.createTeam', { orgId: 'acme', teamId: 'red' }),
    cmd('seats.createTeam', { orgId: 'acme', teamId: 'blue' }),
  ]);
  return h;
}
const add = (teamId: string, seats: number, linked?: boolean) =>
  cmd('seats.addSeats', { orgId: 'acme', teamId, seats }, linked);

describe('atomic groups', () => {
  it('applies a linked chain whole', () => {
    const h = acme(10);
    const out = h.run([add('red', 3, true), add('blue', 4)]);
    expect(out.results.map((r) => r.status)).toEqual(['accepted', 'accepted']);
    expect(h.state.get('org', 'acme')).toEqual({ version: 3, state: { cap: 10, used: 7 } });
  });

  it('applies none of a chain when one member fails, naming the cause', () => {
    const h = acme(10);
    const before = h.hash();
    const a = add('red', 3, true);
    const b = add('blue', 8, true);
    const c = add('red', 1);
    const out = h.run([a, b, c]);
    expect(out.results).toEqual([
      {
        id: a.id,
        status: 'rejected',
        code: 'ASP_REJ_GROUP_FAILED',
        cause: b.id,
        message: expect.stringContaining(b.id),
      },
      {
        id: b.id,
        status: 'rejected',
        code: 'ASP_REJ_INVARIANT',
        invariant: 'seats.org.used_within_cap',
        message: expect.any(String),
      },
      {
        id: c.id,
        status: 'rejected',
        code: 'ASP_REJ_GROUP_FAILED',
        cause: b.id,
        message: expect.any(String),
      },
    ]);
    expect(out.events).toEqual([]);
    expect(out.changed.size).toBe(0);
    expect(h.hash()).toBe(before);
  });

  it('rolls the overlay back to exactly its state before the group', () => {
    const h = acme(10);
    const first = add('red', 2);
    const out = h.run([first, add('red', 1, true), add('blue', 1, true), add('red', 99), add('blue', 3)]);
    expect(out.results.map((r) => r.status)).toEqual([
      'accepted',
      'rejected',
      'rejected',
      'rejected',
      'accepted',
    ]);
    // The batch's events carry consecutive versions: the failed group left no gap.
    expect(out.events.filter((e) => e.aggregateType === 'org').map((e) => e.version)).toEqual([2, 3]);
    expect(out.changed.get('org/acme')).toEqual({ version: 3, state: { cap: 10, used: 5 } });
    expect(out.changed.get('team/red')).toEqual({ version: 2, state: { orgId: 'acme', seats: 2 } });
    expect(out.events.map((e) => e.commandId)).not.toContain(out.results[1]!.id);
  });

  it('fails a chain that holds a decoder rejection, without deciding it', () => {
    const h = acme(10);
    const before = h.hash();
    const a = add('red', 1, true);
    const bad = invalidItem(
      { id: 'bad', status: 'rejected', code: 'ASP_REJ_DUPLICATE_ID', message: 'dup' },
      true,
    );
    const c = add('blue', 1);
    const out = h.engine.decideBatch([h.engine.validate(a), bad, h.engine.validate(c)], h.state);
    expect(out.results).toEqual([
      expect.objectContaining({ id: a.id, code: 'ASP_REJ_GROUP_FAILED', cause: 'bad' }),
      bad.result,
      expect.objectContaining({ id: c.id, code: 'ASP_REJ_GROUP_FAILED', cause: 'bad' }),
    ]);
    h.state.apply(out.changed);
    expect(h.hash()).toBe(before);
  });

  it('fails a chain when a member has a schema error', () => {
    const h = acme(10);
    const a = add('red', 1, true);
    const b = add('blue', -1);
    const out = h.run([a, b]);
    expect(out.results[1]).toMatchObject({ code: 'ASP_REJ_SCHEMA' });
    expect(out.results[0]).toMatchObject({ code: 'ASP_REJ_GROUP_FAILED', cause: b.id });
  });

  it('rejects a chain still open at the end, keeping earlier groups', () => {
    const h = acme(10);
    const out = h.run([add('red', 1), add('red', 1, true), add('blue', 1, true)]);
    expect(out.results.map((r) => (r.status === 'rejected' ? r.code : r.status))).toEqual([
      'accepted',
      'ASP_REJ_GROUP_OPEN',
      'ASP_REJ_GROUP_OPEN',
    ]);
  });

  it('closes an open chain per message, before messages are concatenated', () => {
    const h = acme(10);
    const first = [add('red', 1, true)].map((c) => h.engine.validate(c));
    const second = [add('blue', 1)].map((c) => h.engine.validate(c));
    const out = h.engine.decideBatch([...closeOpenChain(first), ...closeOpenChain(second)], h.state);
    expect(out.results.map((r) => r.status)).toEqual(['rejected', 'accepted']);
    expect(closeOpenChain(second)).toBe(second);
  });

  it('sees earlier commands of the batch: two adds that together exceed the cap (no write skew)', () => {
    const h = acme(10);
    const out = h.run([add('red', 6), add('blue', 6)]);
    expect(out.results[0]!.status).toBe('accepted');
    expect(out.results[1]).toMatchObject({
      code: 'ASP_REJ_INVARIANT',
      invariant: 'seats.org.used_within_cap',
    });
    expect(h.state.get('org', 'acme')?.state).toEqual({ cap: 10, used: 6 });
  });
});
