// English auctions with proxy bidding. Each bidder states a hidden maximum; the engine bids for them, so the
// public price is a function of the maxima alone (and their order):
//
//   leader  = the highest maximum; between equal maxima, the one set earlier
//   price   = min(leader's maximum, second-highest maximum + the increment at that maximum),
//             at least the opening price (the offer's basePriceMinor); with one bidder, the opening price
//   reserve = when the leader's maximum meets it, the price is at least the reserve
//
// A new bid must reach the price plus the increment at the price (the opening price before any bid); the leader
// may raise their own maximum by any amount. Keeping the leader and the second-highest maximum as bids come makes
// every bid O(1) (maxima only rise, so neither ever has to be found again).
import { reject, type Rejection } from '../results.ts';
import type { AuctionSettings, IncrementStep } from './commands.ts';
import { leaderBid, moveLeader } from './leader.ts';
import type { AuctionOffer, Bid } from './state.ts';

/** The increment in force at `priceMinor`: the step of the last band starting at or below it. */
export function incrementAt(increments: readonly IncrementStep[], priceMinor: number): number {
  let step = increments[0]!.stepMinor;
  for (let i = 1; i < increments.length && increments[i]!.fromMinor <= priceMinor; i++) step = increments[i]!.stepMinor;
  return step;
}

/** The public price for a leader's maximum and the second-highest (null: a lone bidder). */
export function proxyPrice(m: AuctionSettings, openingMinor: number, leaderMinor: number, secondMinor: number | null): number {
  let price = secondMinor === null ? openingMinor : Math.min(leaderMinor, secondMinor + incrementAt(m.increments, secondMinor));
  if (price < openingMinor) price = openingMinor;
  if (leaderMinor >= m.reservePriceMinor && price < m.reservePriceMinor) price = m.reservePriceMinor;
  return price;
}

/** Whether the leader's maximum meets the reserve (a reserve of 0 is met by any bid). */
export function englishReserveMet(offer: AuctionOffer): boolean {
  const leader = leaderBid(offer.market);
  return leader !== undefined && leader.amountMinor >= offer.market.settings.reservePriceMinor;
}

/** The lowest new maximum a bidder other than the leader may state now. */
export function minimumEnglishBid(offer: AuctionOffer): number {
  const price = offer.market.priceMinor;
  return price === null ? offer.basePriceMinor : price + incrementAt(offer.market.settings.increments, price);
}

export function englishBidProblem(offer: AuctionOffer, own: Bid | undefined, amountMinor: number): Rejection | null {
  if (own !== undefined && offer.market.leaderId === own.shopperId) {
    if (amountMinor > own.amountMinor) return null;
    return reject('bid_too_low', `You lead with a maximum of ${own.amountMinor}; a new maximum must be above it.`);
  }
  const minimum = minimumEnglishBid(offer);
  if (amountMinor >= minimum) return null;
  const price = offer.market.priceMinor;
  return reject(
    'bid_too_low',
    price === null ? `The opening bid is ${minimum}; bid at least that.` : `The price is ${price}; bid at least ${minimum} (the price plus the increment).`,
  );
}

/**
 * Moves the leader and the second-highest maximum for a checked bid, then the price. Returns who was outbid (null:
 * nobody) and the leader now, so the caller needs no second look-up.
 */
export function applyEnglishMaximum(offer: AuctionOffer, bid: Bid): { outbid: string | null; leader: Bid } {
  const auction = offer.market;
  const before = leaderBid(auction);
  const outbid = moveLeader(auction, bid, before);
  const leader = auction.leaderId === bid.shopperId ? bid : before!;
  auction.priceMinor = proxyPrice(offer.market.settings, offer.basePriceMinor, leader.amountMinor, auction.secondMinor);
  return { outbid, leader };
}
