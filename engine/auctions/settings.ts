// Which auction settings make sense (create_offer) and which edits an auction can take (edit_offer). Problems
// name the field, so a merchant can fix them.
import type { CreateOfferCommand } from '../mechanism.ts';
import type { OfferPatch } from '../commands.ts';
import { reject, type Rejection } from '../results.ts';
import type { AuctionSettings, IncrementStep } from './commands.ts';
import { AUCTION_LIMITS, type AuctionOffer } from './state.ts';

function incrementsProblem(increments: readonly IncrementStep[]): string | null {
  if (increments[0]?.fromMinor !== 0) return 'mechanism.increments.0.fromMinor must be 0 (the table covers every price)';
  for (let i = 1; i < increments.length; i++) {
    if (increments[i]!.fromMinor <= increments[i - 1]!.fromMinor) return `mechanism.increments.${i}.fromMinor must be above the band before it`;
  }
  return null;
}

/** Steps a Dutch clock takes from `startMinor` down to its floor. */
export function dutchSteps(startMinor: number, clock: NonNullable<AuctionSettings['dutch']>): number {
  return Math.ceil(Math.max(0, startMinor - clock.floorPriceMinor) / clock.stepMinor);
}

function dutchProblem(basePriceMinor: number, m: AuctionSettings): string | null {
  if (!m.dutch) return 'mechanism.dutch is required for a Dutch auction (floorPriceMinor, stepMinor, stepIntervalMs)';
  if (m.reservePriceMinor > 0) return 'mechanism.reservePriceMinor does not apply to a Dutch auction; its floor is mechanism.dutch.floorPriceMinor';
  if (m.softClose) return 'mechanism.softClose does not apply to a Dutch auction: the first acceptance closes it';
  if (m.dutch.floorPriceMinor > basePriceMinor) return 'mechanism.dutch.floorPriceMinor must not be above basePriceMinor, where the clock starts';
  const steps = dutchSteps(basePriceMinor, m.dutch);
  if (steps > AUCTION_LIMITS.dutchStepsMax) {
    return `mechanism.dutch.stepMinor is too small: the clock would take ${steps} steps to its floor, at most ${AUCTION_LIMITS.dutchStepsMax} are allowed`;
  }
  return null;
}

/** Why these create_offer settings cannot make an auction, naming the field; null when they can. */
export function auctionSettingsProblem(cmd: CreateOfferCommand, m: AuctionSettings): string | null {
  if (m.kind === 'uniform') {
    if (cmd.inventory < 1) return 'inventory must be at least 1: a uniform-price auction sells that many units';
  } else if (cmd.inventory !== 1) {
    return `inventory must be 1: a ${m.kind} auction sells one unit (kind "uniform" sells several)`;
  }
  const increments = incrementsProblem(m.increments);
  if (increments) return increments;
  if (m.kind !== 'english' && m.buyNowPriceMinor !== undefined) return 'mechanism.buyNowPriceMinor is for English auctions only';
  if (m.buyNowPriceMinor !== undefined && m.buyNowPriceMinor < Math.max(cmd.basePriceMinor, m.reservePriceMinor)) {
    return 'mechanism.buyNowPriceMinor must be at least basePriceMinor (the opening bid) and the reserve';
  }
  if (m.kind === 'dutch') return dutchProblem(cmd.basePriceMinor, m);
  if (m.dutch) return 'mechanism.dutch is for Dutch auctions only';
  if (cmd.endMs === undefined) return `endMs is required: a ${m.kind} auction closes at the offer's end`;
  return null;
}

/** Why this edit would break a promise the auction made (or does not apply to it), or null. */
export function auctionPatchProblem(offer: AuctionOffer, patch: OfferPatch): Rejection | null {
  const m = offer.market.settings;
  const auction = offer.market;
  const hasBids = auction.bids.size > 0;
  if (patch.endMs === null && m.kind !== 'dutch') return reject('invalid_settings', `A ${m.kind} auction needs an end: endMs cannot be removed.`);
  if (patch.endMs != null && hasBids && offer.endMs !== null && patch.endMs < offer.endMs) {
    return reject('edit_breaks_promise', `The auction has bids: its end can move later, not earlier than ${offer.endMs}.`);
  }
  if (patch.inventory !== undefined && patch.inventory !== offer.inventory) {
    if (m.kind !== 'uniform') return reject('invalid_settings', `A ${m.kind} auction sells one unit: its inventory stays 1.`);
    if (patch.inventory < 1) return reject('invalid_settings', 'A uniform-price auction sells at least 1 unit.');
    if (hasBids) return reject('edit_breaks_promise', 'The auction has bids: the number of units it sells can no longer change.');
  }
  if (patch.basePriceMinor !== undefined && patch.basePriceMinor !== offer.basePriceMinor) {
    if (m.kind === 'dutch') return reject('edit_breaks_promise', "A Dutch clock's start price is fixed when the offer is created.");
    if (hasBids) return reject('edit_breaks_promise', 'The auction has bids: its opening price can no longer change.');
    if (m.buyNowPriceMinor !== undefined && patch.basePriceMinor > m.buyNowPriceMinor) {
      return reject('invalid_settings', `basePriceMinor (the opening bid) must not be above the buy-now price ${m.buyNowPriceMinor}.`);
    }
  }
  if (patch.perShopperLimit != null && m.kind === 'uniform') {
    for (const bid of auction.bids.values()) {
      if (bid.qty > patch.perShopperLimit) {
        return reject('edit_breaks_promise', `A live bid asks for ${bid.qty} units: the per-shopper limit cannot go below that.`);
      }
    }
  }
  return null;
}
