// The engine's output besides results: past-tense facts, in the order they happened. The gateway streams
// them to channels (each carries `offerId`, and `groupId` where it concerns one); the effects outbox turns
// the money-bearing ones into charges, orders, refunds and deposit holds and releases: `group_joined`,
// `group_left`, `group_completed`, `group_failed` here, and `auction_closed` (auctions/events.ts),
// `rental_started`, `rental_ended`, `booking_confirmed`, `booking_cancelled` and `booking_completed`
// (reservations/events.ts). Amounts are integer minor units in the offer's currency.
import type { ExplanationLine } from '../pricing/index.ts';
import type { AuctionEvent } from './auctions/index.ts';
import type { ReservationEvent } from './reservations/index.ts';

export interface MemberSettlement {
  shopperId: string;
  qty: number;
  /** Unit price paid: the rule set's price at the final size (with the member's discounts), never above their quote. */
  unitPriceMinor: number;
  paidMinor: number;
  /** Charged at join minus paid. */
  refundMinor: number;
}

export type EngineEvent =
  | AuctionEvent
  | ReservationEvent
  /** A rule set version is in force from `atMs` (set by its merchant, or derived again after a tier edit). */
  | { type: 'rule_set_activated'; offerId: string; version: number; atMs: number }
  /**
   * The offer's headline price (a new group's unit price, for a shopper with no discount) moved. Coalesced: at
   * most one per offer per `priceEventMinGapMs`; `previousPriceMinor` is the price of the event before.
   */
  | {
      type: 'price_changed';
      offerId: string;
      priceMinor: number;
      previousPriceMinor: number;
      explanation: ExplanationLine[];
      ruleSetVersion: number;
      atMs: number;
    }
  | { type: 'offer_created'; offerId: string; merchantId: string; atMs: number }
  | { type: 'offer_edited'; offerId: string; fields: string[]; atMs: number }
  | { type: 'offer_paused'; offerId: string; atMs: number }
  | { type: 'offer_resumed'; offerId: string; atMs: number }
  | { type: 'offer_closed'; offerId: string; reason: 'merchant' | 'ended'; atMs: number }
  | {
      type: 'group_opened';
      offerId: string;
      groupId: string;
      leaderId: string;
      deadlineMs: number;
      minSize: number;
      maxSize: number | null;
      newcomerOnly: boolean;
      atMs: number;
    }
  | {
      type: 'group_joined';
      offerId: string;
      groupId: string;
      shopperId: string;
      qty: number;
      chargedMinor: number;
      quotedUnitPriceMinor: number;
      /** Members after the join, and the unit price at that size (what everyone would pay, before their own discounts, if it ended now). */
      size: number;
      unitPriceMinor: number;
      atMs: number;
    }
  | {
      type: 'group_left';
      offerId: string;
      groupId: string;
      shopperId: string;
      qty: number;
      refundMinor: number;
      /** The new leader when the leader left; unchanged otherwise. */
      leaderId: string | null;
      size: number;
      unitPriceMinor: number;
      atMs: number;
    }
  | { type: 'group_formed'; offerId: string; groupId: string; size: number; atMs: number }
  | {
      type: 'group_completed';
      offerId: string;
      groupId: string;
      size: number;
      /** Seats the platform filled at the deadline (模拟成团); 0 for a group that filled itself. */
      autoFilledSeats: number;
      reason: 'full' | 'deadline' | 'offer_closed';
      members: MemberSettlement[];
      atMs: number;
    }
  | {
      type: 'group_failed';
      offerId: string;
      groupId: string;
      size: number;
      reason: 'deadline' | 'offer_closed' | 'empty';
      refunds: { shopperId: string; qty: number; refundMinor: number }[];
      atMs: number;
    };

export type EventType = EngineEvent['type'];
