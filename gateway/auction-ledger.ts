// Each shopper's live auction bids with their amounts: part of the snapshot of a `shopper:<id>` channel, the
// bidders an auction's close is told to (losers are not named in `auction_closed`), and what a shopper has
// committed in open auctions (its exposure). The engine's auction view is public and never names bidders, so the
// gateway keeps this index itself, derived only from engine events (and rebuilt from an engine snapshot after a
// restore). Bounded by the engine: one entry per bidder of an open auction (at most its `biddersMax`), dropped at
// the close; the bids on their way through the sequencer are bounded by the sequencer's queue.
import type { AuctionKind } from '../engine/auctions/commands.ts';
import type { EngineEvent, EngineSnapshot } from '../engine/index.ts';

export interface LiveBid {
  offerId: string;
  kind: AuctionKind;
  /** The shopper's public alias in this auction. */
  bidderNo: number;
  /** English: the hidden maximum; sealed kinds: the price a unit. */
  bidMinor: number;
  qty: number;
  placedAtMs: number;
}

/** A bid handed to the sequencer and not yet answered: it counts against the shopper's exposure meanwhile. */
interface BidInFlight {
  offerId: string;
  amountMinor: number;
}

export class AuctionLedger {
  private readonly byShopper = new Map<string, Map<string, LiveBid>>();
  private readonly biddersByOffer = new Map<string, Set<string>>();
  private readonly inFlight = new Map<string, Set<BidInFlight>>();

  static fromSnapshot(snapshot: EngineSnapshot): AuctionLedger {
    const ledger = new AuctionLedger();
    for (const offer of snapshot.offers) {
      const auction = offer.auction;
      if (auction === null || auction.status !== 'open') continue;
      for (const bid of auction.bids) {
        ledger.put(bid.shopperId, { offerId: offer.id, kind: auction.kind, bidderNo: bid.bidderNo, bidMinor: bid.amountMinor, qty: bid.qty, placedAtMs: bid.atMs });
      }
    }
    return ledger;
  }

  /** The shopper's bids in open auctions, in the order of their first bid. */
  bidsOf(shopperId: string): LiveBid[] {
    return [...(this.byShopper.get(shopperId)?.values() ?? [])];
  }

  /** Shoppers with a live bid in the offer's auction. */
  biddersOf(offerId: string): ReadonlySet<string> {
    return this.biddersByOffer.get(offerId) ?? EMPTY;
  }

  get bidders(): number {
    return this.byShopper.size;
  }

  apply(event: EngineEvent): void {
    if (event.type === 'bid_placed') {
      const { offerId, kind, shopperId, bidderNo, bidMinor, qty, atMs } = event;
      this.put(shopperId, { offerId, kind, bidderNo, bidMinor, qty, placedAtMs: atMs });
    } else if (event.type === 'auction_closed') {
      // Every bid of a closed auction is settled: winners have their orders, the others are released.
      for (const shopperId of this.biddersOf(event.offerId)) this.removeBid(shopperId, event.offerId);
      this.biddersByOffer.delete(event.offerId);
    }
  }

  /**
   * What the shopper may still commit on `offerId` under its token's limit: the limit less its live bids on other
   * open auctions and its bids on other auctions still on their way through the sequencer. A raise on the same
   * auction replaces the bid there, so that one does not count.
   */
  remainingExposure(shopperId: string, offerId: string, limitMinor: number): number {
    let committed = 0;
    for (const bid of this.byShopper.get(shopperId)?.values() ?? []) if (bid.offerId !== offerId) committed += bid.bidMinor * bid.qty;
    for (const pending of this.inFlight.get(shopperId) ?? []) if (pending.offerId !== offerId) committed += pending.amountMinor;
    return Math.max(0, limitMinor - committed);
  }

  /** Counts a bid against the shopper's exposure until the returned function is called (when it was answered). */
  bidInFlight(shopperId: string, offerId: string, amountMinor: number): () => void {
    const pending: BidInFlight = { offerId, amountMinor };
    let mine = this.inFlight.get(shopperId);
    if (!mine) this.inFlight.set(shopperId, (mine = new Set()));
    mine.add(pending);
    return () => {
      mine.delete(pending);
      if (mine.size === 0 && this.inFlight.get(shopperId) === mine) this.inFlight.delete(shopperId);
    };
  }

  private put(shopperId: string, bid: LiveBid): void {
    let bids = this.byShopper.get(shopperId);
    if (!bids) this.byShopper.set(shopperId, (bids = new Map()));
    bids.set(bid.offerId, bid);
    let bidders = this.biddersByOffer.get(bid.offerId);
    if (!bidders) this.biddersByOffer.set(bid.offerId, (bidders = new Set()));
    bidders.add(shopperId);
  }

  private removeBid(shopperId: string, offerId: string): void {
    const bids = this.byShopper.get(shopperId);
    if (!bids) return;
    bids.delete(offerId);
    if (bids.size === 0) this.byShopper.delete(shopperId);
  }
}

const EMPTY: ReadonlySet<string> = new Set();
