import { createEngine } from '@asp/domain';
import { describe, expect, it } from 'vitest';
import { type CommandDataMap, command, commandBuilder } from '../src/index.ts';

/** One example per type, every optional field filled: the map must name each field the schemas know. */
const examples: { [T in keyof CommandDataMap]: CommandDataMap[T] } = {
  'seats.createOrg': { orgId: 'o', cap: 3 },
  'seats.setCap': { orgId: 'o', cap: 4 },
  'seats.createTeam': { orgId: 'o', teamId: 't' },
  'seats.addSeats': { orgId: 'o', teamId: 't', seats: 1 },
  'seats.removeSeats': { orgId: 'o', teamId: 't', seats: 1 },
  'ledger.openAccount': {
    accountId: 'a',
    ledger: 1,
    flags: { debitsMustNotExceedCredits: true, creditsMustNotExceedDebits: false },
  },
  'ledger.transfer': { transferId: 'x', debitAccountId: 'a', creditAccountId: 'b', amount: 5, pending: true },
  'ledger.postPending': { transferId: 'x', debitAccountId: 'a', creditAccountId: 'b' },
  'ledger.voidPending': { transferId: 'x', debitAccountId: 'a', creditAccountId: 'b' },
  'inventory.createSku': { skuId: 's', onHand: 10 },
  'inventory.restock': { skuId: 's', qty: 1 },
  'inventory.reserve': { reservationId: 'r', skuId: 's', qty: 1 },
  'inventory.commitReservation': { reservationId: 'r', skuId: 's' },
  'inventory.releaseReservation': { reservationId: 'r', skuId: 's' },
  'counter.increment': { counterId: 'c', by: 1, max: 10 },
};

describe('CommandDataMap', () => {
  const engine = createEngine();

  it('names exactly the command types of the built-in domains', () => {
    const types = engine.domains.flatMap((d) => d.commands.map((c) => c.type));
    expect(Object.keys(examples).sort()).toEqual(types.sort());
  });

  it('matches the domain schemas (every example validates)', () => {
    for (const [type, data] of Object.entries(examples)) {
      const item = engine.validate({ id: 'x', type, data });
      expect(item.ok ? 'ok' : item.result.message).toBe('ok');
    }
  });
});

describe('command builders', () => {
  it('build wire commands, linked only when asked', () => {
    expect(command('counter.increment', 'i1', { counterId: 'c', by: 2 })).toEqual({
      id: 'i1',
      type: 'counter.increment',
      data: { counterId: 'c', by: 2 },
    });
    expect(command('seats.createOrg', 'i2', { orgId: 'o', cap: 1 }, true).linked).toBe(true);
    const mine = commandBuilder<{ 'shop.buy': { sku: string } }>();
    expect(mine('shop.buy', 'i3', { sku: 'x' }).type).toBe('shop.buy');
  });
});
