// An auction as its watchers see it: the offer snapshot's `auction` view, then each auction event applied in
// offer order. The events carry what changes (price, leader, counts, end, clock); what follows from them — the
// lowest bid a newcomer may place, whether buy-now is still offered, the clock's next price — is worked out here
// by the rules of docs/auctions.md, from the offer's public settings, so the page never has to ask again.
import type { AuctionView, ChannelEvent, OfferView, PublicWinner } from '../wire.ts';

export type AuctionSettings = Extract<OfferView['mechanism'], { type: 'auction' }>;

export interface BidLine {
  atMs: number;
  bidderNo: number;
  priceMinor: number | null;
  leaderNo: number | null;
  bids: number;
}

const BID_LINES_MAX = 50;

export class AuctionBook {
  view: AuctionView | null = null;
  settings: AuctionSettings | null = null;
  /** The winners as `auction_closed` named them (the view keeps only their number). */
  winners: PublicWinner[] = [];
  /** Recent bids, newest first, for the merchant's list. */
  readonly bids: BidLine[] = [];
  private openingMinor = 0;

  reset(offer: OfferView): void {
    this.view = offer.auction ? structuredClone(offer.auction) : null;
    this.settings = offer.mechanism.type === 'auction' ? offer.mechanism : null;
    this.openingMinor = offer.basePriceMinor;
  }

  /** Applies an offer-channel event; true when anything shown changed. */
  apply(event: ChannelEvent): boolean {
    const view = this.view;
    if (event.type === 'offer_edited') {
      this.reset(event.offer);
      return true;
    }
    if (!view) return false;
    switch (event.type) {
      case 'bid_placed':
        // The shopper's own channel repeats its bids with amounts: counted once, from the offer's channel.
        if (event.shopperId !== undefined || event.outbidShopperId !== undefined) return false;
        view.priceMinor = event.priceMinor;
        view.leaderNo = event.leaderNo;
        view.reserveMet = event.reserveMet;
        view.bidders = event.bidders;
        view.bids = event.bids;
        view.minimumBidMinor = this.minimumBid();
        view.buyNowPriceMinor = this.buyNowPrice();
        this.bids.unshift({ atMs: event.atMs, bidderNo: event.bidderNo, priceMinor: event.priceMinor, leaderNo: event.leaderNo, bids: event.bids });
        this.bids.length = Math.min(this.bids.length, BID_LINES_MAX);
        return true;
      case 'auction_extended':
        view.endMs = event.endMs;
        view.extensionsUsed = event.extensionsUsed;
        return true;
      case 'auction_price_dropped':
        view.priceMinor = event.priceMinor;
        if (view.dutch) {
          view.dutch.nextStepAtMs = event.nextStepAtMs;
          view.dutch.nextPriceMinor = event.nextStepAtMs === null ? null : Math.max(view.dutch.floorPriceMinor, event.priceMinor - view.dutch.stepMinor);
        }
        return true;
      case 'auction_closed':
        view.status = 'closed';
        view.bidders = event.bidders;
        view.bids = event.bids;
        view.minimumBidMinor = null;
        view.buyNowPriceMinor = null;
        if (view.dutch) view.dutch.nextStepAtMs = null;
        view.outcome = {
          reason: event.reason,
          reserveMet: event.reserveMet,
          clearingPriceMinor: event.clearingPriceMinor,
          unitsSold: event.unitsSold,
          winners: event.winners.length,
          closedAtMs: event.atMs,
        };
        this.winners = event.winners;
        return true;
      default:
        return false;
    }
  }

  /** The lowest bid a new bidder may place now (English: the price plus the increment at it); null once closed. */
  private minimumBid(): number | null {
    const view = this.view!;
    if (view.status !== 'open' || view.kind === 'dutch') return null;
    if (view.kind !== 'english' || view.priceMinor === null) return this.openingMinor;
    return view.priceMinor + incrementAt(this.settings?.increments ?? [], view.priceMinor);
  }

  /** Buy-now is offered until the first bid, and again while the leader's maximum is below the reserve. */
  private buyNowPrice(): number | null {
    const view = this.view!;
    const price = this.settings?.buyNowPriceMinor;
    if (price === undefined || view.status !== 'open' || view.kind !== 'english') return null;
    return view.bids === 0 || view.reserveMet === false ? price : null;
  }
}

/** The step of the last increment band starting at or below `priceMinor` (1 without a table). */
export function incrementAt(increments: readonly { fromMinor: number; stepMinor: number }[], priceMinor: number): number {
  let step = increments[0]?.stepMinor ?? 1;
  for (let i = 1; i < increments.length && increments[i]!.fromMinor <= priceMinor; i++) step = increments[i]!.stepMinor;
  return step;
}

export const KIND_LABELS = {
  english: 'English (ascending, proxy bids)',
  vickrey: 'Vickrey (sealed, second price)',
  uniform: 'Uniform price (sealed, k units)',
  dutch: 'Dutch (descending clock)',
} as const;
