// The hold primitive every mechanism shares: units move free → held → sold, or held → free.
// held + sold ≤ inventory always; callers check `availableUnits` before `hold`.
import type { Offer } from './state.ts';

export function availableUnits(offer: Offer): number {
  return offer.inventory - offer.heldUnits - offer.soldUnits;
}

export function unitsOf(offer: Offer, shopperId: string): number {
  return offer.unitsByShopper.get(shopperId) ?? 0;
}

export function hold(offer: Offer, shopperId: string, qty: number): void {
  offer.heldUnits += qty;
  offer.unitsByShopper.set(shopperId, unitsOf(offer, shopperId) + qty);
}

/** Gives held units back to the free pool (leave, failed group). */
export function release(offer: Offer, shopperId: string, qty: number): void {
  offer.heldUnits -= qty;
  const left = unitsOf(offer, shopperId) - qty;
  if (left > 0) offer.unitsByShopper.set(shopperId, left);
  else offer.unitsByShopper.delete(shopperId);
}

/** Turns held units into sold ones; they still count toward the shopper's limit. */
export function commitSale(offer: Offer, qty: number): void {
  offer.heldUnits -= qty;
  offer.soldUnits += qty;
}
