// The reservation mechanism's surface to the rest of the engine. The core calls these hooks; everything else about
// reservations stays inside this folder (queue.ts, slots.ts, holds.ts; docs/reservations.md is the contract).
import type { CommandOf, OfferPatch } from '../commands.ts';
import { unreachable, type Ctx } from '../context.ts';
import type { Deadline, DeadlineQueue } from '../deadlines.ts';
import { reject, type CommandResult, type Rejection } from '../results.ts';
import type { EngineState, Offer } from '../state.ts';
import { isReservationOffer } from './common.ts';
import { applyHoldCommand } from './holds.ts';
import { reservationViolations as violations } from './invariants.ts';
import { RESERVATION_LIMITS } from './limits.ts';
import { closeQueue, expireTurn, joinQueue, leaveQueue, returnUnit, serveQueue } from './queue.ts';
import { bookingDeadlineMs, bookSlot, cancelBooking, closeSlots, closeWaitlist, highestBookedUnit, promoteWaitlists, settleBooking, waitlistOfRef, waitlistRef } from './slots.ts';
import { fromData, newReservationState, toData, type ReservationData, type ReservationState } from './state.ts';
import { reservationView as view, type ReservationView } from './views.ts';

export type { ReservationEvent, SlotRef } from './events.ts';
export type { ReservationState, ReservationData } from './state.ts';
export type { ReservationView, ShopperReservationView, WaitingPlaceView, HoldView, RentalView, BookingView } from './views.ts';
export { RESERVATION_LIMITS } from './limits.ts';
export type ReservationCommand = CommandOf<'join_queue' | 'leave_queue' | 'confirm_hold' | 'extend_hold' | 'release_hold' | 'return_unit' | 'book_slot' | 'cancel_booking'>;

/** What an accepted reservation command returns besides `ok` and `offerId` (which fields, per command: docs/reservations.md). */
export interface ReservationAck {
  /** Join order: `join_queue`, `book_slot`, `leave_queue`. */
  ticket?: number;
  /** Waiting: shoppers served before this one (0: next), and the estimated wait (null: unknown yet). */
  position?: number;
  estimatedWaitMs?: number | null;
  holdId?: string;
  expiresAtMs?: number;
  rentalId?: string;
  bookingId?: string;
  status?: 'waiting' | 'held' | 'confirmed';
  unit?: number;
  depositMinor?: number;
  depositReleasedMinor?: number;
}

/** Why these create_offer settings cannot make a reservation, naming the field; null when they can. */
export function reservationSettingsProblem(cmd: CommandOf<'create_offer'>, _nowMs: number): string | null {
  const m = cmd.mechanism;
  if (m.type !== 'reservation') return null;
  if (m.mode === 'queue') {
    if (m.slotMinMs !== undefined || m.slotMaxMs !== undefined || m.slotBufferMs > 0) return 'mechanism.slotMinMs, slotMaxMs and slotBufferMs apply to slots mode only';
    return null;
  }
  if (cmd.inventory > RESERVATION_LIMITS.slotUnitsMax) return `inventory: a slots offer has at most ${RESERVATION_LIMITS.slotUnitsMax} units`;
  if (m.slotMinMs !== undefined && m.slotMaxMs !== undefined && m.slotMaxMs < m.slotMinMs) return 'mechanism.slotMaxMs must be at least slotMinMs';
  return null;
}

/** The state of a new reservation offer; called once the offer exists, so it may push deadlines and emit events. */
export function startReservation(ctx: Ctx, offer: Offer): ReservationState {
  const classes = offer.mechanism.type === 'reservation' ? offer.mechanism.priorityClasses : 1;
  return newReservationState(classes, ctx.nowMs);
}

function dispatch(ctx: Ctx, cmd: ReservationCommand): CommandResult {
  switch (cmd.type) {
    case 'join_queue':
      return joinQueue(ctx, cmd);
    case 'leave_queue':
      return leaveQueue(ctx, cmd);
    case 'return_unit':
      return returnUnit(ctx, cmd);
    case 'confirm_hold':
    case 'extend_hold':
    case 'release_hold':
      return applyHoldCommand(ctx, cmd);
    case 'book_slot':
      return bookSlot(ctx, cmd);
    case 'cancel_booking':
      return cancelBooking(ctx, cmd);
    default:
      return unreachable(cmd);
  }
}

export function applyReservationCommand(ctx: Ctx, cmd: ReservationCommand): CommandResult {
  const result = dispatch(ctx, cmd);
  // Only an accepted command changed anything; a refused one must leave the state (and its hash) as it was.
  if (result.ok) ctx.state.offers.get(cmd.offerId)!.reservation!.asOfMs = ctx.nowMs;
  return result;
}

/** Whether a queued deadline of kind 'reservation' for this offer still means something (closed offers included). */
export function isReservationDeadlineLive(offer: Offer, entry: Deadline): boolean {
  if (!isReservationOffer(offer) || entry.ref === undefined) return false;
  const r = offer.reservation;
  const waitlist = waitlistOfRef(offer, entry.ref);
  if (waitlist) return waitlist.startMs === entry.atMs;
  const turn = r.turns.get(entry.ref);
  if (turn) return turn.status === 'held' && turn.expiresAtMs === entry.atMs;
  const booking = r.bookings.get(entry.ref);
  return booking !== undefined && bookingDeadlineMs(offer, booking) === entry.atMs;
}

/** Settles a live deadline of kind 'reservation' at its own time `entry.atMs`. */
export function settleReservationDeadline(ctx: Ctx, offer: Offer, entry: Deadline): void {
  if (!isReservationOffer(offer) || entry.ref === undefined) return;
  const r = offer.reservation;
  r.asOfMs = entry.atMs;
  const waitlist = waitlistOfRef(offer, entry.ref);
  if (waitlist) return closeWaitlist(ctx, offer, waitlist, 'slot_started', entry.atMs);
  const turn = r.turns.get(entry.ref);
  if (turn) return expireTurn(ctx, offer, turn, entry.atMs);
  const booking = r.bookings.get(entry.ref);
  if (booking) settleBooking(ctx, offer, booking, entry.atMs);
}

/**
 * The offer is closing (its merchant closed it or it ended) at `atMs`: waiting shoppers and waitlists are dropped and
 * holds released; rentals run on until returned, and confirmed bookings stand until they are over.
 */
export function closeReservationWithOffer(ctx: Ctx, offer: Offer, _reason: 'merchant' | 'ended', atMs: number): void {
  if (!isReservationOffer(offer)) return;
  offer.reservation.asOfMs = atMs;
  if (offer.mechanism.mode === 'queue') closeQueue(ctx, offer, atMs);
  else closeSlots(ctx, offer, atMs);
}

/** Why this edit would break a promise the reservation made (or does not apply to it), or null. */
export function reservationPatchProblem(offer: Offer, patch: OfferPatch): Rejection | null {
  if (!isReservationOffer(offer) || offer.mechanism.mode !== 'slots' || patch.inventory === undefined) return null;
  if (patch.inventory > RESERVATION_LIMITS.slotUnitsMax) return reject('invalid_settings', `inventory: a slots offer has at most ${RESERVATION_LIMITS.slotUnitsMax} units.`);
  const highest = highestBookedUnit(offer);
  if (patch.inventory <= highest) return reject('edit_breaks_promise', `inventory ${patch.inventory} would drop unit ${highest}, which has live bookings.`);
  return null;
}

/** After an accepted edit: more units may have freed room, which goes to waiting shoppers at once. */
export function reservationOfferEdited(ctx: Ctx, offer: Offer): void {
  if (!isReservationOffer(offer)) return;
  offer.reservation.asOfMs = ctx.nowMs;
  if (offer.mechanism.mode === 'queue') serveQueue(ctx, offer, ctx.nowMs);
  else promoteWaitlists(ctx, offer, null, ctx.nowMs);
}

/** Units of the offer this reservation holds (part of `offer.heldUnits`): a queue's holds and rentals; slots hold none. */
export function reservationHeldUnits(offer: Offer): number {
  return offer.reservation === null ? 0 : offer.reservation.turns.size;
}

/** The reservation's own invariants, each broken one reported through `fail`. */
export function reservationViolations(state: EngineState, offer: Offer, fail: (message: string) => void): void {
  violations(state, offer, fail);
}

/** Re-queues the reservation's live deadlines after a restore (deadlines are derived data). */
export function pushReservationDeadlines(offer: Offer, deadlines: DeadlineQueue): void {
  if (!isReservationOffer(offer)) return;
  const r = offer.reservation;
  for (const turn of r.turns.values()) {
    if (turn.status === 'held') deadlines.push({ atMs: turn.expiresAtMs, kind: 'reservation', id: offer.id, order: turn.number, ref: turn.id });
  }
  for (const booking of r.bookings.values()) {
    const atMs = bookingDeadlineMs(offer, booking);
    if (atMs !== null) deadlines.push({ atMs, kind: 'reservation', id: offer.id, order: booking.number, ref: booking.id });
  }
  for (const waitlist of r.waitlists.values()) deadlines.push({ atMs: waitlist.startMs, kind: 'reservation', id: offer.id, order: 0, ref: waitlistRef(waitlist) });
}

/** The offer's reservation as anyone may see it; with `shopperId`, that shopper's own part too (see views.ts). */
export function reservationView(offer: Offer, shopperId?: string, nowMs?: number): ReservationView {
  return view(offer, shopperId, nowMs);
}

export function reservationToData(state: ReservationState): ReservationData {
  return toData(state);
}

export function reservationFromData(data: ReservationData): ReservationState {
  return fromData(data);
}

/** Shoppers waiting (a demand input of the offer's rule set): the queue, or bookings on slot waitlists. */
export function reservationQueueLength(offer: Offer): number {
  const r = offer.reservation;
  if (r === null) return 0;
  return offer.mechanism.type === 'reservation' && offer.mechanism.mode === 'slots' ? r.waitingBookings : r.queue.size;
}
