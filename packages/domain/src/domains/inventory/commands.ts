import { z } from 'zod';
import { accept, eventOn, read, reject } from '../../decision.ts';
import type { CommandDef, Decision, StateView } from '../../types.ts';
import { aggregateId, memo, nonNegativeInt, positiveInt, withMemo } from '../schemas.ts';
import { reservation, sku } from './aggregates.ts';

const skuKey = (id: string) => ({ type: sku.type, id });
const reservationKey = (id: string) => ({ type: reservation.type, id });

const createSkuData = z.strictObject({ skuId: aggregateId, onHand: nonNegativeInt.optional() });
export const createSku: CommandDef<z.infer<typeof createSkuData>> = {
  type: 'inventory.createSku',
  schema: createSkuData,
  keys: (d) => [skuKey(d.skuId)],
  decide(d, view) {
    if (read(view, sku, d.skuId)) return reject('ASP_REJ_ALREADY_EXISTS', `sku ${d.skuId} already exists`);
    return accept(eventOn(sku, d.skuId, 'inventory.SkuCreated', { onHand: d.onHand ?? 0 }));
  },
};

const restockData = z.strictObject({ skuId: aggregateId, qty: positiveInt });
export const restock: CommandDef<z.infer<typeof restockData>> = {
  type: 'inventory.restock',
  schema: restockData,
  keys: (d) => [skuKey(d.skuId)],
  decide(d, view) {
    if (!read(view, sku, d.skuId)) return reject('ASP_REJ_NOT_FOUND', `sku ${d.skuId} not found`);
    return accept(eventOn(sku, d.skuId, 'inventory.Restocked', { qty: d.qty }));
  },
};

const reserveData = z.strictObject({
  reservationId: aggregateId,
  skuId: aggregateId,
  qty: positiveInt,
  memo,
});
export const reserve: CommandDef<z.infer<typeof reserveData>> = {
  type: 'inventory.reserve',
  schema: reserveData,
  keys: (d) => [reservationKey(d.reservationId), skuKey(d.skuId)],
  decide(d, view) {
    if (read(view, reservation, d.reservationId)) {
      return reject('ASP_REJ_ALREADY_EXISTS', `reservation ${d.reservationId} already exists`);
    }
    const s = read(view, sku, d.skuId);
    if (!s) return reject('ASP_REJ_NOT_FOUND', `sku ${d.skuId} not found`);
    const available = s.state.onHand - s.state.reserved;
    if (d.qty > available) {
      const message = `cannot reserve ${d.qty} of sku ${d.skuId}: ${available} available`;
      return reject('ASP_REJ_INVARIANT', message, 'inventory.sku.reserved_within_on_hand');
    }
    const { reservationId, skuId, qty } = d;
    return accept(
      eventOn(reservation, reservationId, 'inventory.ReservationMade', withMemo({ skuId, qty }, d.memo)),
      eventOn(sku, skuId, 'inventory.StockReserved', { reservationId, qty }),
    );
  },
};

// The SKU travels with the command (though the reservation knows it) so that keys() can name
// it without reading state: the sequencer prefetches keys before any decide runs.
const resolveData = z.strictObject({ reservationId: aggregateId, skuId: aggregateId });
type ResolveData = z.infer<typeof resolveData>;

export const commitReservation: CommandDef<ResolveData> = {
  type: 'inventory.commitReservation',
  schema: resolveData,
  keys: (d) => [reservationKey(d.reservationId), skuKey(d.skuId)],
  decide: (d, view) => resolve(d, view, 'commit'),
};

export const releaseReservation: CommandDef<ResolveData> = {
  type: 'inventory.releaseReservation',
  schema: resolveData,
  keys: (d) => [reservationKey(d.reservationId), skuKey(d.skuId)],
  decide: (d, view) => resolve(d, view, 'release'),
};

/** Commit ships the reserved stock (it leaves onHand); release returns it to the available pool. */
function resolve(d: ResolveData, view: StateView, action: 'commit' | 'release'): Decision {
  const r = read(view, reservation, d.reservationId);
  if (!r) return reject('ASP_REJ_NOT_FOUND', `reservation ${d.reservationId} not found`);
  if (r.state.status !== 'reserved') {
    return reject(
      'ASP_REJ_INVALID_STATE',
      `cannot ${action} reservation ${d.reservationId}: it is ${r.state.status}`,
    );
  }
  if (r.state.skuId !== d.skuId) {
    return reject('ASP_REJ_INVALID_STATE', `reservation ${d.reservationId} is for sku ${r.state.skuId}`);
  }
  const qty = { reservationId: d.reservationId, qty: r.state.qty };
  return action === 'commit'
    ? accept(
        eventOn(reservation, d.reservationId, 'inventory.ReservationCommitted', {}),
        eventOn(sku, d.skuId, 'inventory.StockShipped', qty),
      )
    : accept(
        eventOn(reservation, d.reservationId, 'inventory.ReservationReleased', {}),
        eventOn(sku, d.skuId, 'inventory.StockReleased', qty),
      );
}
