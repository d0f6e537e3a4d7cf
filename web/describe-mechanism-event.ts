// Auction and reservation events in words, for the event logs. A private form (on the shopper's own channel) adds
// what only that shopper may read: its bid, its order, what it was charged or refunded.
import { bidder, clockTime, formatDuration, money, slotText } from './format.ts';
import { unreachable, type AuctionWireEvent, type ReservationWireEvent } from './wire.ts';

const CLOSE_REASONS = { ended: 'at its end', buy_now: 'by a buy-now', accepted: 'by an acceptance of the clock price', offer_closed: 'by the merchant' } as const;
const RELEASE_REASONS = { declined: 'declined', cancelled: 'cancelled', offer_closed: 'the offer closed' } as const;

export function describeMechanismEvent(event: AuctionWireEvent | ReservationWireEvent, currency: string): string {
  const price = (minor: number) => money(minor, currency);
  switch (event.type) {
    case 'bid_placed': {
      if (event.outbidShopperId !== undefined) return `You were outbid: ${bidder(event.bidderNo)} leads, the price is now ${price(event.priceMinor ?? 0)}`;
      const who = event.bidMinor !== undefined ? `You (${bidder(event.bidderNo)}) bid up to ${price(event.bidMinor)}${event.qty !== undefined && event.qty > 1 ? ` × ${event.qty}` : ''}` : capital(bidder(event.bidderNo));
      if (event.priceMinor === null) return `${who}${event.bidMinor === undefined ? ' placed a sealed bid' : ', sealed'} (${bidsText(event.bids, event.bidders)})`;
      const reserve = event.reserveMet === false ? ', reserve not met yet' : '';
      return `${who}${event.bidMinor === undefined ? ' bid' : ''}: price ${price(event.priceMinor)}, ${bidder(event.leaderNo)} leads${reserve} (${bidsText(event.bids, event.bidders)})`;
    }
    case 'auction_extended':
      return `A late bid moved the end to ${clockTime(event.endMs)} (extension ${event.extensionsUsed})`;
    case 'auction_price_dropped':
      return `The clock fell ${price(event.previousPriceMinor)} → ${price(event.priceMinor)}${event.nextStepAtMs === null ? ' (its floor)' : ''}`;
    case 'auction_closed': {
      const how = `Auction closed ${CLOSE_REASONS[event.reason]}`;
      const sold = event.clearingPriceMinor === null ? 'nothing sold' : `${event.unitsSold} unit${event.unitsSold === 1 ? '' : 's'} sold at ${price(event.clearingPriceMinor)}`;
      const mine = event.won === undefined ? '' : event.won === null ? '; you did not win' : `; you won ${event.won.qty}: you pay ${price(event.won.paidMinor)} (order ${event.won.orderId})`;
      return `${how}: ${sold}${mine}`;
    }
    case 'queue_changed':
      switch (event.change) {
        case 'joined':
          return `${event.shopperId} joined the line (${event.waiting} waiting)`;
        case 'left':
          return `${event.shopperId} left the line (${event.waiting} waiting)`;
        case 'served':
          return `${event.shopperId} was served from the line (${event.waiting} waiting)`;
        case 'closed':
          return 'The line closed with the offer: nobody waits any more';
        default:
          return unreachable(event.change);
      }
    case 'hold_offered':
      return `${event.slot ? `Unit ${event.slot.unit + 1}, ${slotText(event.slot.startMs, event.slot.endMs)},` : 'A unit'} is held for ${event.shopperId} until ${clockTime(event.expiresAtMs)}`;
    case 'hold_extended':
      return `${event.shopperId}'s hold extended to ${clockTime(event.expiresAtMs)}`;
    case 'hold_released':
      return `${event.shopperId}'s hold ended unconfirmed (${RELEASE_REASONS[event.reason]})`;
    case 'hold_expired':
      return `${event.shopperId}'s hold expired unconfirmed: the unit passes on`;
    case 'rental_started':
      return `${event.shopperId} confirmed and started a rental${event.chargedMinor === undefined ? '' : `; you were charged ${price(event.chargedMinor)}, deposit ${price(event.depositMinor ?? 0)}`}`;
    case 'rental_ended':
      return `${event.shopperId} returned the unit after ${formatDuration(event.durationMs)}${event.depositReleasedMinor === undefined ? '' : `; deposit released ${price(event.depositReleasedMinor)}`}`;
    case 'booking_waitlisted':
      return `${event.shopperId} waits for ${slotText(event.startMs, event.endMs)} (${event.waiting} waiting for it)`;
    case 'waitlist_left':
      return `${event.shopperId} stopped waiting for ${slotText(event.startMs, event.endMs)}`;
    case 'waitlist_closed':
      return `The waitlist for ${slotText(event.startMs, event.endMs)} closed (${event.reason === 'slot_started' ? 'the slot started' : 'the offer closed'}): ${event.dropped} dropped`;
    case 'booking_confirmed':
      return `${event.shopperId} booked unit ${event.unit + 1}, ${slotText(event.startMs, event.endMs)}${event.chargedMinor === undefined ? '' : `; you were charged ${price(event.chargedMinor)}, deposit ${price(event.depositMinor ?? 0)}`}`;
    case 'booking_cancelled':
      return `${event.shopperId} cancelled booking ${event.bookingId}${event.refundMinor === undefined ? '' : `; refunded ${price(event.refundMinor)}`}`;
    case 'booking_completed':
      return `Booking ${event.bookingId} of ${event.shopperId} is over${event.depositReleasedMinor === undefined ? '' : `; deposit released ${price(event.depositReleasedMinor)}`}`;
    case 'queue_position':
      return `Your place ${event.bookingId === null ? 'in line' : "on the slot's waitlist"}: ${placeText(event.position)}${event.estimatedWaitMs === null ? '' : `, about ${formatDuration(event.estimatedWaitMs)} to wait`}`;
    default:
      return unreachable(event);
  }
}

/** A position as people count: 0 (served next) is "1 (next)". */
export function placeText(position: number): string {
  return position === 0 ? '1 (you are next)' : String(position + 1);
}

/** "1 bid from 1 bidder", "4 bids from 2 bidders". */
export function bidsText(bids: number, bidders: number): string {
  return `${bids} bid${bids === 1 ? '' : 's'} from ${bidders} bidder${bidders === 1 ? '' : 's'}`;
}

function capital(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
