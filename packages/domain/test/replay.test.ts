import { describe, expect, it } from 'vitest';
import { canonicalJson, createEngine, MemoryState, stateHash } from '../src/index.ts';
import { cmd, Harness } from './batch.ts';
import { ev, records } from './spec.ts';

describe('replay', () => {
  it('rebuilds the state a batch made', () => {
    const h = new Harness();
    const out = h.run([
      cmd('seats.createOrg', { orgId: 'acme', cap: 5 }),
      cmd('seats.createTeam', { orgId: 'acme', teamId: 'red' }),
      cmd('seats.addSeats', { orgId: 'acme', teamId: 'red', seats: 2 }),
    ]);
    const replayed = new MemoryState();
    replayed.apply(h.engine.replay(out.events, replayed));
    expect(stateHash(replayed.entries())).toBe(h.hash());
    expect(replayed.get('org', 'acme')).toEqual({ version: 2, state: { cap: 5, used: 2 } });
  });

  it('refuses events out of order, naming the aggregate and versions', () => {
    const engine = createEngine();
    const [created, incremented] = records([
      ev('counter', 'k', 'counter.CounterCreated', { max: null }),
      ev('counter', 'k', 'counter.Incremented', { by: 1 }),
    ]);
    const state = new MemoryState();
    expect(() => engine.replay([incremented!], state)).toThrow(
      'replay out of order: counter/k is at version 0 but event counter.Incremented of command given has version 2 (expected 1)',
    );
    expect(() => engine.replay([created!, created!], state)).toThrow(
      expect.objectContaining({ code: 'ASP_ERR_DOMAIN_REPLAY_ORDER' }),
    );
    state.apply(engine.replay([created!, incremented!], state));
    expect(() => engine.replay([incremented!], state)).toThrow(/is at version 2/);
  });

  it('refuses events of unknown aggregates and unknown event types', () => {
    const engine = createEngine();
    const [unknown] = records([ev('planet', 'mars', 'space.Landed', {})]);
    expect(() => engine.replay([unknown!], new MemoryState())).toThrow(
      expect.objectContaining({ code: 'ASP_ERR_DOMAIN_UNKNOWN_AGGREGATE' }),
    );
    const [odd] = records([ev('counter', 'k', 'counter.Exploded', {})]);
    expect(() => engine.replay([odd!], new MemoryState())).toThrow(
      /counter has no event type counter.Exploded/,
    );
  });
});

describe('stateHash', () => {
  it('ignores entry order and object key order', () => {
    const a = { version: 1, state: { cap: 1, used: 0 } };
    const b = { version: 2, state: { used: 0, cap: 1 } };
    const one = stateHash([
      ['org/x', a],
      ['org/y', b],
    ]);
    const other = stateHash([
      ['org/y', { version: 2, state: { cap: 1, used: 0 } }],
      ['org/x', a],
    ]);
    expect(one).toBe(other);
    expect(one).toMatch(/^[0-9a-f]{64}$/);
    expect(stateHash([['org/x', { version: 2, state: a.state }]])).not.toBe(stateHash([['org/x', a]]));
  });

  it('writes canonical JSON', () => {
    expect(canonicalJson({ b: [1, { d: null, c: 'x' }], a: undefined, e: true })).toBe(
      '{"b":[1,{"c":"x","d":null}],"e":true}',
    );
  });
});
