import { describe, expect, it } from 'vitest';
import { auditLines } from '../src/audit/audit.ts';
import { Comparison, compareModels } from '../src/audit/compare.ts';

const truth = new Map([
  ['org/acme', { version: 3, state: { cap: 10, used: 4 } }],
  ['team/eng', { version: 2, state: { orgId: 'acme', seats: 4 } }],
  ['counter/k', { version: 1, state: { value: 1, max: null } }],
]);

describe('compareModels', () => {
  it('finds nothing when every document equals its aggregate, whatever the key order', () => {
    const models = new Map([
      ['org/acme', { version: 3, state: { used: 4, cap: 10 } }],
      ['team/eng', { version: 2, state: { seats: 4, orgId: 'acme' } }],
      ['counter/k', { version: 1, state: { max: null, value: 1 } }],
    ]);
    expect(compareModels(truth, models)).toEqual([]);
  });

  it('reports edited, stale, missing and extra documents', () => {
    const models = new Map([
      ['org/acme', { version: 3, state: { cap: 10, used: 5 } }],
      ['team/eng', { version: 1, state: { orgId: 'acme', seats: 4 } }],
      ['counter/k', { version: 1, state: { value: 1 } }],
      ['org/ghost', { version: 1, state: { cap: 1, used: 0 } }],
    ]);
    const d = compareModels(truth, models);
    expect(d.map((x) => [x.key, x.kind])).toEqual([
      ['org/acme', 'state'],
      ['team/eng', 'version'],
      ['counter/k', 'state'],
      ['org/ghost', 'extra'],
    ]);
    expect(d[0]!.message).toBe(
      'org/acme: read model {"cap":10,"used":5} but sequencer {"cap":10,"used":4} (version 3)',
    );
    expect(compareModels(truth, new Map())[0]).toMatchObject({
      kind: 'missing',
      message: 'org/acme: no read model document (sequencer: version 3)',
    });
  });
});

describe('Comparison', () => {
  it('keeps the first differences and counts them all', () => {
    const c = new Comparison(truth, 2);
    c.see('org/acme', { version: 1, state: {} });
    c.see('team/eng', { version: 1, state: {} });
    c.see('org/ghost', { version: 1, state: {} });
    const kept = c.finish();
    expect(kept.map((d) => d.kind)).toEqual(['version', 'version']);
    // Two stale, one extra, one missing (counter/k was never seen).
    expect(c.total).toBe(4);
    expect(c.documents).toBe(3);
  });
});

describe('auditLines', () => {
  it('ends with INTEGRITY_OK, or counts the problems and shows the first few', () => {
    const ok = { ok: true, seq: 9, aggregates: 3, documents: 3, problems: [], problemsTotal: 0 };
    expect(auditLines(ok).at(-1)).toBe('INTEGRITY_OK');
    const problems = Array.from({ length: 12 }, (_, i) => `p${i}`);
    const lines = auditLines({ ...ok, ok: false, problems, problemsTotal: 12 }, 3);
    expect(lines).toEqual([
      'INTEGRITY_FAILED: 12 differences at seq 9',
      '  p0',
      '  p1',
      '  p2',
      '  … and 9 more',
    ]);
    // More found than kept: the count is of all of them.
    const many = auditLines({ ...ok, ok: false, problems, problemsTotal: 5000 }, 20);
    expect(many[0]).toBe('INTEGRITY_FAILED: 5000 differences at seq 9');
    expect(many.at(-1)).toBe('  … and 4988 more');
  });
});
