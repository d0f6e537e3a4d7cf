// How the pricing bridge prices a group-buy: a new shopper's headline is the price of a new group at its minimum
// size (the size that bounds what its members pay), with the deadline a group opened now would have; without a
// merchant rule set, the offer's tiers and leader discount price it.
import type { OfferOf, PricingShape } from '../mechanism.ts';
import type { GroupMarket } from './state.ts';

export type GroupOffer = OfferOf<GroupMarket>;

/** A new group's deadline if one opened at `atMs`: its window, clamped to the offer's end. */
export function newGroupDeadline(offer: GroupOffer, atMs: number): number {
  return Math.min(atMs + offer.market.settings.windowMs, offer.endMs ?? Number.MAX_SAFE_INTEGER);
}

export const GROUP_PRICING: PricingShape<GroupOffer> = {
  headline: (offer, atMs) => ({ size: offer.market.settings.minSize, minSize: offer.market.settings.minSize, groupDeadlineMs: newGroupDeadline(offer, atMs) }),
  queueLength: () => 0,
  derived: (offer) => ({ tiers: offer.market.settings.tiers, leaderDiscountBps: offer.market.settings.leaderDiscountBps }),
};
