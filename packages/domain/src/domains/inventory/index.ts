import type { AllState, Domain } from '../../types.ts';
import { type ReservationState, reservation, type SkuState, sku } from './aggregates.ts';
import { commitReservation, createSku, releaseReservation, reserve, restock } from './commands.ts';

/** Stock per SKU with reservations; never oversell: 0 ≤ reserved ≤ onHand. */
export const inventory: Domain = {
  name: 'inventory',
  aggregates: [sku, reservation],
  commands: [createSku, restock, reserve, commitReservation, releaseReservation],
  audit,
};

/** Each SKU's `reserved` must equal the sum of its open reservations. */
function audit(all: AllState): string[] {
  const skus = all.ofType<SkuState>(sku.type);
  const open = new Map<string, number>();
  const violations: string[] = [];
  for (const [id, { state }] of all.ofType<ReservationState>(reservation.type)) {
    if (!skus.has(state.skuId))
      violations.push(`reservation ${id} is for sku ${state.skuId}, which does not exist`);
    if (state.status === 'reserved') open.set(state.skuId, (open.get(state.skuId) ?? 0) + state.qty);
  }
  for (const [id, { state }] of skus) {
    const want = open.get(id) ?? 0;
    if (state.reserved !== want)
      violations.push(`sku ${id}: reserved is ${state.reserved}, open reservations hold ${want}`);
  }
  return violations;
}
