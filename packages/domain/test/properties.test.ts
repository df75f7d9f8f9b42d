import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type BatchOutcome,
  builtInDomains,
  type Domain,
  Engine,
  MemoryState,
  stateHash,
} from '../src/index.ts';
import type { EventRecord, WireCommand } from '../src/protocol.ts';
import { batches } from './arbitraries.ts';
import { Harness } from './batch.ts';

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}

/** The built-in domains with every state frozen as it is made: an evolve that mutates throws. */
const frozen: Domain[] = builtInDomains.map((d) => ({
  ...d,
  aggregates: d.aggregates.map((a) => ({
    ...a,
    initial: (id) => deepFreeze(a.initial(id)),
    evolve: (s, e) => deepFreeze(a.evolve(s, e)),
  })),
}));

/** Every chain of the batch was applied whole or not at all. */
function expectGroupsAtomic(commands: readonly WireCommand[], outcome: BatchOutcome): void {
  expect(outcome.results.map((r) => r.id)).toEqual(commands.map((c) => c.id));
  let start = 0;
  for (let i = 0; i < commands.length; i++) {
    if (commands[i]!.linked && i < commands.length - 1) continue;
    const statuses = new Set(outcome.results.slice(start, i + 1).map((r) => r.status));
    expect(statuses.size).toBe(1);
    start = i + 1;
  }
}

describe('properties over random batches of every domain', () => {
  it('never leaves an invariant or audit violated, and replay gives the same state', () => {
    const stats = { accepted: 0, rejected: 0, groupFailed: 0 };
    fc.assert(
      fc.property(batches, (generated) => {
        const h = new Harness(new Engine(frozen));
        const log: EventRecord[][] = [];
        let n = 0;
        for (const batch of generated) {
          const commands = batch.map(([c, linked]) => ({ id: `c${n++}`, ...c, linked }));
          const outcome = h.run(commands);
          expectGroupsAtomic(commands, outcome);
          expect(h.engine.checkAll(h.state.entries())).toEqual([]);
          log.push(outcome.events);
          for (const r of outcome.results) {
            if (r.status === 'accepted') stats.accepted += 1;
            else if (r.code === 'ASP_REJ_GROUP_FAILED') stats.groupFailed += 1;
            else stats.rejected += 1;
          }
        }
        // Recovery replays one record (batch) at a time; a rebuild replays everything at once.
        const perRecord = new MemoryState();
        for (const events of log) perRecord.apply(h.engine.replay(events, perRecord));
        const whole = new MemoryState();
        whole.apply(h.engine.replay(log.flat(), whole));
        expect(stateHash(perRecord.entries())).toBe(h.hash());
        expect(stateHash(whole.entries())).toBe(h.hash());
      }),
      { numRuns: 300 },
    );
    // Not vacuous: plenty of everything happened.
    expect(stats.accepted).toBeGreaterThan(1000);
    expect(stats.rejected).toBeGreaterThan(1000);
    expect(stats.groupFailed).toBeGreaterThan(100);
  });
});
