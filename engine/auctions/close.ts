// How an auction closes. Nothing is charged while bidding, so a close is where the money model happens: each
// winner's units go through the hold primitive (held, then sold at once) and `auction_closed` lists one order per
// winner for the effects outbox; everyone else is simply released (no hold, no charge, nothing to refund).
//
// The per-shopper limit is checked when a bid is placed (a bid never asks for more units than the limit, and the
// limit cannot be edited below a live bid), so the close never has to cut an allocation down for it.
import { touch, type Ctx } from '../kernel/context.ts';
import { factsOf } from '../kernel/events.ts';
import { commitSale, hold } from '../kernel/inventory.ts';
import { unreachable } from '../unreachable.ts';
import type { AuctionWinner } from './events.ts';
import { englishReserveMet } from './english.ts';
import { leaderBid } from './leader.ts';
import { uniformClearing, vickreyClearing, type Allocation, type Clearing } from './sealed.ts';
import type { AuctionCloseReason, AuctionOffer } from './state.ts';

/** The stable id of a winner's order: `/` is not allowed in ids, so offer and shopper never run together. */
export function orderIdOf(offerId: string, shopperId: string): string {
  return `${offerId}/${shopperId}`;
}

/** Who wins an English auction at its end: the leader, at the public price, when the reserve is met. */
function englishClearing(offer: AuctionOffer): Clearing {
  const leader = leaderBid(offer.market);
  if (leader === undefined || !englishReserveMet(offer)) return { winners: [], clearingPriceMinor: null, reserveMet: false };
  return { winners: [{ bid: leader, qty: 1 }], clearingPriceMinor: offer.market.priceMinor, reserveMet: true };
}

/** What the bids decide when the auction ends (or its merchant closes it, which settles it the same way). */
function clearingAtEnd(offer: AuctionOffer): Clearing {
  const kind = offer.market.kind;
  switch (kind) {
    case 'english':
      return englishClearing(offer);
    case 'vickrey':
      return vickreyClearing(offer);
    case 'uniform':
      return uniformClearing(offer);
    case 'dutch':
      // Nobody accepted the clock: nothing sells.
      return { winners: [], clearingPriceMinor: null, reserveMet: false };
    default:
      return unreachable(kind);
  }
}

/** Settles an open auction by its bids, at `atMs` (its end, or when its merchant closed the offer). */
export function settleByBids(ctx: Ctx, offer: AuctionOffer, reason: 'ended' | 'offer_closed', atMs: number): void {
  award(ctx, offer, reason, clearingAtEnd(offer), atMs);
}

/** Sells the auction's one unit to `shopperId` at `priceMinor` now (buy-now, or a Dutch acceptance). */
export function sellNow(ctx: Ctx, offer: AuctionOffer, reason: 'buy_now' | 'accepted', shopperId: string, priceMinor: number): void {
  const bid = offer.market.bids.get(shopperId);
  const allocation: Allocation = { bid: bid ?? { shopperId, bidderNo: 0, amountMinor: priceMinor, qty: 1, seq: 0, atMs: ctx.nowMs }, qty: 1 };
  award(ctx, offer, reason, { winners: [allocation], clearingPriceMinor: priceMinor, reserveMet: true }, ctx.nowMs);
}

function award(ctx: Ctx, offer: AuctionOffer, reason: AuctionCloseReason, clearing: Clearing, atMs: number): void {
  const auction = offer.market;
  const unitPriceMinor = clearing.clearingPriceMinor ?? 0;
  const winners: AuctionWinner[] = [];
  let unitsSold = 0;
  const winnerIds = new Set<string>();
  for (const { bid, qty } of clearing.winners) {
    hold(ctx, offer, bid.shopperId, qty);
    commitSale(ctx, offer, qty);
    winnerIds.add(bid.shopperId);
    unitsSold += qty;
    winners.push({
      shopperId: bid.shopperId,
      bidderNo: bid.bidderNo > 0 ? bid.bidderNo : null,
      orderId: orderIdOf(offer.id, bid.shopperId),
      qty,
      unitPriceMinor,
      paidMinor: unitPriceMinor * qty,
    });
  }
  // Everyone else still in is told privately that they won nothing: the event names them.
  const loserIds: string[] = [];
  for (const shopperId of auction.bids.keys()) if (!winnerIds.has(shopperId)) loserIds.push(shopperId);
  auction.status = 'closed';
  if (auction.dutch) auction.dutch.nextStepAtMs = null;
  auction.outcome = { reason, reserveMet: clearing.reserveMet, clearingPriceMinor: clearing.clearingPriceMinor, unitsSold, winners: winners.length, closedAtMs: atMs };
  // Every bid is settled now: winners have their orders, the others are released; their exposure ends.
  for (const shopperId of auction.bids.keys()) touch(ctx, offer, shopperId);
  for (const shopperId of winnerIds) if (!auction.bids.has(shopperId)) touch(ctx, offer, shopperId);
  ctx.events.push({
    type: 'auction_closed',
    ...factsOf(offer),
    kind: auction.kind,
    reason,
    reserveMet: clearing.reserveMet,
    clearingPriceMinor: clearing.clearingPriceMinor,
    unitsSold,
    winners,
    loserIds,
    bidders: auction.bids.size,
    bids: auction.bidCount,
    atMs,
  });
}
