// What clients know of auctions, from the create command, their own results and the public events: the kind and
// its settings as created (or edited), the public English price and the Dutch clock, the end, whether it closed,
// and each bidder's standing bid as its own result told it. Generators aim bids with it: mostly near what a bid
// must beat, sometimes just below or far above, on the right kind of auction.
import type { Applied, Command } from '../../engine/index.ts';

/** A band of an English increment table, as in the create command. */
export interface IncrementStep {
  fromMinor: number;
  stepMinor: number;
}

export type AuctionKindName = 'english' | 'vickrey' | 'uniform' | 'dutch';

export interface KnownAuction {
  offerId: string;
  merchantId: string;
  kind: AuctionKindName;
  openingMinor: number;
  increments: IncrementStep[];
  units: number;
  buyNowMinor: number | null;
  /** English: the public price (null before any bid); Dutch: the clock as last announced; sealed: null. */
  priceMinor: number | null;
  endMs: number | null;
  closed: boolean;
  /** Standing bids by shopper; bounded by the auction's bidders, forgotten with the auction. */
  bids: Map<string, { amountMinor: number; qty: number }>;
}

export class AuctionKnowledge {
  private readonly auctions = new Map<string, KnownAuction>();

  observe(cmd: Command, applied: Applied): void {
    const { result } = applied;
    if (cmd.type === 'create_offer' && result.ok && cmd.mechanism.type === 'auction' && result.offerId !== undefined && !this.auctions.has(result.offerId)) {
      const m = cmd.mechanism;
      this.auctions.set(result.offerId, {
        offerId: result.offerId,
        merchantId: cmd.merchantId,
        kind: m.kind,
        openingMinor: cmd.basePriceMinor,
        increments: m.increments.map((band) => ({ ...band })),
        units: cmd.inventory,
        buyNowMinor: m.buyNowPriceMinor ?? null,
        priceMinor: m.kind === 'dutch' ? cmd.basePriceMinor : null,
        endMs: cmd.endMs ?? null,
        closed: false,
        bids: new Map(),
      });
    }
    if (cmd.type === 'edit_offer' && result.ok) {
      const auction = this.auctions.get(cmd.offerId);
      if (auction) {
        if (cmd.patch.basePriceMinor !== undefined) auction.openingMinor = cmd.patch.basePriceMinor;
        if (cmd.patch.inventory !== undefined) auction.units = cmd.patch.inventory;
        if (cmd.patch.endMs !== undefined) auction.endMs = cmd.patch.endMs;
      }
    }
    if (cmd.type === 'place_bid' && result.ok) this.auctions.get(cmd.offerId)?.bids.set(cmd.shopperId, { amountMinor: cmd.maxBidMinor, qty: cmd.qty });
    for (const event of applied.events) {
      switch (event.type) {
        case 'bid_placed': {
          const auction = this.auctions.get(event.offerId);
          if (auction && auction.kind === 'english') auction.priceMinor = event.priceMinor;
          break;
        }
        case 'auction_extended': {
          const auction = this.auctions.get(event.offerId);
          if (auction) auction.endMs = event.endMs;
          break;
        }
        case 'auction_price_dropped': {
          const auction = this.auctions.get(event.offerId);
          if (auction) auction.priceMinor = event.priceMinor;
          break;
        }
        case 'auction_closed':
        case 'offer_closed': {
          const auction = this.auctions.get(event.offerId);
          if (auction) auction.closed = true;
          break;
        }
        default:
          break;
      }
    }
  }

  get(offerId: string): KnownAuction | undefined {
    return this.auctions.get(offerId);
  }

  forget(offerId: string): void {
    this.auctions.delete(offerId);
  }
}
