// One shopper's own places in a reservation offer — its place in line, its holds, rentals and bookings, with the
// amounts only it may see — from the `shopper:<id>` snapshot, then its private events and the answers to its own
// commands. Applying is idempotent (by id), since an event and the answer to the command that caused it both
// arrive. Events that end a place also say what happened, for the panel's list of results.
import { formatDuration, money, slotText } from '../format.ts';
import type { ChannelEvent, OwnReservation, SlotRef } from '../wire.ts';

export interface WaitingPlace {
  ticket: number;
  /** Null until the server says (the join's answer, or a `queue_position`). */
  position: number | null;
  estimatedWaitMs: number | null;
}

export interface Hold {
  holdId: string;
  expiresAtMs: number;
  extended: boolean;
  slot: SlotRef | null;
}

export interface Rental {
  rentalId: string;
  startedAtMs: number;
  chargedMinor: number;
  depositMinor: number;
}

export interface Booking {
  bookingId: string;
  status: 'waiting' | 'held' | 'confirmed';
  startMs: number;
  endMs: number;
  unit: number | null;
  expiresAtMs: number | null;
  extended: boolean;
  position: number | null;
  chargedMinor: number;
  depositMinor: number;
}

export interface Outcome {
  text: string;
  kind: 'ok' | 'failed' | 'info';
}

export class MyPlaces {
  waiting: WaitingPlace | null = null;
  readonly holds = new Map<string, Hold>();
  readonly rentals = new Map<string, Rental>();
  readonly bookings = new Map<string, Booking>();

  constructor(private readonly currency: () => string) {}

  reset(own: OwnReservation | undefined): void {
    this.waiting = own?.waiting ? { ticket: own.waiting.ticket, position: own.waiting.position, estimatedWaitMs: own.waiting.estimatedWaitMs } : null;
    this.holds.clear();
    this.rentals.clear();
    this.bookings.clear();
    for (const hold of own?.holds ?? []) if (hold.slot === null) this.holds.set(hold.holdId, { ...hold });
    for (const rental of own?.rentals ?? []) this.rentals.set(rental.rentalId, { ...rental });
    for (const booking of own?.bookings ?? []) {
      const extended = own?.holds.find((hold) => hold.holdId === booking.bookingId)?.extended ?? false;
      this.bookings.set(booking.bookingId, { ...booking, extended });
    }
  }

  /** The answer to `join_queue` or `book_slot`: the position it carries, which no event may have brought yet. */
  answered(reservation: Record<string, unknown>): void {
    const ticket = reservation.ticket as number | undefined;
    const position = reservation.position as number | undefined;
    if (position === undefined || ticket === undefined) return;
    const bookingId = reservation.bookingId as string | undefined;
    if (bookingId !== undefined) {
      const booking = this.bookings.get(bookingId);
      if (booking?.status === 'waiting' && booking.position === null) booking.position = position;
      return;
    }
    this.waiting ??= { ticket, position: null, estimatedWaitMs: null };
    if (this.waiting.ticket === ticket && this.waiting.position === null) {
      this.waiting.position = position;
      this.waiting.estimatedWaitMs = (reservation.estimatedWaitMs as number | null | undefined) ?? null;
    }
  }

  /**
   * Applies one of this shopper's private events: false when it changed nothing here; otherwise true, or what
   * happened when a place ended.
   */
  apply(event: ChannelEvent): boolean | Outcome {
    const price = (minor: number | undefined) => money(minor ?? 0, this.currency());
    switch (event.type) {
      case 'queue_changed':
        if (event.change === 'joined') {
          if (this.waiting?.ticket !== event.ticket) this.waiting = { ticket: event.ticket ?? 0, position: null, estimatedWaitMs: null };
          return true;
        }
        if (this.waiting === null) return false;
        this.waiting = null;
        return event.change === 'closed' ? { text: 'The line closed with the offer: you no longer wait.', kind: 'failed' } : true;
      case 'queue_position':
        if (event.bookingId !== null) {
          const booking = this.bookings.get(event.bookingId);
          if (!booking) return false;
          booking.position = event.position;
          return true;
        }
        this.waiting = { ticket: event.ticket, position: event.position, estimatedWaitMs: event.estimatedWaitMs };
        return true;
      case 'hold_offered':
        if (event.slot === null) {
          this.waiting = null;
          this.holds.set(event.holdId, { holdId: event.holdId, expiresAtMs: event.expiresAtMs, extended: false, slot: null });
        } else {
          const known = this.bookings.get(event.holdId);
          this.bookings.set(event.holdId, {
            bookingId: event.holdId,
            status: 'held',
            ...event.slot,
            expiresAtMs: event.expiresAtMs,
            extended: false,
            position: null,
            chargedMinor: known?.chargedMinor ?? 0,
            depositMinor: known?.depositMinor ?? 0,
          });
        }
        return true;
      case 'hold_extended': {
        const place = this.holds.get(event.holdId) ?? this.bookings.get(event.holdId);
        if (!place) return false;
        place.expiresAtMs = event.expiresAtMs;
        place.extended = true;
        return true;
      }
      case 'hold_released':
      case 'hold_expired': {
        const booking = this.bookings.get(event.holdId);
        if (!this.holds.delete(event.holdId) && !this.bookings.delete(event.holdId)) return false;
        const what = booking ? `Your hold on ${slotText(booking.startMs, booking.endMs)}` : 'Your hold';
        if (event.type === 'hold_expired') return { text: `${what} expired before you confirmed it${booking ? '' : ': join again to wait at the back'}.`, kind: 'failed' };
        if (event.reason === 'offer_closed') return { text: `${what} ended: the offer closed.`, kind: 'failed' };
        return { text: `${what} is released: nothing was charged.`, kind: 'info' };
      }
      case 'rental_started':
        this.holds.delete(event.rentalId);
        this.rentals.set(event.rentalId, { rentalId: event.rentalId, startedAtMs: event.atMs, chargedMinor: event.chargedMinor ?? 0, depositMinor: event.depositMinor ?? 0 });
        return true;
      case 'rental_ended':
        if (!this.rentals.delete(event.rentalId)) return false;
        return { text: `Returned after ${formatDuration(event.durationMs)}; deposit released: ${price(event.depositReleasedMinor)}.`, kind: 'ok' };
      case 'booking_waitlisted':
        if (this.bookings.has(event.bookingId)) return false;
        this.bookings.set(event.bookingId, {
          bookingId: event.bookingId,
          status: 'waiting',
          startMs: event.startMs,
          endMs: event.endMs,
          unit: null,
          expiresAtMs: null,
          extended: false,
          position: null,
          chargedMinor: 0,
          depositMinor: 0,
        });
        return true;
      case 'booking_confirmed': {
        const booking = this.bookings.get(event.bookingId);
        this.bookings.set(event.bookingId, {
          bookingId: event.bookingId,
          status: 'confirmed',
          startMs: event.startMs,
          endMs: event.endMs,
          unit: event.unit,
          expiresAtMs: null,
          extended: booking?.extended ?? false,
          position: null,
          chargedMinor: event.chargedMinor ?? 0,
          depositMinor: event.depositMinor ?? 0,
        });
        return true;
      }
      case 'waitlist_left':
        return this.bookings.delete(event.bookingId);
      case 'waitlist_closed': {
        const booking = event.bookingId === undefined ? undefined : this.bookings.get(event.bookingId);
        if (!booking) return false;
        this.bookings.delete(booking.bookingId);
        return { text: `No unit freed up for ${slotText(booking.startMs, booking.endMs)} before ${event.reason === 'slot_started' ? 'it started' : 'the offer closed'}: your wait ended, nothing charged.`, kind: 'failed' };
      }
      case 'booking_cancelled':
        if (!this.bookings.delete(event.bookingId)) return false;
        return { text: `Booking cancelled: refunded ${price(event.refundMinor)}, deposit released ${price(event.depositReleasedMinor)}.`, kind: 'info' };
      case 'booking_completed':
        if (!this.bookings.delete(event.bookingId)) return false;
        return { text: `Booking ${event.bookingId} is over; deposit released ${price(event.depositReleasedMinor)}.`, kind: 'ok' };
      default:
        return false;
    }
  }
}
