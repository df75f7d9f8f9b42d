import { describe, expect, it } from 'vitest';
import { counter, envelope, groupFailedResult, linkedGroups, roundTrip, summary } from './helpers.ts';

describe('linkedGroups', () => {
  const groups = (flags: boolean[]) => linkedGroups(flags.length, (i) => flags[i] === true);

  it('finds chains of two or more, and an open chain at the end', () => {
    expect(groups([])).toEqual([]);
    expect(groups([false, false])).toEqual([]);
    expect(groups([true, false])).toEqual([{ start: 0, end: 2, open: false }]);
    expect(groups([false, true, true, false, false, true])).toEqual([
      { start: 1, end: 4, open: false },
      { start: 5, end: 6, open: true },
    ]);
    expect(groups([true, false, true, false])).toEqual([
      { start: 0, end: 2, open: false },
      { start: 2, end: 4, open: false },
    ]);
    expect(groups([true, true])).toEqual([{ start: 0, end: 2, open: true }]);
  });

  it('builds the GROUP_FAILED result the engine shares', () => {
    expect(groupFailedResult('b', 'a')).toMatchObject({ id: 'b', code: 'ASP_REJ_GROUP_FAILED', cause: 'a' });
  });
});

describe('decodeEnvelope: linked groups', () => {
  const linked = { linked: true };

  it('passes a complete group through, members marked linked', () => {
    expect(summary(roundTrip(envelope([counter('a', linked), counter('b', linked), counter('c')])))).toEqual([
      ['a', 'command'],
      ['b', 'command'],
      ['c', 'command'],
    ]);
  });

  it('rejects every member of a chain still open at the end: ASP_REJ_GROUP_OPEN', () => {
    const r = roundTrip(envelope([counter('x'), counter('a', linked), counter('b', linked)]));
    expect(summary(r)).toEqual([
      ['x', 'command'],
      ['a', 'ASP_REJ_GROUP_OPEN'],
      ['b', 'ASP_REJ_GROUP_OPEN'],
    ]);
  });

  it('fails the other members when one is rejected here: ASP_REJ_GROUP_FAILED with cause', () => {
    const bad = { id: 'b', type: 'bad type', data: {}, linked: true };
    const r = roundTrip(envelope([counter('x'), counter('a', linked), bad, counter('c'), counter('y')]));
    expect(summary(r)).toEqual([
      ['x', 'command'],
      ['a', 'ASP_REJ_GROUP_FAILED', 'b'],
      ['b', 'ASP_REJ_SCHEMA'],
      ['c', 'ASP_REJ_GROUP_FAILED', 'b'],
      ['y', 'command'],
    ]);
  });

  it('names the first failing member as the cause; each failing member keeps its own code', () => {
    const r = roundTrip(
      envelope([
        counter('a', linked),
        counter('a', linked),
        counter('c', { ...linked, type: 5 }),
        counter('d'),
      ]),
    );
    expect(summary(r)).toEqual([
      ['a', 'ASP_REJ_GROUP_FAILED', 'a'],
      ['a', 'ASP_REJ_DUPLICATE_ID'],
      ['c', 'ASP_REJ_SCHEMA'],
      ['d', 'ASP_REJ_GROUP_FAILED', 'a'],
    ]);
  });

  it('keeps a member rejected for its own reason inside an open group', () => {
    const r = roundTrip(envelope([counter('a', linked), counter('b', { linked: true, type: '' })]));
    expect(summary(r)).toEqual([
      ['a', 'ASP_REJ_GROUP_OPEN'],
      ['b', 'ASP_REJ_SCHEMA'],
    ]);
  });

  it('chains through an invalid linked value, so the group still fails together', () => {
    const r = roundTrip(envelope([counter('a', { linked: 'yes' }), counter('b'), counter('c')]));
    expect(summary(r)).toEqual([
      ['a', 'ASP_REJ_SCHEMA'],
      ['b', 'ASP_REJ_GROUP_FAILED', 'a'],
      ['c', 'command'],
    ]);
  });

  it('does not touch groups in which nothing failed', () => {
    const bad = { id: 'z', type: 7, data: {} };
    const r = roundTrip(
      envelope([counter('a', linked), counter('b'), bad, counter('c', linked), counter('d')]),
    );
    expect(summary(r).map(([, code]) => code)).toEqual([
      'command',
      'command',
      'ASP_REJ_SCHEMA',
      'command',
      'command',
    ]);
  });
});
