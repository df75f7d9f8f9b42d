import { describe, expect, it } from 'vitest';
import { ev, given } from '../spec.ts';

const created = (max: number | null) => ev('counter', 'hits', 'counter.CounterCreated', { max });
const incremented = (by: number) => ev('counter', 'hits', 'counter.Incremented', { by });

describe('counter', () => {
  it('is created by its first increment, with its max', () => {
    given([])
      .when('counter.increment', { counterId: 'hits', by: 2 })
      .thenEmits([created(null), incremented(2)]);
    given([])
      .when('counter.increment', { counterId: 'hits', by: 2, max: 5 })
      .thenEmits([created(5), incremented(2)]);
  });

  it('increments an existing counter', () => {
    given([created(null), incremented(2)])
      .when('counter.increment', { counterId: 'hits', by: 3 })
      .thenEmits([incremented(3)]);
  });

  it('never passes its max', () => {
    const rejected = given([created(5), incremented(4)])
      .when('counter.increment', { counterId: 'hits', by: 2 })
      .thenRejects('ASP_REJ_INVARIANT', 'counter.value_within_max');
    expect(rejected.message).toBe('cannot increment counter hits by 2: at 4 of max 5');
    given([])
      .when('counter.increment', { counterId: 'hits', by: 6, max: 5 })
      .thenRejects('ASP_REJ_INVARIANT');
  });

  it('refuses a different max once created', () => {
    given([created(5)])
      .when('counter.increment', { counterId: 'hits', by: 1, max: 7 })
      .thenRejects('ASP_REJ_INVALID_STATE');
    given([created(5)])
      .when('counter.increment', { counterId: 'hits', by: 1, max: 5 })
      .thenEmits([incremented(1)]);
  });

  it('refuses an increment that would leave the safe integer range', () => {
    given([created(null), incremented(Number.MAX_SAFE_INTEGER)])
      .when('counter.increment', { counterId: 'hits', by: 1 })
      .thenRejects('ASP_REJ_INVARIANT', 'counter.value_in_range');
  });
});
