/**
 * Decider specifications, given / when / then:
 *
 *   given([ev('org', 'acme', 'seats.OrgCreated', { cap: 10 })])
 *     .when('seats.createTeam', { orgId: 'acme', teamId: 'red' })
 *     .thenEmits([ev('team', 'red', 'seats.TeamCreated', { orgId: 'acme' })]);
 *
 * or `.thenRejects(code, invariant?)`. (Not `.then`: an object with a `then` method is a
 * thenable, and `await` would call it.)
 *
 * The command goes through the whole engine (validation, decide, invariant re-check), so a
 * spec proves what a producer would see.
 */
import { expect } from 'vitest';
import { createEngine, type Engine, MemoryState, type NewEvent } from '../src/index.ts';
import type { EventRecord, RejectedResult, RejectionCode } from '../src/protocol.ts';

export function ev(
  aggregateType: string,
  aggregateId: string,
  type: string,
  data: Record<string, unknown>,
): NewEvent {
  return { aggregateType, aggregateId, type, data };
}

/** Numbers given events per aggregate (1, 2, …) as the engine would have. */
export function records(events: readonly NewEvent[], commandId = 'given'): EventRecord[] {
  const versions = new Map<string, number>();
  return events.map((e) => {
    const key = `${e.aggregateType}/${e.aggregateId}`;
    const version = (versions.get(key) ?? 0) + 1;
    versions.set(key, version);
    return { commandId, ...e, version };
  });
}

export function given(events: readonly NewEvent[], engine: Engine = createEngine()) {
  const state = new MemoryState();
  state.apply(engine.replay(records(events), state));
  return {
    when(type: string, data: unknown) {
      const outcome = engine.decideBatch([engine.validate({ id: 'cmd', type, data })], state);
      const result = outcome.results[0]!;
      return {
        thenEmits(expected: readonly NewEvent[]): void {
          expect(result).toEqual({ id: 'cmd', status: 'accepted' });
          const got = outcome.events.map(({ aggregateType, aggregateId, type, data }) => ({
            aggregateType,
            aggregateId,
            type,
            data,
          }));
          expect(got).toEqual(expected);
        },
        thenRejects(code: RejectionCode, invariant?: string): RejectedResult {
          expect(result).toMatchObject({ id: 'cmd', status: 'rejected', code });
          if (invariant !== undefined) expect(result).toMatchObject({ invariant });
          expect(outcome.events).toEqual([]);
          return result as RejectedResult;
        },
      };
    },
  };
}
