// The wire forms of auction and reservation events (docs/protocol.md, "Events"). Public forms go to everyone
// watching the offer; the fields marked private arrive only on the `shopper:<id>` channel of the shopper they
// concern, so they are optional here. `queue_position` is the gateway's own, private event.
import type { AuctionView } from '../engine/index.ts';
import type { EventBase } from './wire.ts';

export type AuctionKind = AuctionView['kind'];

/** A winner as everyone sees it; its own winner also gets `won` with the order. */
export interface PublicWinner {
  /** Null for a buy-now or Dutch buyer who never placed a bid. */
  bidderNo: number | null;
  qty: number;
  unitPriceMinor: number;
}

export interface WonOrder {
  shopperId: string;
  bidderNo: number | null;
  orderId: string;
  qty: number;
  unitPriceMinor: number;
  paidMinor: number;
}

export type AuctionWireEvent = EventBase &
  (
    | {
        type: 'bid_placed';
        kind: AuctionKind;
        bidderNo: number;
        /** English: the price now; sealed kinds: null. */
        priceMinor: number | null;
        leaderNo: number | null;
        reserveMet: boolean | null;
        bidders: number;
        bids: number;
        /** Private, to the bidder: its own bid as it now stands. */
        shopperId?: string;
        bidMinor?: number;
        qty?: number;
        /** Private, to the leader this bid displaced. */
        outbidShopperId?: string;
      }
    | { type: 'auction_extended'; endMs: number; previousEndMs: number; extensionsUsed: number }
    | { type: 'auction_price_dropped'; priceMinor: number; previousPriceMinor: number; nextStepAtMs: number | null }
    | {
        type: 'auction_closed';
        kind: AuctionKind;
        reason: 'ended' | 'buy_now' | 'accepted' | 'offer_closed';
        reserveMet: boolean;
        clearingPriceMinor: number | null;
        unitsSold: number;
        winners: PublicWinner[];
        bidders: number;
        bids: number;
        /** Private, to each shopper who bid: its order, or null when it won nothing. */
        won?: WonOrder | null;
      }
  );

export interface SlotRef {
  unit: number;
  startMs: number;
  endMs: number;
}

export type ReservationWireEvent = EventBase &
  (
    | {
        type: 'queue_changed';
        change: 'joined' | 'left' | 'served' | 'closed';
        shopperId: string | null;
        ticket: number | null;
        waiting: number;
        served: number;
        headTicket: number | null;
      }
    | { type: 'hold_offered'; holdId: string; shopperId: string; expiresAtMs: number; slot: SlotRef | null }
    | { type: 'hold_extended'; holdId: string; shopperId: string; expiresAtMs: number }
    | { type: 'hold_released'; holdId: string; shopperId: string; reason: 'declined' | 'cancelled' | 'offer_closed' }
    | { type: 'hold_expired'; holdId: string; shopperId: string }
    | { type: 'rental_started'; rentalId: string; shopperId: string; ruleSetVersion: number; unitPriceMinor?: number; chargedMinor?: number; depositMinor?: number }
    | { type: 'rental_ended'; rentalId: string; shopperId: string; startedAtMs: number; durationMs: number; depositReleasedMinor?: number }
    | { type: 'booking_waitlisted'; bookingId: string; shopperId: string; startMs: number; endMs: number; ticket: number; waiting: number }
    | { type: 'waitlist_left'; bookingId: string; shopperId: string; startMs: number; endMs: number; waiting: number }
    | {
        type: 'waitlist_closed';
        startMs: number;
        endMs: number;
        dropped: number;
        reason: 'slot_started' | 'offer_closed';
        /** Private: the shopper's own waiting booking that was dropped. */
        bookingId?: string;
      }
    | {
        type: 'booking_confirmed';
        bookingId: string;
        shopperId: string;
        unit: number;
        startMs: number;
        endMs: number;
        ruleSetVersion: number;
        unitPriceMinor?: number;
        chargedMinor?: number;
        depositMinor?: number;
      }
    | { type: 'booking_cancelled'; bookingId: string; shopperId: string; refundMinor?: number; depositReleasedMinor?: number }
    | { type: 'booking_completed'; bookingId: string; shopperId: string; depositReleasedMinor?: number }
    /** Private, made by the gateway: a waiting place's position moved (0: served next). */
    | { type: 'queue_position'; bookingId: string | null; ticket: number; position: number; estimatedWaitMs: number | null }
  );
