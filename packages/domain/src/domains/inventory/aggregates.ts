import { unknownEvent } from '../../decision.ts';
import type { AggregateDef, DomainEvent } from '../../types.ts';

/** Stock of one SKU. `reserved` is promised to open reservations and may never exceed `onHand`. */
export interface SkuState {
  onHand: number;
  reserved: number;
}

export type ReservationStatus = 'reserved' | 'committed' | 'released';

export interface ReservationState {
  skuId: string;
  qty: number;
  status: ReservationStatus;
}

type Qty = { reservationId: string; qty: number };
export type SkuEvent =
  | { type: 'inventory.SkuCreated'; data: { onHand: number } }
  | { type: 'inventory.Restocked'; data: { qty: number } }
  | { type: 'inventory.StockReserved'; data: Qty }
  | { type: 'inventory.StockShipped'; data: Qty }
  | { type: 'inventory.StockReleased'; data: Qty };

export type ReservationEvent =
  | { type: 'inventory.ReservationMade'; data: { skuId: string; qty: number } }
  | { type: 'inventory.ReservationCommitted'; data: Record<string, never> }
  | { type: 'inventory.ReservationReleased'; data: Record<string, never> };

export const sku: AggregateDef<SkuState> = {
  type: 'sku',
  initial: () => ({ onHand: 0, reserved: 0 }),
  evolve(s, event) {
    const e = event as DomainEvent & SkuEvent;
    switch (e.type) {
      case 'inventory.SkuCreated':
        return { onHand: e.data.onHand, reserved: 0 };
      case 'inventory.Restocked':
        return { onHand: s.onHand + e.data.qty, reserved: s.reserved };
      case 'inventory.StockReserved':
        return { onHand: s.onHand, reserved: s.reserved + e.data.qty };
      case 'inventory.StockShipped':
        return { onHand: s.onHand - e.data.qty, reserved: s.reserved - e.data.qty };
      case 'inventory.StockReleased':
        return { onHand: s.onHand, reserved: s.reserved - e.data.qty };
      default:
        return unknownEvent('sku', event);
    }
  },
  invariants: [
    {
      name: 'inventory.sku.reserved_within_on_hand',
      holds: (s) => s.reserved <= s.onHand,
      describe: (s) => `${s.reserved} reserved would exceed ${s.onHand} on hand (oversell)`,
    },
    {
      name: 'inventory.sku.quantities_in_range',
      holds: (s) => s.reserved >= 0 && Number.isSafeInteger(s.reserved) && Number.isSafeInteger(s.onHand),
      describe: (s) => `quantities out of range: ${s.onHand} on hand, ${s.reserved} reserved`,
    },
  ],
};

export const reservation: AggregateDef<ReservationState> = {
  type: 'reservation',
  initial: () => ({ skuId: '', qty: 0, status: 'reserved' }),
  evolve(s, event) {
    const e = event as DomainEvent & ReservationEvent;
    switch (e.type) {
      case 'inventory.ReservationMade':
        return { skuId: e.data.skuId, qty: e.data.qty, status: 'reserved' };
      case 'inventory.ReservationCommitted':
        return { ...s, status: 'committed' };
      case 'inventory.ReservationReleased':
        return { ...s, status: 'released' };
      default:
        return unknownEvent('reservation', event);
    }
  },
  invariants: [
    {
      name: 'inventory.reservation.qty_positive',
      holds: (s) => s.qty > 0,
      describe: (s) => `reservation quantity ${s.qty} is not positive`,
    },
  ],
};
