import { createEngine } from '@asp/domain';
import type { CommitRecord, EventRecord } from '@asp/protocol';
import { describe, expect, it } from 'vitest';
import { coalesce, planDoc } from '../src/apply/plan.ts';

const engine = createEngine();

function ev(
  type: string,
  id: string,
  version: number,
  eventType: string,
  data: Record<string, unknown>,
): EventRecord {
  return {
    commandId: `c-${id}-${version}`,
    aggregateType: type,
    aggregateId: id,
    version,
    type: eventType,
    data,
  };
}

function rec(seq: number, events: EventRecord[]): CommitRecord {
  return { v: 1, partition: 'p0', seq, ts: 1_700_000_000_000 + seq, results: [], events };
}

const k1 = ev('counter', 'k', 1, 'counter.CounterCreated', { max: null });
const k2 = ev('counter', 'k', 2, 'counter.Incremented', { by: 2 });
const k3 = ev('counter', 'k', 3, 'counter.Incremented', { by: 5 });

describe('coalesce', () => {
  it('groups a batch by document, in stream order, remembering each event record', () => {
    const docs = coalesce([
      rec(1, [k1, ev('org', 'o', 1, 'seats.OrgCreated', { cap: 3 })]),
      rec(2, [k2, k3]),
    ]);
    expect([...docs.keys()]).toEqual(['counter/k', 'org/o']);
    expect(docs.get('counter/k')!.events.map((e) => [e.event.version, e.seq])).toEqual([
      [1, 1],
      [2, 2],
      [3, 2],
    ]);
  });
});

describe('planDoc', () => {
  const doc = () => coalesce([rec(1, [k1]), rec(2, [k2]), rec(3, [k3])]).get('counter/k')!;

  it('evolves a new document from the initial state through all its events: one write', () => {
    expect(planDoc(engine, doc(), undefined)).toMatchObject({
      key: 'counter/k',
      baseVersion: 0,
      version: 3,
      state: { value: 7, max: null },
      seq: 3,
      ts: 1_700_000_000_003,
    });
  });

  it('skips the events a document already has, and writes nothing when it has them all', () => {
    const w = planDoc(engine, doc(), { version: 2, state: { value: 2, max: null } });
    expect(w).toMatchObject({ baseVersion: 2, version: 3, state: { value: 7, max: null }, seq: 3 });
    expect(planDoc(engine, doc(), { version: 3, state: { value: 7, max: null } })).toBeUndefined();
    expect(planDoc(engine, doc(), { version: 9, state: { value: 99, max: null } })).toBeUndefined();
  });

  it('refuses a version gap instead of writing a wrong document', () => {
    const gapped = coalesce([rec(3, [k3])]).get('counter/k')!;
    expect(() => planDoc(engine, gapped, { version: 1, state: { value: 0, max: null } })).toThrow(
      expect.objectContaining({
        code: 'ASP_ERR_PROJECTOR_VERSION_GAP',
        message: expect.stringMatching(/counter\/k is at version 1 .* has version 3/),
      }),
    );
    expect(() => planDoc(engine, gapped, undefined)).toThrow(/is at version 0/);
  });

  it('refuses an aggregate type no domain defines', () => {
    const odd = coalesce([rec(1, [ev('planet', 'mars', 1, 'space.Landed', {})])]).get('planet/mars')!;
    expect(() => planDoc(engine, odd, undefined)).toThrow(
      expect.objectContaining({ code: 'ASP_ERR_PROJECTOR_UNKNOWN_AGGREGATE' }),
    );
  });
});
