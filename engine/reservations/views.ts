// Read models of a reservation offer: what anyone watching it may see (counts, no amounts), and with a shopper id
// that shopper's own place, holds, rentals and bookings (amounts included: the gateway shows them to that shopper
// only). Views never change state. A shopper's position costs O(classes × log n) (see class-queue.ts).
import { availableUnits } from '../kernel/inventory.ts';
import { effectiveClass } from './class-queue.ts';
import { estimatedWaitMs, type ReservationOffer } from './common.ts';
import type { SlotRef } from './events.ts';
import { slotKey } from './state.ts';

export interface ReservationView {
  mode: 'queue' | 'slots';
  /** Units of the resource (the offer's inventory). */
  capacity: number;
  /** Queue mode: units free now (0 whenever someone waits). Slots mode: null (a unit's freedom depends on the time). */
  unitsFree: number | null;
  /** Shoppers waiting in the queue, or bookings waiting on slot waitlists. */
  waiting: number;
  /** Queue mode: shoppers served from the line so far, and the ticket served next (null: nobody waits). */
  served: number;
  headTicket: number | null;
  /** Live holds (queue turns not yet confirmed, or held bookings). */
  holds: number;
  /** Queue mode: running rentals. */
  rentals: number;
  /** Slots mode: confirmed bookings not yet over, and slots with a waitlist. */
  confirmedBookings: number;
  waitlistedSlots: number;
  /** Mean occupancy of a unit per shopper served (hold + rental), from observations; null before any. */
  meanServiceMs: number | null;
  /** Queue mode: the estimated wait of a shopper joining now at the back of the line; null when unknown. */
  estimatedWaitMs: number | null;
  /** The shopper's own part, when the view was asked for one. */
  you?: ShopperReservationView;
}

export interface WaitingPlaceView {
  ticket: number;
  priorityClass: number;
  /** The class after aging, now. */
  effectiveClass: number;
  joinedAtMs: number;
  /** Shoppers served before this one if units freed now (0: next). */
  position: number;
  estimatedWaitMs: number | null;
}

export interface HoldView {
  holdId: string;
  expiresAtMs: number;
  extended: boolean;
  slot: SlotRef | null;
}

export interface RentalView {
  rentalId: string;
  startedAtMs: number;
  chargedMinor: number;
  depositMinor: number;
}

export interface BookingView {
  bookingId: string;
  /** Its request order (the tie-break within a priority class on a waitlist). */
  ticket: number;
  status: 'waiting' | 'held' | 'confirmed';
  startMs: number;
  endMs: number;
  /** Null while waiting. */
  unit: number | null;
  /** Held: when the hold lapses. */
  expiresAtMs: number | null;
  /** Waiting: bookings of the same slot served before this one. */
  position: number | null;
  chargedMinor: number;
  depositMinor: number;
}

export interface ShopperReservationView {
  shopperId: string;
  /** Queue mode: the shopper's place in the line, or null. */
  waiting: WaitingPlaceView | null;
  holds: HoldView[];
  rentals: RentalView[];
  /** Slots mode: the shopper's live bookings, in request order. */
  bookings: BookingView[];
}

/**
 * The view as of `nowMs`: the engine's clock when the caller has it (positions under aging move with time), else
 * the time of the offer's last reservation change.
 */
export function reservationView(offer: ReservationOffer, shopperId?: string, nowMs?: number): ReservationView {
  const r = offer.market;
  const atMs = nowMs ?? r.asOfMs;
  const queueMode = offer.market.settings.mode === 'queue';
  const heldBookings = r.bookings.size - r.waitingBookings - r.confirmedBookings;
  const view: ReservationView = {
    mode: offer.market.settings.mode,
    capacity: offer.inventory,
    unitsFree: queueMode ? Math.max(0, availableUnits(offer)) : null,
    waiting: queueMode ? r.queue.size : r.waitingBookings,
    served: r.served,
    headTicket: queueMode ? (r.queue.best(atMs, offer.market.settings.agingMs)?.ticket ?? null) : null,
    holds: queueMode ? r.turns.size - r.rentedTurns : heldBookings,
    rentals: r.rentedTurns,
    confirmedBookings: r.confirmedBookings,
    waitlistedSlots: r.waitlists.size,
    meanServiceMs: r.meanServiceMs,
    estimatedWaitMs: queueMode ? estimatedWaitMs(r, r.queue.size, offer.inventory) : null,
  };
  if (shopperId !== undefined) view.you = shopperView(offer, shopperId, atMs);
  return view;
}

function shopperView(offer: ReservationOffer, shopperId: string, nowMs: number): ShopperReservationView {
  const r = offer.market;
  const agingMs = offer.market.settings.agingMs;
  const you: ShopperReservationView = { shopperId, waiting: null, holds: [], rentals: [], bookings: [] };
  const waiter = r.waitingByShopper.get(shopperId);
  if (waiter) {
    const position = r.queue.position(waiter, nowMs, agingMs);
    you.waiting = {
      ticket: waiter.ticket,
      priorityClass: waiter.priorityClass,
      effectiveClass: effectiveClass(waiter, nowMs, agingMs),
      joinedAtMs: waiter.joinedAtMs,
      position,
      estimatedWaitMs: estimatedWaitMs(r, position, offer.inventory),
    };
  }
  const turn = r.turnByShopper.get(shopperId);
  if (turn?.status === 'held') you.holds.push({ holdId: turn.id, expiresAtMs: turn.expiresAtMs, extended: turn.extended, slot: null });
  if (turn?.status === 'rented') you.rentals.push({ rentalId: turn.id, startedAtMs: turn.startedAtMs!, chargedMinor: turn.chargedMinor, depositMinor: turn.depositMinor });
  for (const booking of r.bookingsByShopper.get(shopperId) ?? []) {
    const waiting = booking.status === 'waiting';
    const waitlist = waiting ? r.waitlists.get(slotKey(booking.startMs, booking.endMs)) : undefined;
    if (booking.status === 'held') {
      you.holds.push({ holdId: booking.id, expiresAtMs: booking.expiresAtMs, extended: booking.extended, slot: { unit: booking.unit, startMs: booking.startMs, endMs: booking.endMs } });
    }
    you.bookings.push({
      bookingId: booking.id,
      ticket: booking.ticket,
      status: booking.status,
      startMs: booking.startMs,
      endMs: booking.endMs,
      unit: waiting ? null : booking.unit,
      expiresAtMs: booking.status === 'held' ? booking.expiresAtMs : null,
      position: waitlist ? waitlist.queue.position(booking, nowMs, agingMs) : null,
      chargedMinor: booking.chargedMinor,
      depositMinor: booking.depositMinor,
    });
  }
  return you;
}
