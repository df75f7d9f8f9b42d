import { describe, expect, it } from 'vitest';
import { cheaperDelete } from '../src/apply/deletes.ts';

describe('cheaperDelete', () => {
  it('deletes one statement per id once the collection outweighs the list, as measured', () => {
    // The crossovers quoted in deletes.ts: ~150 documents for 30 ids, ~470 for 100, ~1,200 for 300, ~2,700 for 1,000.
    for (const [ids, docs] of [
      [30, 150],
      [100, 470],
      [300, 1220],
      [1000, 2750],
    ] as const) {
      expect(cheaperDelete(Math.floor(docs * 0.9), ids)).toBe('in');
      expect(cheaperDelete(Math.ceil(docs * 1.1), ids)).toBe('each');
    }
    expect(cheaperDelete(0, 1)).toBe('in');
    expect(cheaperDelete(100_000, 5000)).toBe('each');
  });
});
