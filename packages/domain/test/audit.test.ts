import { describe, expect, it } from 'vitest';
import { createEngine, type Versioned } from '../src/index.ts';
import { cmd, Harness } from './batch.ts';

function healthy(): Harness {
  const h = new Harness();
  h.run([
    cmd('seats.createOrg', { orgId: 'acme', cap: 5 }),
    cmd('seats.createTeam', { orgId: 'acme', teamId: 'red' }),
    cmd('seats.addSeats', { orgId: 'acme', teamId: 'red', seats: 2 }),
    cmd('ledger.openAccount', { accountId: 'a' }),
    cmd('ledger.openAccount', { accountId: 'b' }),
    cmd('ledger.transfer', {
      transferId: 't',
      debitAccountId: 'a',
      creditAccountId: 'b',
      amount: 3,
      pending: true,
    }),
    cmd('inventory.createSku', { skuId: 'mug', onHand: 2 }),
    cmd('inventory.reserve', { reservationId: 'r', skuId: 'mug', qty: 2 }),
  ]);
  return h;
}

/** The state with one aggregate replaced: corruption the audit must find. */
function corrupt(h: Harness, key: string, state: unknown): [string, Versioned][] {
  return [...h.state.entries()].map(([k, v]) => [k, k === key ? { version: v.version, state } : v]);
}

describe('checkAll', () => {
  it('finds nothing wrong in a state the engine made', () => {
    expect(healthy().engine.checkAll(healthy().state.entries())).toEqual([]);
  });

  it('reports a broken invariant with its aggregate', () => {
    const h = healthy();
    expect(h.engine.checkAll(corrupt(h, 'sku/mug', { onHand: 1, reserved: 2 }))).toContainEqual({
      rule: 'inventory.sku.reserved_within_on_hand',
      key: 'sku/mug',
      message: '2 reserved would exceed 1 on hand (oversell)',
    });
  });

  it('reports cross-aggregate rules through the domain audits', () => {
    const h = healthy();
    expect(h.engine.checkAll(corrupt(h, 'org/acme', { cap: 5, used: 3 }))).toEqual([
      { rule: 'seats.audit', message: 'org acme: used is 3 but its teams hold 2 seats' },
    ]);
    const account = h.state.get('account', 'a')!.state as Record<string, unknown>;
    const ledgerViolations = h.engine.checkAll(corrupt(h, 'account/a', { ...account, debitsPending: 0 }));
    expect(ledgerViolations.map((v) => v.message)).toEqual([
      'account a: debitsPending is 0, its transfers say 3',
      'Σ debits pending 0 ≠ Σ credits pending 3',
    ]);
    expect(
      h.engine.checkAll(corrupt(h, 'reservation/r', { skuId: 'mug', qty: 2, status: 'released' })),
    ).toEqual([{ rule: 'inventory.audit', message: 'sku mug: reserved is 2, open reservations hold 0' }]);
  });

  it('reports aggregates no domain defines', () => {
    expect(createEngine().checkAll([['planet/mars', { version: 1, state: {} }]])).toEqual([
      { rule: 'engine.unknown_aggregate', key: 'planet/mars', message: 'no domain defines type "planet"' },
    ]);
  });
});
