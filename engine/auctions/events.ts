// Events auctions emit (past tense), streamed on the offer's channel and read by the effects outbox.
//
// Public and private parts are separated by field, so the gateway can split each event without knowing auctions:
// fields marked "private" belong to one shopper (named in the comment) and must not reach anyone else; everything
// else may be shown to anyone watching the offer. Bidders appear in public only as their `bidderNo` (1 for the
// auction's first bidder, 2 for the next…); sealed auctions (Vickrey, uniform) reveal no amount before the close.
// Amounts are integer minor units in the offer's currency.
import type { AuctionKind } from './commands.ts';
import type { AuctionCloseReason } from './state.ts';

export interface AuctionWinner {
  /** Private to this winner. */
  shopperId: string;
  /** Public: the winner's alias; null for a buy-now or Dutch buyer who never placed a bid. */
  bidderNo: number | null;
  /**
   * Private to this winner: a stable id for the order the effects outbox makes (`<offerId>/<shopperId>`; `/` never
   * appears in ids, and an auction closes once, so it names one order forever).
   */
  orderId: string;
  /** Public: units won. */
  qty: number;
  /** Public: the unit price paid (every winner of one auction pays the same). */
  unitPriceMinor: number;
  /** Private to this winner: what the order charges, `unitPriceMinor × qty`. */
  paidMinor: number;
}

export type AuctionEvent =
  /** A bid was accepted (a new bid, or a bidder raising their own). */
  | {
      type: 'bid_placed';
      offerId: string;
      kind: AuctionKind;
      /** Private to this shopper. */
      shopperId: string;
      /** Public. */
      bidderNo: number;
      /** Private to `shopperId`: their maximum (English) or sealed price per unit, as it now stands. */
      bidMinor: number;
      /** Private to `shopperId`: units wanted (uniform; 1 otherwise). */
      qty: number;
      /** Public. English: the price now; sealed kinds: null. */
      priceMinor: number | null;
      /** Public. English: the leader's alias now; sealed kinds: null. */
      leaderNo: number | null;
      /**
       * Private to the shopper named: the English leader this bid displaced (they were outbid); null when the lead
       * did not change hands, and always null in sealed auctions.
       */
      outbidShopperId: string | null;
      /** Public. English: whether the leader's maximum meets the (hidden) reserve; sealed kinds: null. */
      reserveMet: boolean | null;
      /** Public: distinct bidders, and accepted bids (raises included). */
      bidders: number;
      bids: number;
      atMs: number;
    }
  /** Public: a bid in the soft-close window moved the end (the offer's `endMs`) later. */
  | { type: 'auction_extended'; offerId: string; endMs: number; previousEndMs: number; extensionsUsed: number; atMs: number }
  /** Public: a Dutch clock fell by a step. `nextStepAtMs`: null once at the floor. */
  | { type: 'auction_price_dropped'; offerId: string; priceMinor: number; previousPriceMinor: number; nextStepAtMs: number | null; atMs: number }
  /**
   * The auction closed. Public: everything but the private fields of `winners` (see AuctionWinner). Carries money:
   * one order per winner, for `paidMinor`, idempotent on `orderId`. Nothing was charged while bidding, so losers
   * have nothing to get back.
   */
  | {
      type: 'auction_closed';
      offerId: string;
      kind: AuctionKind;
      reason: AuctionCloseReason;
      /** Whether the winning bid met the reserve (false also when there was no bid at all). */
      reserveMet: boolean;
      /** The unit price every winner pays; null when nothing sold. */
      clearingPriceMinor: number | null;
      unitsSold: number;
      /** In allocation order: highest bid first, earlier first among equals. */
      winners: AuctionWinner[];
      bidders: number;
      bids: number;
      atMs: number;
    };
