/**
 * Random commands over the built-in domains. Ids come from small pools so commands collide
 * (same team, same transfer twice, …) and numbers are small so caps and balances bind.
 */
import fc from 'fast-check';
import type { WireCommand } from '../src/protocol.ts';

const pick = (...ids: string[]) => fc.constantFrom(...ids);
const org = pick('o1', 'o2');
const team = pick('t1', 't2', 't3');
const accountId = pick('a1', 'a2', 'a3');
const transfer = pick('x1', 'x2', 'x3', 'x4');
const sku = pick('s1', 's2');
const reservation = pick('r1', 'r2', 'r3', 'r4');
const small = (max: number) => fc.integer({ min: 1, max });

type Cmd = Pick<WireCommand, 'type' | 'data'>;
const command = (type: string, data: fc.Arbitrary<unknown>): fc.Arbitrary<Cmd> =>
  data.map((d) => ({ type, data: d }));

const seats = [
  command('seats.createOrg', fc.record({ orgId: org, cap: fc.integer({ min: 0, max: 12 }) })),
  command('seats.setCap', fc.record({ orgId: org, cap: fc.integer({ min: 0, max: 12 }) })),
  command('seats.createTeam', fc.record({ orgId: org, teamId: team })),
  command('seats.addSeats', fc.record({ orgId: org, teamId: team, seats: small(6) })),
  command('seats.removeSeats', fc.record({ orgId: org, teamId: team, seats: small(6) })),
];

const flags = fc.constantFrom(
  {},
  { debitsMustNotExceedCredits: true },
  { creditsMustNotExceedDebits: true },
  { debitsMustNotExceedCredits: false },
);
const pair = fc.record({ debitAccountId: accountId, creditAccountId: accountId });
const ledger = [
  command('ledger.openAccount', fc.record({ accountId, flags, ledger: fc.constantFrom(0, 0, 1) })),
  command(
    'ledger.transfer',
    fc
      .record({ transferId: transfer, amount: small(20), pending: fc.boolean() })
      .chain((t) => pair.map((p) => ({ ...t, ...p }))),
  ),
  command(
    'ledger.postPending',
    fc.record({ transferId: transfer }).chain((t) => pair.map((p) => ({ ...t, ...p }))),
  ),
  command(
    'ledger.voidPending',
    fc.record({ transferId: transfer }).chain((t) => pair.map((p) => ({ ...t, ...p }))),
  ),
];

const inventory = [
  command('inventory.createSku', fc.record({ skuId: sku, onHand: fc.integer({ min: 0, max: 5 }) })),
  command('inventory.restock', fc.record({ skuId: sku, qty: small(5) })),
  command('inventory.reserve', fc.record({ reservationId: reservation, skuId: sku, qty: small(4) })),
  command('inventory.commitReservation', fc.record({ reservationId: reservation, skuId: sku })),
  command('inventory.releaseReservation', fc.record({ reservationId: reservation, skuId: sku })),
];

const counter = [
  command(
    'counter.increment',
    fc.record(
      { counterId: pick('k1', 'k2'), by: small(4), max: fc.constantFrom(10, 15) },
      { requiredKeys: ['counterId', 'by'] },
    ),
  ),
];

/** Commands the engine must reject before deciding: they still fail their group. */
const invalid = [
  command('seats.addSeats', fc.record({ orgId: org, teamId: team, seats: fc.integer({ min: -2, max: 0 }) })),
  command('nope.unknown', fc.constant({})),
];

export const anyCommand: fc.Arbitrary<Cmd> = fc.oneof(
  { arbitrary: fc.oneof(...seats), weight: 3 },
  { arbitrary: fc.oneof(...ledger), weight: 3 },
  { arbitrary: fc.oneof(...inventory), weight: 3 },
  { arbitrary: fc.oneof(...counter), weight: 1 },
  { arbitrary: fc.oneof(...invalid), weight: 1 },
);

/** Batches of commands, about one in four linked to the next. */
export const batches = fc.array(
  fc.array(
    fc.tuple(
      anyCommand,
      fc.integer({ min: 0, max: 3 }).map((n) => n === 0),
    ),
    { minLength: 1, maxLength: 16 },
  ),
  { minLength: 1, maxLength: 12 },
);
