// What the console reads from the server: the views (shared with the engine as types only, so a change there fails
// this folder's typecheck instead of a page at run time) and the wire forms of channel events (docs/protocol.md).
// Nothing here is imported as a value from the server's folders: the browser bundle carries no engine code.
import type { AuctionView, GroupView, OfferView, Quote, ReservationView } from '../engine/index.ts';
import type { ExplanationLine } from '../pricing/index.ts';
import type { AuctionWireEvent, ReservationWireEvent } from './wire-mechanisms.ts';

export type { AuctionView, GroupView, OfferView, Quote, ReservationView, ExplanationLine };
export type * from './wire-mechanisms.ts';

/** A group as an offer's watchers see it: no member list. */
export type GroupSummary = Omit<GroupView, 'members'>;

export interface OfferSnapshot {
  offer: OfferView;
  groups: GroupSummary[];
}

export interface GroupSnapshot {
  group: GroupView;
}

export interface Membership {
  offerId: string;
  groupId: string;
  qty: number;
  chargedMinor: number;
  quotedUnitPriceMinor: number;
  joinedAtMs: number;
  group: GroupSummary | null;
}

/** A live bid of the shopper's own (amounts included), with its auction as it stands. */
export interface OwnBid {
  offerId: string;
  kind: AuctionView['kind'];
  bidderNo: number;
  /** English: the hidden maximum; sealed kinds: the price a unit. */
  bidMinor: number;
  qty: number;
  placedAtMs: number;
  /** English: whether it leads; null for sealed kinds. */
  leading: boolean | null;
  auction: AuctionView | null;
}

/** The shopper's own part of a reservation offer: its place in line, holds, rentals and bookings. */
export type OwnReservation = Omit<NonNullable<ReservationView['you']>, 'shopperId'> & { offerId: string };

export interface ShopperSnapshot {
  shopperId: string;
  memberships: Membership[];
  /** Older servers send neither. */
  bids?: OwnBid[];
  reservations?: OwnReservation[];
}

export interface Settlement {
  shopperId: string;
  qty: number;
  unitPriceMinor: number;
  paidMinor: number;
  refundMinor: number;
}

export interface EventBase {
  offerId: string;
  atMs: number;
}

/**
 * Events of offer, group and shopper channels. Private forms (on `shopper:<id>`) add the amounts marked optional.
 * A version-1 server may add event types: a client ignores the ones it does not know (see `KnownEvent`).
 */
export type GroupChannelEvent = EventBase &
  (
    | { type: 'offer_created'; merchantId: string }
    | { type: 'offer_edited'; fields: string[]; offer: OfferView }
    | { type: 'offer_paused' }
    | { type: 'offer_resumed' }
    | { type: 'offer_closed'; reason: 'merchant' | 'ended' }
    | { type: 'group_opened'; groupId: string; leaderId: string; deadlineMs: number; minSize: number; maxSize: number | null; newcomerOnly: boolean }
    | { type: 'group_joined'; groupId: string; shopperId: string; qty: number; size: number; unitPriceMinor: number; chargedMinor?: number; quotedUnitPriceMinor?: number }
    | { type: 'group_left'; groupId: string; shopperId: string; qty: number; leaderId: string | null; size: number; unitPriceMinor: number; refundMinor?: number }
    | { type: 'group_formed'; groupId: string; size: number }
    | {
        type: 'group_completed';
        groupId: string;
        size: number;
        autoFilledSeats: number;
        reason: 'full' | 'deadline' | 'offer_closed';
        memberIds?: string[];
        settlement?: Settlement;
      }
    | {
        type: 'group_failed';
        groupId: string;
        size: number;
        reason: 'deadline' | 'offer_closed' | 'empty';
        memberIds?: string[];
        refund?: { shopperId: string; qty: number; refundMinor: number };
      }
    | { type: 'stock_changed'; inventory: number; heldUnits: number; soldUnits: number; availableUnits: number }
    | { type: 'rule_set_activated'; version: number }
    | { type: 'price_changed'; priceMinor: number; previousPriceMinor: number; ruleSetVersion: number; explanation: ExplanationLine[] }
  );

/** Every event the console reads: group-buy and offer events, and the auctions' and reservations' own. */
export type ChannelEvent = GroupChannelEvent | AuctionWireEvent | ReservationWireEvent;

export type ChannelEventType = ChannelEvent['type'];

const KNOWN_EVENT_TYPES: ReadonlySet<string> = new Set<ChannelEventType>([
  'offer_created',
  'offer_edited',
  'offer_paused',
  'offer_resumed',
  'offer_closed',
  'group_opened',
  'group_joined',
  'group_left',
  'group_formed',
  'group_completed',
  'group_failed',
  'stock_changed',
  'rule_set_activated',
  'price_changed',
  'bid_placed',
  'auction_extended',
  'auction_price_dropped',
  'auction_closed',
  'queue_changed',
  'hold_offered',
  'hold_extended',
  'hold_released',
  'hold_expired',
  'rental_started',
  'rental_ended',
  'booking_waitlisted',
  'waitlist_left',
  'waitlist_closed',
  'booking_confirmed',
  'booking_cancelled',
  'booking_completed',
  'queue_position',
]);

/** Narrows a delta's event to the types this console knows; unknown types are skipped, as the protocol asks. */
export function knownEvent(event: { type: string }): ChannelEvent | null {
  return KNOWN_EVENT_TYPES.has(event.type) ? (event as ChannelEvent) : null;
}

/** An answer to a request, as the server sends it (ack, subscribed or error). */
export interface Answer {
  type: 'ack' | 'subscribed' | 'error';
  requestId: string;
  serverTimeMs: number;
  result?: Record<string, unknown>;
  code?: string;
  message?: string;
  channel?: string;
  epoch?: string;
  offset?: number;
  recovered?: boolean;
  snapshot?: unknown;
  watchers?: number;
}

/** A refusal as pages show it: the server's stable code and its message, or a client-side one for a lost connection. */
export interface Failure {
  code: string;
  message: string;
  /** Field problems with dotted paths, when the server listed them (`invalid_settings` on the pricing routes). */
  errors?: { path: string; message: string }[];
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; failure: Failure };

export function unreachable(value: never): never {
  throw new Error(`unhandled case ${JSON.stringify(value)}`);
}
