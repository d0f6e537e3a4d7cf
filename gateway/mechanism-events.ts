// The public and private forms of auction and reservation events, following the rules written on the engine's
// event types (engine/auctions/events.ts, engine/reservations/events.ts):
// - Auctions: bidders appear in public only as their `bidderNo`; a bid's shopper, amount and units, the shopper it
//   outbid, and each winner's shopper, order and amount paid are private to the shopper concerned. Public forms
//   are built from an allowlist of fields, so a private field the engine adds later stays private by default.
// - Reservations: shopper ids, hold/rental/booking ids, tickets, times and slots are public; amounts belong to the
//   event's shopper only. Every amount in the project is named `…Minor`, so public forms drop every such field.
// Private forms go to the `shopper:<id>` channel of the shopper concerned, and only there.
import type { AuctionEvent, ReservationEvent } from '../engine/index.ts';
import type { AuctionLedger } from './auction-ledger.ts';
import type { ReservationLedger } from './reservation-ledger.ts';

export interface PrivateDelta {
  shopperId: string;
  /** The same object may go to many shoppers (it is then serialized once). */
  event: object;
}

export function publicAuctionEvent(event: AuctionEvent): object {
  switch (event.type) {
    case 'bid_placed': {
      const { type, offerId, kind, bidderNo, priceMinor, leaderNo, reserveMet, bidders, bids, atMs } = event;
      return { type, offerId, kind, bidderNo, priceMinor, leaderNo, reserveMet, bidders, bids, atMs };
    }
    case 'auction_extended': {
      const { type, offerId, endMs, previousEndMs, extensionsUsed, atMs } = event;
      return { type, offerId, endMs, previousEndMs, extensionsUsed, atMs };
    }
    case 'auction_price_dropped': {
      const { type, offerId, priceMinor, previousPriceMinor, nextStepAtMs, atMs } = event;
      return { type, offerId, priceMinor, previousPriceMinor, nextStepAtMs, atMs };
    }
    case 'auction_closed': {
      const { type, offerId, kind, reason, reserveMet, clearingPriceMinor, unitsSold, bidders, bids, atMs } = event;
      const winners = event.winners.map(({ bidderNo, qty, unitPriceMinor }) => ({ bidderNo, qty, unitPriceMinor }));
      return { type, offerId, kind, reason, reserveMet, clearingPriceMinor, unitsSold, winners, bidders, bids, atMs };
    }
    default:
      return unreachable(event);
  }
}

/**
 * Who hears what privately: a bidder its own bid (amount and units); the leader a bid displaced, that it was
 * outbid; at the close each winner its order (`won`), and every other bidder still in that it won nothing
 * (`won: null`). Losers are not named by `auction_closed`, so they come from the ledger: ask before it applies the
 * close.
 */
export function privateAuctionEvents(event: AuctionEvent, bids: AuctionLedger): PrivateDelta[] {
  switch (event.type) {
    case 'bid_placed': {
      const common = publicAuctionEvent(event);
      const own: PrivateDelta = { shopperId: event.shopperId, event: { ...common, shopperId: event.shopperId, bidMinor: event.bidMinor, qty: event.qty } };
      if (event.outbidShopperId === null) return [own];
      return [own, { shopperId: event.outbidShopperId, event: { ...common, outbidShopperId: event.outbidShopperId } }];
    }
    case 'auction_closed': {
      const common = publicAuctionEvent(event);
      const deltas: PrivateDelta[] = event.winners.map((winner) => ({ shopperId: winner.shopperId, event: { ...common, won: { ...winner } } }));
      const winnerIds = new Set(event.winners.map((winner) => winner.shopperId));
      const lost = { ...common, won: null };
      for (const shopperId of bids.biddersOf(event.offerId)) if (!winnerIds.has(shopperId)) deltas.push({ shopperId, event: lost });
      return deltas;
    }
    case 'auction_extended':
    case 'auction_price_dropped':
      return [];
    default:
      return unreachable(event);
  }
}

export function publicReservationEvent(event: ReservationEvent): object {
  let copy: Record<string, unknown> | null = null;
  for (const field of Object.keys(event)) {
    if (!field.endsWith('Minor')) continue;
    copy ??= { ...event };
    delete copy[field];
  }
  return copy ?? event;
}

/**
 * The event's own shopper gets it whole (amounts included). Events that drop waiting places without naming anyone
 * (a queue offer's line closing, a slot's waitlist closing) go to each shopper dropped, a waitlisted booking's
 * with its `bookingId`. Ask before the ledger applies the event.
 */
export function privateReservationEvents(event: ReservationEvent, places: ReservationLedger): PrivateDelta[] {
  switch (event.type) {
    case 'queue_changed':
      if (event.shopperId !== null) return [{ shopperId: event.shopperId, event }];
      return places.droppedBy(event).map((place) => ({ shopperId: place.shopperId, event }));
    case 'waitlist_closed':
      return places.droppedBy(event).map((place) => ({ shopperId: place.shopperId, event: { ...event, bookingId: place.id } }));
    case 'hold_offered':
    case 'hold_extended':
    case 'hold_released':
    case 'hold_expired':
    case 'rental_started':
    case 'rental_ended':
    case 'booking_waitlisted':
    case 'waitlist_left':
    case 'booking_confirmed':
    case 'booking_cancelled':
    case 'booking_completed':
      return [{ shopperId: event.shopperId, event }];
    default:
      return unreachable(event);
  }
}

function unreachable(value: never): never {
  throw new Error(`unhandled event ${JSON.stringify(value)}`);
}
