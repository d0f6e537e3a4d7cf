// Slots mode: a shopper books `[startMs, endMs)` on one of `inventory` units. No two held or confirmed bookings of a
// unit overlap, `slotBufferMs` after each included. A booking starts as a hold (its id is the hold's id) to confirm
// within `holdMs`; when no unit is free it may wait on that exact slot's waitlist, which is promoted at once when
// room frees (a cancellation, an expiry, a completed booking under a unit's bound, more units) and closes when the
// slot starts. Slot bookings never touch `offer.heldUnits`: occupancy sliced in time is not a count of units.
import { touch, type Ctx } from '../kernel/context.ts';
import { factsOf } from '../kernel/events.ts';
import type { ReservationCommandOf as CommandOf } from './commands.ts';
import { activityChanged } from '../kernel/pricing-bridge.ts';
import { sellableProblem } from '../kernel/sellable.ts';
import { reject, type CommandResult, type Rejection } from '../results.ts';
import { servedBefore } from './class-queue.ts';
import { bookingIdOf, classWithin, confirmationQuote, depositFor, emit, isRejection, shopperFactsOf, issuedNumber, reservationOffer, type ReservationOffer } from './common.ts';
import { RESERVATION_LIMITS } from './limits.ts';
import { addWaitlist, firstStartingAtOrAfter, newBooking, indexBooking, placeOnUnit, removeFromUnit, slotKey, unindexBooking, type Booking, type Waitlist } from './state.ts';

const WAITLIST_REF = 'waitlist:';

export function waitlistRef(waitlist: Waitlist): string {
  return `${WAITLIST_REF}${slotKey(waitlist.startMs, waitlist.endMs)}`;
}

/** The waitlist a deadline ref names, if it is one. */
export function waitlistOfRef(offer: ReservationOffer, ref: string): Waitlist | undefined {
  return ref.startsWith(WAITLIST_REF) ? offer.market.waitlists.get(ref.slice(WAITLIST_REF.length)) : undefined;
}

/** When a booking's deadline falls: a hold lapses at its expiry; a confirmed booking is over at its end plus buffer. */
export function bookingDeadlineMs(offer: ReservationOffer, booking: Booking): number | null {
  if (booking.status === 'held') return booking.expiresAtMs;
  if (booking.status === 'confirmed') return booking.endMs + offer.market.settings.slotBufferMs;
  return null;
}

function pushBookingDeadline(ctx: Ctx, offer: ReservationOffer, booking: Booking): void {
  ctx.state.deadlines.push({ atMs: bookingDeadlineMs(offer, booking)!, kind: 'reservation', id: offer.id, order: booking.number, ref: booking.id });
}

function slotProblem(offer: ReservationOffer, startMs: number, endMs: number, nowMs: number): Rejection | null {
  const settings = offer.market.settings;
  if (endMs <= startMs) return reject('invalid_slot', `The slot's endMs (${endMs}) must be after its startMs (${startMs}).`);
  if (startMs < nowMs) return reject('invalid_slot', `The slot starts at ${startMs}, in the past (now is ${nowMs}).`);
  const lengthMs = endMs - startMs;
  if (settings.slotMinMs !== undefined && lengthMs < settings.slotMinMs) return reject('invalid_slot', `A booking lasts at least ${settings.slotMinMs} ms; this one ${lengthMs} ms.`);
  const maxMs = settings.slotMaxMs ?? RESERVATION_LIMITS.slotLengthMaxMs;
  if (lengthMs > maxMs) return reject('invalid_slot', `A booking lasts at most ${maxMs} ms; this one ${lengthMs} ms.`);
  return null;
}

/** Whether `[startMs, endMs)` plus the buffer fits between the unit's bookings (sorted, never overlapping). */
function fitsOn(unit: readonly Booking[] | undefined, startMs: number, endMs: number, bufferMs: number): boolean {
  if (unit === undefined || unit.length === 0) return true;
  const next = firstStartingAtOrAfter(unit, startMs);
  if (next > 0 && unit[next - 1]!.endMs + bufferMs > startMs) return false;
  return next === unit.length || endMs + bufferMs <= unit[next]!.startMs;
}

/** Whether the unit can take the slot: free then, and below its bound of live bookings. */
function unitTakes(offer: ReservationOffer, unitIndex: number, startMs: number, endMs: number): boolean {
  const unit = offer.market.units[unitIndex];
  return (unit?.length ?? 0) < RESERVATION_LIMITS.bookingsPerUnitMax && fitsOn(unit, startMs, endMs, offer.market.settings.slotBufferMs);
}

/** The lowest unit that takes the slot; 'bound' when every unit free then is at its bound; -1 when none is free. */
function freeUnit(offer: ReservationOffer, startMs: number, endMs: number): number | 'bound' {
  let atBound = false;
  for (let index = 0; index < offer.inventory; index++) {
    const unit = offer.market.units[index];
    if (!fitsOn(unit, startMs, endMs, offer.market.settings.slotBufferMs)) continue;
    if ((unit?.length ?? 0) < RESERVATION_LIMITS.bookingsPerUnitMax) return index;
    atBound = true;
  }
  return atBound ? 'bound' : -1;
}

/** Holds a unit for the booking (it takes the slot: checked) until its hold lapses, at the latest when the slot ends. */
function holdOnUnit(ctx: Ctx, offer: ReservationOffer, booking: Booking, unitIndex: number, atMs: number): void {
  booking.status = 'held';
  booking.unit = unitIndex;
  booking.expiresAtMs = Math.min(atMs + offer.market.settings.holdMs, booking.endMs);
  booking.extended = false;
  placeOnUnit(offer.market, booking);
  pushBookingDeadline(ctx, offer, booking);
  const slot = { unit: unitIndex, startMs: booking.startMs, endMs: booking.endMs };
  emit(ctx, offer, { type: 'hold_offered', ...factsOf(offer), holdId: booking.id, shopperId: booking.shopperId, expiresAtMs: booking.expiresAtMs, slot, atMs });
}

function removeWaiting(offer: ReservationOffer, waitlist: Waitlist, booking: Booking): void {
  const state = offer.market;
  waitlist.queue.remove(booking);
  state.waitingBookings--;
  // An emptied waitlist is forgotten; its close deadline goes stale on its own.
  if (waitlist.queue.size === 0) state.waitlists.delete(slotKey(waitlist.startMs, waitlist.endMs));
}

/** Where room was freed: a unit, and the time its booking occupied there (buffer included), or the whole unit. */
export interface FreedRoom {
  unit: number;
  fromMs: number;
  toMs: number;
  /** The unit was at its bound of live bookings: any slot free in time may fit now, not only overlapping ones. */
  wasFull: boolean;
}

/**
 * Room freed (`freed`: one unit's; null: the offer gained units): promotes, best first across all waitlisted slots
 * (class after aging, then ticket), every waiting booking that now fits. Before the change no waitlisted slot fitted
 * anywhere, so only the freed unit needs looking at, and on it only slots that overlap the freed time (unless the
 * unit was at its bound): a cheap test that skips most waitlists before their heads are even compared.
 */
export function promoteWaitlists(ctx: Ctx, offer: ReservationOffer, freed: FreedRoom | null, atMs: number): void {
  const state = offer.market;
  if (offer.status === 'closed' || state.waitlists.size === 0) return;
  const agingMs = offer.market.settings.agingMs;
  const bufferMs = offer.market.settings.slotBufferMs;
  for (;;) {
    let best: Booking | undefined;
    let bestList: Waitlist | undefined;
    let bestUnit = -1;
    for (const waitlist of state.waitlists.values()) {
      let unit: number;
      if (freed === null) {
        const free = freeUnit(offer, waitlist.startMs, waitlist.endMs);
        unit = typeof free === 'number' ? free : -1;
      } else {
        const overlaps = waitlist.startMs < freed.toMs && freed.fromMs < waitlist.endMs + bufferMs;
        unit = (overlaps || freed.wasFull) && unitTakes(offer, freed.unit, waitlist.startMs, waitlist.endMs) ? freed.unit : -1;
      }
      if (unit < 0) continue;
      const head = waitlist.queue.best(atMs, agingMs)!;
      if (best !== undefined && !servedBefore(head, best, atMs, agingMs)) continue;
      best = head;
      bestList = waitlist;
      bestUnit = unit;
    }
    if (best === undefined) return;
    removeWaiting(offer, bestList!, best);
    holdOnUnit(ctx, offer, best, bestUnit, atMs);
    activityChanged(ctx, offer, 0);
  }
}

/** The booking leaves its unit and the offer; the room it leaves goes to the waitlists. */
function endOnUnit(ctx: Ctx, offer: ReservationOffer, booking: Booking, atMs: number): void {
  const state = offer.market;
  const wasFull = (state.units[booking.unit]?.length ?? 0) >= RESERVATION_LIMITS.bookingsPerUnitMax;
  removeFromUnit(state, booking);
  if (booking.status === 'confirmed') state.confirmedBookings--;
  state.bookings.delete(booking.id);
  unindexBooking(state, booking);
  promoteWaitlists(ctx, offer, { unit: booking.unit, fromMs: booking.startMs, toMs: booking.endMs + offer.market.settings.slotBufferMs, wasFull }, atMs);
}

export function bookSlot(ctx: Ctx, cmd: CommandOf<'book_slot'>): CommandResult {
  const offer = reservationOffer(ctx, cmd.offerId, 'slots', cmd.type);
  if (isRejection(offer)) return offer;
  const problem = sellableProblem(offer, ctx.nowMs) ?? slotProblem(offer, cmd.startMs, cmd.endMs, ctx.nowMs);
  if (problem) return problem;
  const state = offer.market;
  const settings = offer.market.settings;
  const mine = state.bookingsByShopper.get(cmd.shopperId);
  const places = mine?.length ?? 0;
  const limit = Math.min(offer.perShopperLimit ?? RESERVATION_LIMITS.bookingsPerShopperMax, RESERVATION_LIMITS.bookingsPerShopperMax);
  if (places + 1 > limit) return reject('limit_exceeded', `A shopper may have ${limit} bookings (waiting, held or confirmed) here; you have ${places}.`);
  const unit = freeUnit(offer, cmd.startMs, cmd.endMs);
  if (unit === 'bound') {
    return reject('too_many_bookings', `Every unit free for this slot already carries ${RESERVATION_LIMITS.bookingsPerUnitMax} live bookings; try later.`);
  }
  let waitlist = unit < 0 ? state.waitlists.get(slotKey(cmd.startMs, cmd.endMs)) : undefined;
  if (unit < 0) {
    if (!cmd.waitlist) return reject('slot_unavailable', `No unit of offer "${offer.id}" is free for [${cmd.startMs}, ${cmd.endMs}).`);
    if (cmd.startMs <= ctx.nowMs) return reject('slot_unavailable', `No unit is free for [${cmd.startMs}, ${cmd.endMs}), and it starts now: too late to wait for it.`);
    const same = mine?.find((b) => b.status === 'waiting' && b.startMs === cmd.startMs && b.endMs === cmd.endMs);
    if (same) return reject('already_queued', `You are already waiting for [${cmd.startMs}, ${cmd.endMs}) (${same.id}).`);
    if (waitlist && waitlist.queue.size >= settings.waitlistMax) return reject('queue_full', `The waitlist of this slot is full (${settings.waitlistMax} waiting).`);
    if (!waitlist && state.waitlists.size >= RESERVATION_LIMITS.waitlistedSlotsMax) {
      return reject('queue_full', `Offer "${offer.id}" has waitlists for ${RESERVATION_LIMITS.waitlistedSlotsMax} slots already; pick one of those or another time.`);
    }
  }

  const number = ++state.issued;
  const booking = newBooking(shopperFactsOf(cmd), bookingIdOf(offer.id, number), number, ++state.tickets, classWithin(offer, cmd.priorityClass), ctx.nowMs, cmd.startMs, cmd.endMs);


  state.bookings.set(booking.id, booking);
  indexBooking(state, booking);
  activityChanged(ctx, offer, 1);
  if (unit >= 0) {
    holdOnUnit(ctx, offer, booking, unit, ctx.nowMs);
    return { ok: true, offerId: offer.id, reservation: { bookingId: booking.id, status: 'held', holdId: booking.id, expiresAtMs: booking.expiresAtMs, unit, ticket: booking.ticket } };
  }
  if (!waitlist) {
    waitlist = addWaitlist(state, cmd.startMs, cmd.endMs);
    // Order 0: at the slot's start its waitlist closes before any hold of the offer lapses at that instant.
    ctx.state.deadlines.push({ atMs: cmd.startMs, kind: 'reservation', id: offer.id, order: 0, ref: waitlistRef(waitlist) });
  }
  waitlist.queue.push(booking);
  state.waitingBookings++;
  const waiting = waitlist.queue.size;
  emit(ctx, offer, { type: 'booking_waitlisted', ...factsOf(offer), bookingId: booking.id, shopperId: booking.shopperId, startMs: booking.startMs, endMs: booking.endMs, ticket: booking.ticket, waiting, atMs: ctx.nowMs });
  const position = waitlist.queue.position(booking, ctx.nowMs, settings.agingMs);
  return { ok: true, offerId: offer.id, reservation: { bookingId: booking.id, status: 'waiting', ticket: booking.ticket, position } };
}

/** The live booking an id names, or why not: unknown (or ended), or someone else's. */
export function liveBooking(offer: ReservationOffer, id: string, shopperId: string): Booking | Rejection | null {
  if (issuedNumber(offer, id, 'b') === null) return reject('unknown_booking', `No booking "${id}" in offer "${offer.id}".`);
  const booking = offer.market.bookings.get(id);
  if (booking && booking.shopperId !== shopperId) return reject('not_holder', `Booking "${id}" belongs to another shopper.`);
  return booking ?? null;
}

export function confirmBooking(ctx: Ctx, offer: ReservationOffer, booking: Booking): CommandResult {
  const quote = confirmationQuote(ctx, offer, booking);
  const depositMinor = depositFor(offer.market.settings, booking.creditScore);
  booking.status = 'confirmed';
  booking.chargedMinor = quote.unitPriceMinor;
  booking.depositMinor = depositMinor;
  offer.market.confirmedBookings++;
  pushBookingDeadline(ctx, offer, booking);
  emit(ctx, offer, {
    type: 'booking_confirmed',
    ...factsOf(offer),
    bookingId: booking.id,
    shopperId: booking.shopperId,
    unit: booking.unit,
    startMs: booking.startMs,
    endMs: booking.endMs,
    unitPriceMinor: quote.unitPriceMinor,
    chargedMinor: booking.chargedMinor,
    depositMinor,
    ruleSetVersion: quote.ruleSetVersion,
    atMs: ctx.nowMs,
  });
  return { ok: true, offerId: offer.id, quote, chargedMinor: booking.chargedMinor, reservation: { bookingId: booking.id, status: 'confirmed', unit: booking.unit, depositMinor } };
}

export function extendBooking(ctx: Ctx, offer: ReservationOffer, booking: Booking): CommandResult {
  const extensionMs = offer.market.settings.holdExtensionMs;
  if (extensionMs === undefined) return reject('extension_unavailable', `Holds on offer "${offer.id}" cannot be extended.`);
  if (booking.extended) return reject('extension_unavailable', `Hold "${booking.id}" was extended once already; confirm or release it.`);
  const expiresAtMs = Math.min(booking.expiresAtMs + extensionMs, booking.endMs);
  if (expiresAtMs === booking.expiresAtMs) return reject('extension_unavailable', `Hold "${booking.id}" already lasts until its slot ends.`);
  booking.expiresAtMs = expiresAtMs;
  booking.extended = true;
  pushBookingDeadline(ctx, offer, booking);
  emit(ctx, offer, { type: 'hold_extended', ...factsOf(offer), holdId: booking.id, shopperId: booking.shopperId, expiresAtMs, atMs: ctx.nowMs });
  return { ok: true, offerId: offer.id, reservation: { holdId: booking.id, bookingId: booking.id, expiresAtMs } };
}

/** A held booking ends unconfirmed by its shopper's choice: declined (release_hold) or cancelled (cancel_booking). */
export function releaseBooking(ctx: Ctx, offer: ReservationOffer, booking: Booking, reason: 'declined' | 'cancelled'): CommandResult {
  emit(ctx, offer, { type: 'hold_released', ...factsOf(offer), holdId: booking.id, shopperId: booking.shopperId, reason, atMs: ctx.nowMs });
  endOnUnit(ctx, offer, booking, ctx.nowMs);
  return { ok: true, offerId: offer.id, reservation: { holdId: booking.id, bookingId: booking.id } };
}

export function cancelBooking(ctx: Ctx, cmd: CommandOf<'cancel_booking'>): CommandResult {
  // Cancellations are taken whatever the offer's state: a confirmed booking outlives a pause or a close.
  const offer = reservationOffer(ctx, cmd.offerId, 'slots', cmd.type);
  if (isRejection(offer)) return offer;
  const booking = liveBooking(offer, cmd.bookingId, cmd.shopperId);
  if (booking === null) return reject('unknown_booking', `Booking "${cmd.bookingId}" has ended: cancelled, expired or completed.`);
  if (isRejection(booking)) return booking;
  const state = offer.market;
  switch (booking.status) {
    case 'held':
      return releaseBooking(ctx, offer, booking, 'cancelled');
    case 'waiting': {
      const waitlist = state.waitlists.get(slotKey(booking.startMs, booking.endMs))!;
      removeWaiting(offer, waitlist, booking);
      state.bookings.delete(booking.id);
      unindexBooking(state, booking);
      const { id: bookingId, shopperId, startMs, endMs } = booking;
      emit(ctx, offer, { type: 'waitlist_left', ...factsOf(offer), bookingId, shopperId, startMs, endMs, waiting: waitlist.queue.size, atMs: ctx.nowMs });
      activityChanged(ctx, offer, 0);
      return { ok: true, offerId: offer.id, reservation: { bookingId } };
    }
    case 'confirmed': {
      // Before its start the booking is refunded in full; once started it has been used, so nothing is refunded.
      const refundMinor = ctx.nowMs < booking.startMs ? booking.chargedMinor : 0;
      const depositReleasedMinor = booking.depositMinor;
      emit(ctx, offer, { type: 'booking_cancelled', ...factsOf(offer), bookingId: booking.id, shopperId: booking.shopperId, refundMinor, depositReleasedMinor, atMs: ctx.nowMs });
      endOnUnit(ctx, offer, booking, ctx.nowMs);
      return { ok: true, offerId: offer.id, refundMinor, reservation: { bookingId: booking.id, depositReleasedMinor } };
    }
  }
}

/** A booking's deadline: a hold lapses (expired), or a confirmed booking is over (completed). */
export function settleBooking(ctx: Ctx, offer: ReservationOffer, booking: Booking, atMs: number): void {
  const { id: bookingId, shopperId } = booking;
  if (booking.status === 'held') emit(ctx, offer, { type: 'hold_expired', ...factsOf(offer), holdId: bookingId, shopperId, atMs });
  else emit(ctx, offer, { type: 'booking_completed', ...factsOf(offer), bookingId, shopperId, depositReleasedMinor: booking.depositMinor, atMs });
  endOnUnit(ctx, offer, booking, atMs);
}

/** Drops a waitlist and its waiting bookings (one event, however long it is). */
export function closeWaitlist(ctx: Ctx, offer: ReservationOffer, waitlist: Waitlist, reason: 'slot_started' | 'offer_closed', atMs: number): void {
  const state = offer.market;
  const dropped = waitlist.queue.lanesOfEntries().flat();
  for (const booking of dropped) {
    state.bookings.delete(booking.id);
    unindexBooking(state, booking);
  }
  state.waitingBookings -= dropped.length;
  state.waitlists.delete(slotKey(waitlist.startMs, waitlist.endMs));
  // In ticket order, so each shopper dropped can be told which of its bookings it was.
  const droppedBookings = dropped.sort((a, b) => a.ticket - b.ticket).map((booking) => ({ shopperId: booking.shopperId, bookingId: booking.id }));
  emit(ctx, offer, { type: 'waitlist_closed', ...factsOf(offer), startMs: waitlist.startMs, endMs: waitlist.endMs, dropped: dropped.length, droppedBookings, reason, atMs });
  for (const { shopperId } of droppedBookings) touch(ctx, offer, shopperId);
  activityChanged(ctx, offer, 0);
}

/** The offer closes: waitlists close and holds are released; confirmed bookings stand and complete at their time. */
export function closeSlots(ctx: Ctx, offer: ReservationOffer, atMs: number): void {
  const state = offer.market;
  for (const waitlist of [...state.waitlists.values()]) closeWaitlist(ctx, offer, waitlist, 'offer_closed', atMs);
  for (const booking of [...state.bookings.values()]) {
    if (booking.status !== 'held') continue;
    emit(ctx, offer, { type: 'hold_released', ...factsOf(offer), holdId: booking.id, shopperId: booking.shopperId, reason: 'offer_closed', atMs });
    removeFromUnit(state, booking);
    state.bookings.delete(booking.id);
    unindexBooking(state, booking);
  }
}

/** The highest unit carrying a live booking, or -1: the inventory may not shrink below it. */
export function highestBookedUnit(offer: ReservationOffer): number {
  const units = offer.market.units;
  for (let index = units.length - 1; index >= 0; index--) if (units[index]!.length > 0) return index;
  return -1;
}
