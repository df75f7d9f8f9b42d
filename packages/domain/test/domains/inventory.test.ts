import { describe, expect, it } from 'vitest';
import { ev, given } from '../spec.ts';

const skuCreated = (onHand: number) => ev('sku', 'mug', 'inventory.SkuCreated', { onHand });
const reserved = (id: string, qty: number) => [
  ev('reservation', id, 'inventory.ReservationMade', { skuId: 'mug', qty }),
  ev('sku', 'mug', 'inventory.StockReserved', { reservationId: id, qty }),
];

describe('inventory', () => {
  it('creates and restocks a sku', () => {
    given([])
      .when('inventory.createSku', { skuId: 'mug' })
      .thenEmits([skuCreated(0)]);
    given([skuCreated(0)])
      .when('inventory.createSku', { skuId: 'mug' })
      .thenRejects('ASP_REJ_ALREADY_EXISTS');
    given([skuCreated(0)])
      .when('inventory.restock', { skuId: 'mug', qty: 5 })
      .thenEmits([ev('sku', 'mug', 'inventory.Restocked', { qty: 5 })]);
    given([]).when('inventory.restock', { skuId: 'mug', qty: 5 }).thenRejects('ASP_REJ_NOT_FOUND');
  });

  it('reserves available stock and never oversells', () => {
    given([skuCreated(5)])
      .when('inventory.reserve', { reservationId: 'r1', skuId: 'mug', qty: 5 })
      .thenEmits(reserved('r1', 5));
    const rejected = given([skuCreated(5), ...reserved('r1', 3)])
      .when('inventory.reserve', { reservationId: 'r2', skuId: 'mug', qty: 3 })
      .thenRejects('ASP_REJ_INVARIANT', 'inventory.sku.reserved_within_on_hand');
    expect(rejected.message).toBe('cannot reserve 3 of sku mug: 2 available');
    given([skuCreated(5), ...reserved('r1', 1)])
      .when('inventory.reserve', { reservationId: 'r1', skuId: 'mug', qty: 1 })
      .thenRejects('ASP_REJ_ALREADY_EXISTS');
  });

  it('commits a reservation: the stock leaves', () => {
    given([skuCreated(5), ...reserved('r1', 2)])
      .when('inventory.commitReservation', { reservationId: 'r1', skuId: 'mug' })
      .thenEmits([
        ev('reservation', 'r1', 'inventory.ReservationCommitted', {}),
        ev('sku', 'mug', 'inventory.StockShipped', { reservationId: 'r1', qty: 2 }),
      ]);
  });

  it('releases a reservation once', () => {
    const releasedEvents = [ev('reservation', 'r1', 'inventory.ReservationReleased', {})];
    given([skuCreated(5), ...reserved('r1', 2)])
      .when('inventory.releaseReservation', { reservationId: 'r1', skuId: 'mug' })
      .thenEmits([
        ...releasedEvents,
        ev('sku', 'mug', 'inventory.StockReleased', { reservationId: 'r1', qty: 2 }),
      ]);
    given([skuCreated(5), ...reserved('r1', 2), ...releasedEvents])
      .when('inventory.commitReservation', { reservationId: 'r1', skuId: 'mug' })
      .thenRejects('ASP_REJ_INVALID_STATE');
  });

  it('checks the sku the command names', () => {
    given([skuCreated(5), ...reserved('r1', 2), ev('sku', 'cup', 'inventory.SkuCreated', { onHand: 1 })])
      .when('inventory.releaseReservation', { reservationId: 'r1', skuId: 'cup' })
      .thenRejects('ASP_REJ_INVALID_STATE');
    given([skuCreated(5)])
      .when('inventory.releaseReservation', { reservationId: 'r9', skuId: 'mug' })
      .thenRejects('ASP_REJ_NOT_FOUND');
  });
});
