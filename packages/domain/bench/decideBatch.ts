/**
 * Per-command cost of the engine's hot path, single-threaded, no I/O:
 *   node packages/domain/bench/decideBatch.ts [commands=200000] [batch=1000] [scenario name filter]
 * Not a test: timings vary by machine. Prints µs per command for validate + keysOf and for
 * decideBatch.
 */

import {
  createEngine,
  type Engine,
  type KeyedStateView,
  keyString,
  MemoryState,
  parseKey,
  type Versioned,
} from '../src/index.ts';
import type { WireCommand } from '../src/protocol.ts';

const total = Number(process.argv[2] ?? 200_000);
const batchSize = Number(process.argv[3] ?? 1000);
const only = process.argv[4] ?? '';
const engine = createEngine();

function setup(commands: WireCommand[]): MemoryState {
  const state = new MemoryState();
  for (let i = 0; i < commands.length; i += batchSize) {
    const out = engine.decideBatch(
      commands.slice(i, i + batchSize).map((c) => engine.validate(c)),
      state,
    );
    state.apply(out.changed);
  }
  return state;
}

const scenarios: Record<string, { setup: WireCommand[]; command: (i: number) => WireCommand }> = {
  'seats.addSeats (100 orgs, 1000 teams)': {
    setup: [
      ...Array.from({ length: 100 }, (_, o) => ({
        id: `o${o}`,
        type: 'seats.createOrg',
        data: { orgId: `org${o}`, cap: 1e12 },
      })),
      ...Array.from({ length: 1000 }, (_, t) => ({
        id: `t${t}`,
        type: 'seats.createTeam',
        data: { orgId: `org${t % 100}`, teamId: `team${t}` },
      })),
    ],
    command: (i) => ({
      id: `c${i}`,
      type: 'seats.addSeats',
      data: { orgId: `org${i % 100}`, teamId: `team${i % 1000}`, seats: 1 + (i % 3) },
    }),
  },
  'ledger.transfer (1000 accounts)': {
    setup: Array.from({ length: 1000 }, (_, a) => ({
      id: `a${a}`,
      type: 'ledger.openAccount',
      data: { accountId: `acc${a}` },
    })),
    command: (i) => ({
      id: `c${i}`,
      type: 'ledger.transfer',
      data: {
        transferId: `x${i}`,
        debitAccountId: `acc${i % 1000}`,
        creditAccountId: `acc${(i * 7 + 1) % 1000}`,
        amount: 5,
      },
    }),
  },
  'counter.increment (one hot row)': {
    setup: [],
    command: (i) => ({ id: `c${i}`, type: 'counter.increment', data: { counterId: 'hot', by: 1 } }),
  },
};

/**
 * Per batch, like the sequencer: validate, keysOf, prefetch the keys (here from a Map, standing in
 * for LevelDB), decideBatch against the prefetched view, then commit `changed`. Only validate +
 * keysOf and decideBatch are the engine's cost; prefetch and commit belong to the storage.
 */
function run(e: Engine, state: MemoryState, commands: WireCommand[]) {
  let validateNs = 0n;
  let decideNs = 0n;
  let accepted = 0;
  for (let i = 0; i < commands.length; i += batchSize) {
    const slice = commands.slice(i, i + batchSize);
    const t0 = process.hrtime.bigint();
    const items = slice.map((c) => e.validate(c));
    const keys = e.keysOf(items);
    const t1 = process.hrtime.bigint();
    const prefetched = new Map<string, Versioned>();
    for (const key of keys) {
      const { type, id } = parseKey(key);
      const value = state.get(type, id);
      if (value) prefetched.set(key, value);
    }
    const view: KeyedStateView = {
      get: <S>(type: string, id: string) => prefetched.get(keyString(type, id)) as Versioned<S> | undefined,
      getKey: (key) => prefetched.get(key),
    };
    const t2 = process.hrtime.bigint();
    const out = e.decideBatch(items, view);
    const t3 = process.hrtime.bigint();
    state.apply(out.changed);
    validateNs += t1 - t0;
    decideNs += t3 - t2;
    for (const r of out.results) if (r.status === 'accepted') accepted += 1;
  }
  const us = (ns: bigint) => (Number(ns) / 1000 / commands.length).toFixed(2);
  return { validate: us(validateNs), decide: us(decideNs), total: us(validateNs + decideNs), accepted };
}

for (const [name, scenario] of Object.entries(scenarios)) {
  if (!name.includes(only)) continue;
  const commands = Array.from({ length: total }, (_, i) => scenario.command(i));
  run(engine, setup(scenario.setup), commands.slice(0, 20_000)); // warm-up on a separate state
  const r = run(engine, setup(scenario.setup), commands);
  console.log(
    `${name}: validate+keysOf ${r.validate} µs/cmd, decideBatch ${r.decide} µs/cmd, total ${r.total} µs/cmd ` +
      `(${r.accepted}/${total} accepted, batch ${batchSize})`,
  );
}
