import { z } from 'zod';
import { eventOn, read, reject, unknownEvent } from '../../decision.ts';
import type { AggregateDef, CommandDef, DomainEvent, NewEvent } from '../../types.ts';
import { aggregateId, memo, nonNegativeInt, positiveInt, withMemo } from '../schemas.ts';

/** One shared value many writers increment: the hot-row case. `max: null` means uncapped. */
export interface CounterState {
  value: number;
  max: number | null;
}

export type CounterEvent =
  | { type: 'counter.CounterCreated'; data: { max: number | null } }
  | { type: 'counter.Incremented'; data: { by: number } };

export const counter: AggregateDef<CounterState> = {
  type: 'counter',
  initial: () => ({ value: 0, max: null }),
  evolve(s, event) {
    const e = event as DomainEvent & CounterEvent;
    switch (e.type) {
      case 'counter.CounterCreated':
        return { value: s.value, max: e.data.max };
      case 'counter.Incremented':
        return { value: s.value + e.data.by, max: s.max };
      default:
        return unknownEvent('counter', event);
    }
  },
  invariants: [
    {
      name: 'counter.value_within_max',
      holds: (s) => s.max === null || s.value <= s.max,
      describe: (s) => `value ${s.value} would exceed max ${s.max}`,
    },
    {
      name: 'counter.value_in_range',
      holds: (s) => Number.isSafeInteger(s.value),
      describe: (s) => `value ${s.value} would leave the safe integer range`,
    },
  ],
};

const incrementData = z.strictObject({
  counterId: aggregateId,
  by: positiveInt,
  max: nonNegativeInt.optional(),
  memo,
});

/** The first increment creates the counter, with `max` if given; later ones must repeat it or omit it. */
export const increment: CommandDef<z.infer<typeof incrementData>> = {
  type: 'counter.increment',
  schema: incrementData,
  keys: (d) => [{ type: counter.type, id: d.counterId }],
  decide(d, view) {
    const c = read(view, counter, d.counterId);
    const events: NewEvent[] = [];
    if (!c) {
      events.push(eventOn(counter, d.counterId, 'counter.CounterCreated', { max: d.max ?? null }));
    } else if (d.max !== undefined && d.max !== c.state.max) {
      return reject('ASP_REJ_INVALID_STATE', `counter ${d.counterId} has max ${c.state.max}, not ${d.max}`);
    }
    const value = c?.state.value ?? 0;
    const max = c ? c.state.max : (d.max ?? null);
    if (max !== null && value + d.by > max) {
      const message = `cannot increment counter ${d.counterId} by ${d.by}: at ${value} of max ${max}`;
      return reject('ASP_REJ_INVARIANT', message, 'counter.value_within_max');
    }
    events.push(eventOn(counter, d.counterId, 'counter.Incremented', withMemo({ by: d.by }, d.memo)));
    return { ok: true, events };
  },
};
