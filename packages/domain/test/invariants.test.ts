import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Engine } from '../src/index.ts';
import { cmd, Harness } from './batch.ts';
import { buggy } from './buggy.ts';

/** A bank wallet holding 100, seeded directly: every move conserves money. */
function funded(): Harness {
  const h = new Harness(new Engine([buggy]));
  h.state.apply(new Map([['wallet/bank', { version: 1, state: { balance: 100 } }]]));
  return h;
}

/** The engine re-checks invariants itself: a decider that checks nothing still cannot break them. */
describe('invariant enforcement', () => {
  it('rejects a buggy decide that would break an invariant, and discards its events', () => {
    const h = funded();
    const out = h.run([
      cmd('buggy.move', { from: 'alice', to: 'bob', amount: 1 }),
      cmd('buggy.move', { from: 'bank', to: 'bob', amount: 60 }),
      cmd('buggy.move', { from: 'bank', to: 'carol', amount: 60 }),
    ]);
    expect(out.results[0]).toMatchObject({
      code: 'ASP_REJ_INVARIANT',
      invariant: 'buggy.wallet.balance_not_negative',
      message: 'balance would be -1',
    });
    expect(out.results[1]!.status).toBe('accepted');
    // Write skew across a batch: the third sees the second's debit and is refused.
    expect(out.results[2]).toMatchObject({ code: 'ASP_REJ_INVARIANT' });
    expect(out.events.map((e) => e.commandId)).toEqual([out.results[1]!.id, out.results[1]!.id]);
    expect(h.state.get('wallet', 'bank')).toEqual({ version: 2, state: { balance: 40 } });
    expect(h.state.get('wallet', 'bob')).toEqual({ version: 1, state: { balance: 60 } });
    expect(h.state.get('wallet', 'alice')).toBeUndefined();
  });

  it('keeps every wallet non-negative whatever the buggy commands', () => {
    const stats = { accepted: 0 };
    const wallets = fc.constantFrom('bank', 'a', 'b', 'c');
    const move = fc.record({ from: wallets, to: wallets, amount: fc.integer({ min: -50, max: 50 }) });
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.tuple(move, fc.boolean()), { maxLength: 8 }), { maxLength: 8 }),
        (batches) => {
          const h = funded();
          for (const batch of batches) {
            const out = h.run(batch.map(([data, linked]) => cmd('buggy.move', data, linked)));
            stats.accepted += out.results.filter((r) => r.status === 'accepted').length;
          }
          expect(h.engine.checkAll(h.state.entries())).toEqual([]);
        },
      ),
      { numRuns: 200 },
    );
    // Not vacuous: the runs accepted moves as well as refusing them.
    expect(stats.accepted).toBeGreaterThan(100);
  });
});
