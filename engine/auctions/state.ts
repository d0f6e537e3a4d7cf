// The live state of one auction offer (its `offer.market`), its snapshot form and its bounds.
import type { MarketBase, OfferOf } from '../mechanism.ts';
import type { AuctionKind, AuctionSettings } from './commands.ts';

export const AUCTION_LIMITS = {
  /**
   * Distinct bidders per auction. It bounds the bid map, the close (a uniform-price close sorts every bid once) and
   * the winners listed in `auction_closed`. Raising one's own bid never counts against it.
   */
  biddersMax: 10_000,
  /** Steps a Dutch clock may take from its start price to its floor: bounds the deadlines and events it makes. */
  dutchStepsMax: 10_000,
} as const;

export type AuctionStatus = 'open' | 'closed';

/**
 * Why an auction closed: its end came (`ended`), someone bought it now (`buy_now`), a Dutch clock was accepted
 * (`accepted`), or its merchant closed the offer (`offer_closed`: it settles as if it had ended then).
 */
export type AuctionCloseReason = 'ended' | 'buy_now' | 'accepted' | 'offer_closed';

/** One shopper's bid. Raising it changes this record in place (and its `seq`): one record per bidder. */
export interface Bid {
  shopperId: string;
  /** The bidder's public alias in this auction: 1 for its first bidder, 2 for the next, and so on. */
  bidderNo: number;
  /** English: the hidden maximum (proxy bid); Vickrey and uniform: the sealed price per unit. */
  amountMinor: number;
  /** Units wanted at that price (uniform); 1 for the single-unit kinds. */
  qty: number;
  /** The auction's order of the bid's last change: between equal amounts the lower `seq` (the earlier) wins. */
  seq: number;
  atMs: number;
}

/** How a closed auction ended; the full record (winners included) is in its `auction_closed` event. */
export interface AuctionOutcome {
  reason: AuctionCloseReason;
  reserveMet: boolean;
  /** The unit price winners pay; null when nothing sold. */
  clearingPriceMinor: number | null;
  unitsSold: number;
  winners: number;
  closedAtMs: number;
}

export interface DutchClockState {
  /** When the clock started at the offer's base price: its creation, or its `startMs` if later. */
  clockStartMs: number;
  /** When the price next falls by a step (an `auction` deadline with ref `step`); null at the floor. */
  nextStepAtMs: number | null;
}

export interface AuctionMarket extends MarketBase<'auction', AuctionSettings> {
  kind: AuctionKind;
  status: AuctionStatus;
  /** Bids by shopper, in the order of each bidder's first bid (so `bidderNo` is the position plus one). */
  bids: Map<string, Bid>;
  /** Accepted `place_bid` commands, raises included. */
  bidCount: number;
  /** The last `seq` handed out. */
  lastSeq: number;
  /** English, Vickrey: the highest bid (earliest among equals), kept as bids come so a bid is O(1). */
  leaderId: string | null;
  /** English, Vickrey: the highest amount among everyone but the leader; null with fewer than two bidders. */
  secondMinor: number | null;
  /** English: the public price (null before the first bid); Dutch: the clock's price; sealed kinds: null. */
  priceMinor: number | null;
  /** Soft-close extensions used so far. */
  extensionsUsed: number;
  dutch: DutchClockState | null;
  outcome: AuctionOutcome | null;
}

/** The state itself, whatever its settings (the leader bookkeeping works on this part alone). */
export type AuctionState = AuctionMarket;

/** What a snapshot holds of it: plain JSON-able data, bids in first-bid order (which restores the same map). */
export type AuctionData = Omit<AuctionMarket, 'bids'> & { bids: Bid[] };

/** An offer sold by auction, as auction code sees it once the kernel dispatched to it. */
export type AuctionOffer = OfferOf<AuctionMarket>;

export function newAuctionMarket(settings: AuctionSettings): AuctionMarket {
  return {
    type: 'auction',
    settings,
    kind: settings.kind,
    status: 'open',
    bids: new Map(),
    bidCount: 0,
    lastSeq: 0,
    leaderId: null,
    secondMinor: null,
    priceMinor: null,
    extensionsUsed: 0,
    dutch: null,
    outcome: null,
  };
}

export function auctionToData(state: AuctionMarket): AuctionData {
  return {
    ...state,
    settings: structuredClone(state.settings),
    bids: [...state.bids.values()].map((bid) => ({ ...bid })),
    dutch: state.dutch && { ...state.dutch },
    outcome: state.outcome && { ...state.outcome },
  };
}

export function auctionFromData(data: AuctionData): AuctionMarket {
  return {
    ...data,
    settings: structuredClone(data.settings),
    bids: new Map(data.bids.map((bid) => [bid.shopperId, { ...bid }])),
    dutch: data.dutch && { ...data.dutch },
    outcome: data.outcome && { ...data.outcome },
  };
}
