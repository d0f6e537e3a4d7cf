// The hold primitive every mechanism shares: units move free → held → sold, or held → free.
// held + sold ≤ inventory always; callers check `availableUnits` before `hold`. Every move marks the offer's stock
// as changed, so one `stock_changed` event tells watchers after the command.
import { stockChanged, type Ctx } from './context.ts';
import type { Offer } from './state.ts';

export function availableUnits(offer: Offer): number {
  return offer.inventory - offer.heldUnits - offer.soldUnits;
}

export function unitsOf(offer: Offer, shopperId: string): number {
  return offer.unitsByShopper.get(shopperId) ?? 0;
}

export function hold(ctx: Ctx, offer: Offer, shopperId: string, qty: number): void {
  offer.heldUnits += qty;
  offer.unitsByShopper.set(shopperId, unitsOf(offer, shopperId) + qty);
  stockChanged(ctx, offer);
}

/** Gives held units back to the free pool (leave, failed group, ended hold). */
export function release(ctx: Ctx, offer: Offer, shopperId: string, qty: number): void {
  offer.heldUnits -= qty;
  const left = unitsOf(offer, shopperId) - qty;
  if (left > 0) offer.unitsByShopper.set(shopperId, left);
  else offer.unitsByShopper.delete(shopperId);
  stockChanged(ctx, offer);
}

/** Turns held units into sold ones; they still count toward the shopper's limit. */
export function commitSale(ctx: Ctx, offer: Offer, qty: number): void {
  offer.heldUnits -= qty;
  offer.soldUnits += qty;
  stockChanged(ctx, offer);
}

/** Share of the inventory held or sold, in basis points (0 for an offer with no inventory). */
export function utilizationBps(offer: Offer): number {
  return offer.inventory > 0 ? Math.floor(((offer.heldUnits + offer.soldUnits) * 10_000) / offer.inventory) : 0;
}
