import { describe, expect, it } from 'vitest';
import { DocCache } from '../src/apply/cache.ts';
import { fromDocument, toDocument } from '../src/readmodels/documents.ts';

const v = (version: number) => ({ version, state: { n: version } });

describe('DocCache', () => {
  it('evicts the least recently used document past its bound', () => {
    const c = new DocCache(2);
    c.set('a', v(1));
    c.set('b', v(1));
    c.get('a');
    c.set('c', v(1));
    expect(c.get('b')).toBeUndefined();
    expect(c.get('a')).toEqual(v(1));
    expect(c.size).toBe(2);
  });

  it('is complete (a miss means absent) only until it forgets something', () => {
    const c = new DocCache(2, { complete: true });
    c.set('a', v(1));
    c.set('b', v(2));
    expect(c.complete).toBe(true);
    c.set('c', v(3));
    expect(c.complete).toBe(false);
    const d = new DocCache(5, { complete: true });
    d.delete('a');
    expect(d.complete).toBe(false);
    expect(new DocCache(0, { complete: true }).complete).toBe(true);
    const z = new DocCache(0, { complete: true });
    z.set('a', v(1));
    expect(z.complete).toBe(false);
  });
});

describe('documents', () => {
  const meta = { id: 'eng', version: 4, seq: 17, partition: 'p0', ts: 1_700_000_000_000 };

  it('puts the state fields at the top level, beside the projector fields, and reads them back', () => {
    const doc = toDocument('team/eng', { orgId: 'acme', seats: 3 }, meta);
    expect(doc).toEqual({
      _id: 'eng',
      orgId: 'acme',
      seats: 3,
      version: 4,
      seq: 17,
      partition: 'p0',
      updatedAt: new Date(1_700_000_000_000),
    });
    expect(fromDocument(doc)).toEqual({
      version: 4,
      seq: 17,
      partition: 'p0',
      state: { orgId: 'acme', seats: 3 },
    });
  });

  it('refuses states that cannot be documents', () => {
    expect(() => toDocument('x/1', { version: 2 }, meta)).toThrow(/field "version"/);
    expect(() => toDocument('x/1', [1, 2], meta)).toThrow(
      expect.objectContaining({ code: 'ASP_ERR_PROJECTOR_STATE_SHAPE' }),
    );
    expect(() => toDocument('x/1', 5, meta)).toThrow(/not an object/);
  });
});

describe('DocCache eviction', () => {
  it('stays least recently used first across many evictions, moves, deletes and clears', () => {
    const c = new DocCache(100);
    const model: string[] = []; // least recently used first
    const touch = (k: string) => {
      const i = model.indexOf(k);
      if (i >= 0) model.splice(i, 1);
      model.push(k);
      if (model.length > 100) model.shift();
    };
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let i = 0; i < 20_000; i++) {
      const k = `k${rand(300)}`;
      const op = rand(6);
      if (op < 2) {
        if (c.get(k)) touch(k);
      } else if (op === 2) {
        c.delete(k);
        const i = model.indexOf(k);
        if (i >= 0) model.splice(i, 1);
      } else {
        c.set(k, v(i));
        touch(k);
      }
      if (i === 10_000) {
        c.clear();
        model.length = 0;
      }
    }
    expect(c.size).toBe(model.length);
    // Oldest first: each get moves the key to the end, so the model's order is kept.
    for (const k of model) expect(c.get(k)).toBeDefined();
    // Past the bound, the next insert evicts exactly the model's oldest.
    for (let i = model.length; i < 100; i++) c.set(`fill${i}`, v(0));
    c.set('one-more', v(0));
    expect(c.get(model[0]!)).toBeUndefined();
    expect(c.get(model[1]!)).toBeDefined();
  });
});
