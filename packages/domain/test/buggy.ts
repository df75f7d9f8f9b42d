/**
 * A deliberately buggy domain: its deciders trust nothing and check nothing, so only the
 * engine's invariant re-check stands between them and a broken state.
 */
import { z } from 'zod';
import type { AggregateDef, CommandDef, Domain } from '../src/index.ts';

export interface WalletState {
  balance: number;
}

export const wallet: AggregateDef<WalletState> = {
  type: 'wallet',
  initial: () => ({ balance: 0 }),
  evolve: (s, e) => ({ balance: s.balance + (e.data.delta as number) }),
  invariants: [
    {
      name: 'buggy.wallet.balance_not_negative',
      holds: (s) => s.balance >= 0,
      describe: (s) => `balance would be ${s.balance}`,
    },
  ],
};

const moveData = z.strictObject({ from: z.string(), to: z.string(), amount: z.int() });

/** Moves money without looking at balances. */
export const move: CommandDef<z.infer<typeof moveData>> = {
  type: 'buggy.move',
  schema: moveData,
  keys: (d) => [
    { type: 'wallet', id: d.from },
    { type: 'wallet', id: d.to },
  ],
  decide: (d) => ({
    ok: true,
    events: [
      { aggregateType: 'wallet', aggregateId: d.from, type: 'buggy.Moved', data: { delta: -d.amount } },
      { aggregateType: 'wallet', aggregateId: d.to, type: 'buggy.Moved', data: { delta: d.amount } },
    ],
  }),
};

const peekData = z.strictObject({ id: z.string(), other: z.string(), write: z.boolean() });

/** Reads or writes a key it did not declare. */
export const peek: CommandDef<z.infer<typeof peekData>> = {
  type: 'buggy.peek',
  schema: peekData,
  keys: (d) => [{ type: 'wallet', id: d.id }],
  decide(d, view) {
    if (!d.write) view.get('wallet', d.other);
    return {
      ok: true,
      events: [{ aggregateType: 'wallet', aggregateId: d.other, type: 'buggy.Moved', data: { delta: 1 } }],
    };
  },
};

export const buggy: Domain = { name: 'buggy', aggregates: [wallet], commands: [move, peek] };
