// Events auctions emit (past tense), and their audiences (see kernel/events.ts). Bidders appear in public only as
// their `bidderNo` (1 for the auction's first bidder, 2 for the next…); a bid's shopper, amount and units, the
// shopper it outbid, and each winner's shopper, order and amount paid are private to the shopper concerned; sealed
// auctions (Vickrey, uniform) reveal no amount before the close. Amounts are integer minor units in the offer's
// currency.
import type { EffectFact } from '../kernel/effect-facts.ts';
import { pick, type EventCatalog, type EventFacts } from '../kernel/events.ts';
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
  | ({
      type: 'bid_placed';
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
    } & EventFacts)
  /** Public: a bid in the soft-close window moved the end (the offer's `endMs`) later. */
  | ({ type: 'auction_extended'; endMs: number; previousEndMs: number; extensionsUsed: number } & EventFacts)
  /** Public: a Dutch clock fell by a step. `nextStepAtMs`: null once at the floor. */
  | ({ type: 'auction_price_dropped'; priceMinor: number; previousPriceMinor: number; nextStepAtMs: number | null } & EventFacts)
  /**
   * The auction closed. Public: everything but the private fields of `winners` (see AuctionWinner). Carries money:
   * one order per winner, for `paidMinor`, idempotent on `orderId`. Nothing was charged while bidding, so losers
   * have nothing to get back.
   */
  | ({
      type: 'auction_closed';
      kind: AuctionKind;
      reason: AuctionCloseReason;
      /** Whether the winning bid met the reserve (false also when there was no bid at all). */
      reserveMet: boolean;
      /** The unit price every winner pays; null when nothing sold. */
      clearingPriceMinor: number | null;
      unitsSold: number;
      /** In allocation order: highest bid first, earlier first among equals. */
      winners: AuctionWinner[];
      /** Private (each hears only that it lost): every other shopper with a live bid, in first-bid order. */
      loserIds: string[];
      bidders: number;
      bids: number;
    } & EventFacts);

type Of<T extends AuctionEvent['type']> = Extract<AuctionEvent, { type: T }>;

const BID_PUBLIC = ['type', 'offerId', 'kind', 'bidderNo', 'priceMinor', 'leaderNo', 'reserveMet', 'bidders', 'bids', 'atMs'] as const;
const CLOSED_PUBLIC = ['type', 'offerId', 'kind', 'reason', 'reserveMet', 'clearingPriceMinor', 'unitsSold', 'bidders', 'bids', 'atMs'] as const;

function closedPublic(e: Of<'auction_closed'>): Record<string, unknown> {
  return { ...pick(e, CLOSED_PUBLIC), winners: e.winners.map(({ bidderNo, qty, unitPriceMinor }) => ({ bidderNo, qty, unitPriceMinor })) };
}

/**
 * One order per winner at the clearing price, which is also the winner's payment (nothing is charged while bidding,
 * so losers have nothing to get back), and a merchant webhook for the close, sold or not. The engine names each
 * order once forever (`orderId`: an auction closes once), so its id needs no journal seq.
 */
function closedEffects(e: Of<'auction_closed'>): EffectFact[] {
  const facts: EffectFact[] = [];
  for (const w of e.winners) {
    // A free win (a zero opening price and no reserve) is still an order the merchant must fulfil.
    facts.push({
      kind: 'order',
      shopperId: w.shopperId,
      subject: { type: 'auction', orderId: w.orderId },
      key: [w.orderId],
      perCommand: false,
      payment: [w.orderId],
      qty: w.qty,
      unitPriceMinor: w.unitPriceMinor,
      totalMinor: w.paidMinor,
      chargeMinor: w.paidMinor,
    });
  }
  const { kind, reason, reserveMet, clearingPriceMinor, unitsSold, bidders, bids, currency } = e;
  // The merchant fulfils the orders, so it sees who won (as it sees a group's members).
  const winners = e.winners.map(({ shopperId, bidderNo, orderId, qty, unitPriceMinor, paidMinor }) => ({ shopperId, bidderNo, orderId, qty, unitPriceMinor, paidMinor }));
  const data = { kind, reason, reserveMet, clearingPriceMinor, unitsSold, bidders, bids, currency, winners };
  facts.push({ kind: 'webhook', type: 'auction_closed', key: ['auction_closed', e.offerId], perCommand: false, data });
  return facts;
}

export const AUCTION_EVENTS: EventCatalog<AuctionEvent> = {
  bid_placed: {
    public: BID_PUBLIC,
    // A bidder hears its own bid (amount and units); the leader a bid displaced hears that it was outbid.
    private: (e, deliver, publicForm) => {
      deliver(e.shopperId, { ...publicForm(), shopperId: e.shopperId, bidMinor: e.bidMinor, qty: e.qty });
      if (e.outbidShopperId !== null) deliver(e.outbidShopperId, { ...publicForm(), outbidShopperId: e.outbidShopperId });
    },
  },
  auction_extended: { public: ['type', 'offerId', 'endMs', 'previousEndMs', 'extensionsUsed', 'atMs'] },
  auction_price_dropped: { public: ['type', 'offerId', 'priceMinor', 'previousPriceMinor', 'nextStepAtMs', 'atMs'] },
  auction_closed: {
    public: CLOSED_PUBLIC,
    publicExtra: (e) => ({ winners: e.winners.map(({ bidderNo, qty, unitPriceMinor }) => ({ bidderNo, qty, unitPriceMinor })) }),
    // Each winner hears its order (`won`); every other bidder still in, that it won nothing (`won: null`).
    private: (e, deliver) => {
      const common = closedPublic(e);
      for (const winner of e.winners) deliver(winner.shopperId, { ...common, won: { ...winner } });
      const lost = { ...common, won: null };
      for (const shopperId of e.loserIds) deliver(shopperId, lost);
    },
    effects: closedEffects,
  },
};
