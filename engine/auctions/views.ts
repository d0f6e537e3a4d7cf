// What anyone may see of an auction (sealed bids stay sealed, the reserve stays hidden), and what an accepted
// auction command answers its own shopper.
import { unreachable } from '../unreachable.ts';
import type { AuctionKind } from './commands.ts';
import { englishReserveMet, minimumEnglishBid } from './english.ts';
import { leaderBid } from './leader.ts';
import type { AuctionCloseReason, AuctionOffer, AuctionStatus } from './state.ts';

export interface AuctionView {
  kind: AuctionKind;
  status: AuctionStatus;
  /** English: the public price (null before the first bid); Dutch: the clock's price; sealed kinds: null. */
  priceMinor: number | null;
  /** The opening price: the first English bid, the lowest sealed bid, the Dutch clock's start. */
  openingPriceMinor: number;
  /** The lowest bid a new bidder may place now; null for Dutch (accept the clock) and once closed. */
  minimumBidMinor: number | null;
  /** Units on sale: 1, or k for a uniform-price auction. */
  units: number;
  bidders: number;
  bids: number;
  /** English: the leader's alias (see the events); null otherwise. */
  leaderNo: number | null;
  /** Whether a reserve is set (its amount stays hidden). */
  hasReserve: boolean;
  /** English: whether the leader's maximum meets it; null for the other kinds (sealed bids say nothing). */
  reserveMet: boolean | null;
  /** The auction's end: the offer's `endMs`, extensions included (Dutch: may be null). */
  endMs: number | null;
  extensionsUsed: number;
  maxExtensions: number;
  /** The buy-now price while it can be used; null otherwise. */
  buyNowPriceMinor: number | null;
  /** Dutch: the clock; null for the other kinds. */
  dutch: { floorPriceMinor: number; stepMinor: number; stepIntervalMs: number; nextStepAtMs: number | null; nextPriceMinor: number | null } | null;
  /** Once closed: how (winners' details are in `auction_closed`). */
  outcome: { reason: AuctionCloseReason; reserveMet: boolean; clearingPriceMinor: number | null; unitsSold: number; winners: number; closedAtMs: number } | null;
}

/** What an accepted auction command returns its shopper besides `ok` and `offerId`. */
export interface AuctionAck {
  kind: AuctionKind;
  /** `place_bid`: the bid as it now stands (English: your maximum; sealed: your price a unit); null otherwise. */
  bidMinor: number | null;
  qty: number;
  /** English: whether you lead after your bid; null for the other kinds. */
  leading: boolean | null;
  /** English: the public price now; buy-now and Dutch: the price you pay; sealed kinds: null. */
  priceMinor: number | null;
  /** Whether the command closed the auction (buy-now, a Dutch acceptance); you won it then. */
  closed: boolean;
  /** The auction's end after the command (a soft-close extension moves it). */
  endMs: number | null;
}

/** Buy-now is offered until the first bid, and again while the leader's maximum is below the reserve. */
export function buyNowAvailable(offer: AuctionOffer): boolean {
  if (offer.market.settings.buyNowPriceMinor === undefined || offer.market.status !== 'open') return false;
  return offer.market.bids.size === 0 || !englishReserveMet(offer);
}

function minimumBid(offer: AuctionOffer): number | null {
  if (offer.market.status !== 'open') return null;
  const kind = offer.market.kind;
  switch (kind) {
    case 'english':
      return minimumEnglishBid(offer);
    case 'vickrey':
    case 'uniform':
      return offer.basePriceMinor;
    case 'dutch':
      return null;
    default:
      return unreachable(kind);
  }
}

export function auctionView(offer: AuctionOffer): AuctionView {
  const auction = offer.market;
  const m = auction.settings;
  const english = auction.kind === 'english';
  const clock = m.dutch;
  const dutch = auction.dutch;
  return {
    kind: auction.kind,
    status: auction.status,
    priceMinor: auction.priceMinor,
    openingPriceMinor: offer.basePriceMinor,
    minimumBidMinor: minimumBid(offer),
    units: offer.inventory,
    bidders: auction.bids.size,
    bids: auction.bidCount,
    leaderNo: english ? (leaderBid(auction)?.bidderNo ?? null) : null,
    hasReserve: m.reservePriceMinor > 0,
    reserveMet: english ? englishReserveMet(offer) : null,
    endMs: offer.endMs,
    extensionsUsed: auction.extensionsUsed,
    maxExtensions: m.softClose?.maxExtensions ?? 0,
    buyNowPriceMinor: buyNowAvailable(offer) ? m.buyNowPriceMinor! : null,
    dutch:
      clock && dutch
        ? {
            floorPriceMinor: clock.floorPriceMinor,
            stepMinor: clock.stepMinor,
            stepIntervalMs: clock.stepIntervalMs,
            nextStepAtMs: dutch.nextStepAtMs,
            nextPriceMinor: dutch.nextStepAtMs === null ? null : Math.max(clock.floorPriceMinor, auction.priceMinor! - clock.stepMinor),
          }
        : null,
    outcome: auction.outcome && { ...auction.outcome },
  };
}
