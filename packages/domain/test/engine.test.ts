import { describe, expect, it } from 'vitest';
import { builtInDomains, createEngine, DomainError, Engine, withSeq } from '../src/index.ts';
import { cmd, Harness } from './batch.ts';
import { buggy } from './buggy.ts';

describe('Engine', () => {
  it('refuses duplicate types at start-up', () => {
    expect(() => new Engine([...builtInDomains, builtInDomains[0]!])).toThrow(/defined twice/);
    const clash = { name: 'other', aggregates: builtInDomains[0]!.aggregates, commands: [] };
    expect(() => new Engine([...builtInDomains, clash])).toThrow(/aggregate type "org" is defined twice/);
  });

  it('refuses malformed definitions at start-up', () => {
    const slash = { ...buggy, aggregates: [{ ...buggy.aggregates[0]!, type: 'a/b' }] };
    expect(() => new Engine([slash])).toThrow(
      expect.objectContaining({ code: 'ASP_ERR_DOMAIN_INVALID_DEF' }),
    );
    const prefix = { ...buggy, name: 'wrong' };
    expect(() => new Engine([prefix])).toThrow(/must start with "wrong\."/);
  });

  it('validates type and schema', () => {
    const engine = createEngine();
    expect(engine.validate({ id: 'x', type: 'nope.nothing', data: {} })).toEqual({
      ok: false,
      linked: false,
      result: {
        id: 'x',
        status: 'rejected',
        code: 'ASP_REJ_UNKNOWN_TYPE',
        message: 'unknown command type "nope.nothing"',
      },
    });
    const schema = engine.validate({
      id: 'y',
      type: 'seats.addSeats',
      data: { orgId: 'a', teamId: 't' },
      linked: true,
    });
    expect(schema).toMatchObject({ ok: false, linked: true, result: { code: 'ASP_REJ_SCHEMA' } });
    expect(schema.ok ? '' : schema.result.message).toMatch(/^seats\.addSeats: data\.seats: /);
    const extra = engine.validate({
      id: 'z',
      type: 'seats.createOrg',
      data: { orgId: 'a', cap: 1, x: 'y'.repeat(500) },
    });
    expect(extra.ok ? '' : extra.result.message.length).toBeLessThanOrEqual(201);
  });

  it('collects a batch’s keys once each, as type/id', () => {
    const engine = createEngine();
    const items = [
      cmd('seats.addSeats', { orgId: 'acme', teamId: 'red', seats: 1 }),
      cmd('seats.addSeats', { orgId: 'acme', teamId: 'blue', seats: 1 }),
      cmd('seats.addSeats', { orgId: 'acme', teamId: 'red' }),
    ].map((c) => engine.validate(c));
    expect(engine.keysOf(items)).toEqual(['org/acme', 'team/red', 'team/blue']);
  });

  it('asserts that decide reads and writes only declared keys', () => {
    const h = new Harness(new Engine([buggy]));
    expect(() => h.run([cmd('buggy.peek', { id: 'a', other: 'b', write: false })])).toThrow(
      /wallet\/b is not among the command's declared keys/,
    );
    expect(() => h.run([cmd('buggy.peek', { id: 'a', other: 'b', write: true })])).toThrow(/declared keys/);
  });

  it('completes accepted results with the WAL seq', () => {
    const results = [
      { id: 'a', status: 'accepted' as const },
      { id: 'b', status: 'rejected' as const, code: 'ASP_REJ_NOT_FOUND' as const, message: 'm' },
    ];
    expect(withSeq(results, 7)).toEqual([{ id: 'a', status: 'accepted', seq: 7 }, results[1]]);
  });

  it('throws DomainError with a code', () => {
    expect(() => new Engine([buggy, buggy])).toThrow(DomainError);
    expect(() => new Engine([buggy, buggy])).toThrow(
      expect.objectContaining({ code: 'ASP_ERR_DOMAIN_DUPLICATE_TYPE' }),
    );
  });
});
