// Sealed-bid auctions: Vickrey (one unit, second price) and uniform-price (k units, one price for all). Bids are
// seen by nobody until the close; each shopper has one bid, which they may only raise.
//
// Uniform-price clearing, precisely. Every bid of `qty` units at `p` is `qty` unit bids at `p`. Unit bids are
// ranked by price (highest first), then by the bid's `seq` (earlier first). The winning units are the longest
// prefix of that ranking with at most k units whose price meets the reserve; a bid whose units straddle the end
// of the prefix is filled in part (the marginal bid). The highest losing bid is the price of the first unit bid
// after the prefix: the unfilled remainder of the marginal bid when there is one, otherwise the next bid's. Every
// winner pays max(highest losing bid, reserve, opening price) a unit; with no losing unit, max(reserve, opening).
// Nobody pays more than their own bid: each winning unit's price is at least the losing one's, the reserve
// (it met it) and the opening price (no bid is below it).
import { reject, type Rejection } from '../results.ts';
import { leaderBid } from './leader.ts';
import type { AuctionOffer, AuctionState, Bid } from './state.ts';

export function sealedBidProblem(offer: AuctionOffer, own: Bid | undefined, amountMinor: number, qty: number): Rejection | null {
  if (amountMinor < offer.basePriceMinor) return reject('bid_too_low', `The lowest bid this auction takes is ${offer.basePriceMinor} a unit.`);
  if (own === undefined) return null;
  if (amountMinor < own.amountMinor || qty < own.qty || (amountMinor === own.amountMinor && qty === own.qty)) {
    return reject(
      'bid_too_low',
      `Your bid stands at ${own.amountMinor}${own.qty > 1 ? ` for ${own.qty} units` : ''}; a bid can only be raised (a higher price, or more units, and neither lower).`,
    );
  }
  return null;
}

export interface Allocation {
  bid: Bid;
  qty: number;
}

export interface Clearing {
  /** In allocation order. Empty when nothing sells. */
  winners: Allocation[];
  /** Null when nothing sells. */
  clearingPriceMinor: number | null;
  reserveMet: boolean;
}

const NO_SALE: Clearing = { winners: [], clearingPriceMinor: null, reserveMet: false };

/** Vickrey: the highest bid wins (earlier among equals) and pays max(second-highest bid, reserve, opening price). */
export function vickreyClearing(offer: AuctionOffer): Clearing {
  const leader = leaderBid(offer.market);
  const reserve = offer.market.settings.reservePriceMinor;
  if (leader === undefined || leader.amountMinor < reserve) return NO_SALE;
  const price = Math.max(offer.market.secondMinor ?? 0, reserve, offer.basePriceMinor);
  return { winners: [{ bid: leader, qty: 1 }], clearingPriceMinor: price, reserveMet: true };
}

function ranked(auction: AuctionState): Bid[] {
  return [...auction.bids.values()].sort((a, b) => b.amountMinor - a.amountMinor || a.seq - b.seq);
}

/** Uniform price over `offer.inventory` units, as defined above. O(n log n) in the bids, once per auction. */
export function uniformClearing(offer: AuctionOffer): Clearing {
  const reserve = offer.market.settings.reservePriceMinor;
  let unitsLeft = offer.inventory;
  let highestLosingMinor: number | null = null;
  const winners: Allocation[] = [];
  for (const bid of ranked(offer.market)) {
    const qty = bid.amountMinor >= reserve ? Math.min(bid.qty, unitsLeft) : 0;
    if (qty > 0) {
      winners.push({ bid, qty });
      unitsLeft -= qty;
    }
    if (qty < bid.qty) {
      // The ranking is by price, so the first unit left out is the highest losing one.
      highestLosingMinor = bid.amountMinor;
      break;
    }
  }
  if (winners.length === 0) return NO_SALE;
  const price = Math.max(highestLosingMinor ?? 0, reserve, offer.basePriceMinor);
  return { winners, clearingPriceMinor: price, reserveMet: true };
}
