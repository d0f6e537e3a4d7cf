// The reservation mechanism's own consistency checks, run by `checkInvariants` (O(state size): for tests). The core
// checks beside them that held units add up: a queue offer's `heldUnits` equals its live turns (holds + rentals).
import { availableUnits } from '../kernel/inventory.ts';
import type { EngineState } from '../kernel/state.ts';
import { bookingIdOf, holdIdOf, type ReservationOffer } from './common.ts';
import { RESERVATION_LIMITS } from './limits.ts';
import { slotKey, type Booking } from './state.ts';

type Fail = (message: string) => void;

export function reservationViolations(state: EngineState, offer: ReservationOffer, fail: Fail): void {
  const at = `offer ${offer.id} (reservation)`;
  if (offer.soldUnits !== 0) fail(`${at}: ${offer.soldUnits} units sold; reservations never sell units`);
  if (offer.market.settings.mode === 'queue') queueViolations(state, offer, at, fail);
  else slotViolations(state, offer, at, fail);
}

function queueViolations(state: EngineState, offer: ReservationOffer, at: string, fail: Fail): void {
  const r = offer.market;
  if (r.bookings.size > 0 || r.waitlists.size > 0) fail(`${at}: a queue offer has bookings`);
  let rented = 0;
  for (const turn of r.turns.values()) {
    if (turn.id !== holdIdOf(offer.id, turn.number) || turn.number > r.issued) fail(`${at}: turn ${turn.id} has a number it was not issued`);
    if (r.turnByShopper.get(turn.shopperId) !== turn) fail(`${at}: turn ${turn.id} is not its shopper's place`);
    if (offer.unitsByShopper.get(turn.shopperId) !== 1) fail(`${at}: ${turn.shopperId} holds ${offer.unitsByShopper.get(turn.shopperId) ?? 0} units with one turn`);
    if (r.waitingByShopper.has(turn.shopperId)) fail(`${at}: ${turn.shopperId} both waits and has turn ${turn.id}`);
    if (turn.status === 'rented') {
      rented++;
      if (turn.startedAtMs === null) fail(`${at}: rental ${turn.id} has no start`);
    } else {
      if (turn.expiresAtMs <= state.nowMs) fail(`${at}: hold ${turn.id} lapsed at ${turn.expiresAtMs} but is still held`);
      if (offer.status === 'closed') fail(`${at}: closed with hold ${turn.id} live`);
    }
  }
  if (rented !== r.rentedTurns) fail(`${at}: ${rented} rentals counted as ${r.rentedTurns}`);
  if (r.turnByShopper.size !== r.turns.size) fail(`${at}: ${r.turnByShopper.size} shoppers with turns for ${r.turns.size} turns`);
  if (offer.unitsByShopper.size !== r.turns.size) fail(`${at}: ${offer.unitsByShopper.size} shoppers hold units for ${r.turns.size} turns`);

  const lanes = r.queue.lanesOfEntries();
  let waiting = 0;
  lanes.forEach((lane, laneClass) => {
    waiting += lane.length;
    for (let i = 0; i < lane.length; i++) {
      const waiter = lane[i]!;
      if (waiter.priorityClass !== laneClass || laneClass >= offer.market.settings.priorityClasses) fail(`${at}: ${waiter.shopperId} waits in the wrong class`);
      if (r.waitingByShopper.get(waiter.shopperId) !== waiter) fail(`${at}: ${waiter.shopperId} waits but is not indexed`);
      if (i > 0 && lane[i - 1]!.ticket >= waiter.ticket) fail(`${at}: class ${laneClass} is out of join order`);
      if (waiter.ticket > r.tickets || waiter.joinedAtMs > state.nowMs) fail(`${at}: ${waiter.shopperId} has a ticket or time from the future`);
    }
  });
  if (waiting !== r.queue.size || waiting !== r.waitingByShopper.size) fail(`${at}: ${waiting} waiting, counted ${r.queue.size} and indexed ${r.waitingByShopper.size}`);
  if (waiting > offer.market.settings.waitlistMax) fail(`${at}: ${waiting} waiting, over the bound ${offer.market.settings.waitlistMax}`);
  if (offer.status === 'closed' && waiting > 0) fail(`${at}: closed with shoppers waiting`);
  if (offer.status !== 'closed' && waiting > 0 && availableUnits(offer) > 0) fail(`${at}: ${availableUnits(offer)} units free while ${waiting} shoppers wait`);
}

function slotViolations(state: EngineState, offer: ReservationOffer, at: string, fail: Fail): void {
  const r = offer.market;
  const bufferMs = offer.market.settings.slotBufferMs;
  if (r.turns.size > 0 || r.queue.size > 0 || offer.heldUnits !== 0) fail(`${at}: a slots offer holds units or has a queue`);
  let onUnits = 0;
  r.units.forEach((unit, index) => {
    if (unit.length > 0 && index >= offer.inventory) fail(`${at}: unit ${index} has bookings beyond the inventory ${offer.inventory}`);
    if (unit.length > RESERVATION_LIMITS.bookingsPerUnitMax) fail(`${at}: unit ${index} has ${unit.length} bookings, over the bound`);
    onUnits += unit.length;
    for (let i = 0; i < unit.length; i++) {
      const booking = unit[i]!;
      if (r.bookings.get(booking.id) !== booking || booking.unit !== index || booking.status === 'waiting') fail(`${at}: unit ${index} lists ${booking.id} wrongly`);
      // No overlap: each booking (with the buffer after it) ends before the next one on the unit starts.
      if (i > 0 && unit[i - 1]!.endMs + bufferMs > booking.startMs) fail(`${at}: ${unit[i - 1]!.id} and ${booking.id} overlap on unit ${index}`);
    }
  });
  let waiting = 0;
  let confirmed = 0;
  let held = 0;
  for (const booking of r.bookings.values()) bookingViolations(state, offer, booking, at, fail);
  for (const booking of r.bookings.values()) {
    if (booking.status === 'waiting') waiting++;
    else if (booking.status === 'confirmed') confirmed++;
    else held++;
  }
  if (onUnits !== held + confirmed) fail(`${at}: ${onUnits} bookings on units for ${held + confirmed} held or confirmed`);
  if (waiting !== r.waitingBookings || confirmed !== r.confirmedBookings) fail(`${at}: booking counts disagree`);
  let byShopper = 0;
  for (const mine of r.bookingsByShopper.values()) {
    byShopper += mine.length;
    if (mine.length > RESERVATION_LIMITS.bookingsPerShopperMax) fail(`${at}: ${mine[0]!.shopperId} has ${mine.length} live bookings, over the bound`);
  }
  if (byShopper !== r.bookings.size) fail(`${at}: ${byShopper} bookings indexed by shopper for ${r.bookings.size}`);
  if (r.waitlists.size > RESERVATION_LIMITS.waitlistedSlotsMax) fail(`${at}: ${r.waitlists.size} waitlisted slots, over the bound`);
  let listed = 0;
  for (const [key, waitlist] of r.waitlists) {
    listed += waitlist.queue.size;
    if (key !== slotKey(waitlist.startMs, waitlist.endMs)) fail(`${at}: waitlist ${key} filed under the wrong key`);
    if (waitlist.queue.size === 0 || waitlist.queue.size > offer.market.settings.waitlistMax) fail(`${at}: waitlist ${key} has ${waitlist.queue.size} waiting`);
    if (waitlist.startMs <= state.nowMs) fail(`${at}: waitlist ${key} outlived its slot's start`);
    if (offer.status === 'closed') fail(`${at}: closed with waitlist ${key}`);
    if (fitsSomewhere(offer, waitlist.startMs, waitlist.endMs)) fail(`${at}: waitlist ${key} waits for a slot a unit could take`);
  }
  if (listed !== waiting) fail(`${at}: ${listed} bookings on waitlists for ${waiting} waiting`);
}

function bookingViolations(state: EngineState, offer: ReservationOffer, booking: Booking, at: string, fail: Fail): void {
  const r = offer.market;
  if (booking.id !== bookingIdOf(offer.id, booking.number) || booking.number > r.issued) fail(`${at}: booking ${booking.id} has a number it was not issued`);
  if (!r.bookingsByShopper.get(booking.shopperId)?.includes(booking)) fail(`${at}: booking ${booking.id} is not indexed by its shopper`);
  if (booking.endMs <= booking.startMs) fail(`${at}: booking ${booking.id} ends before it starts`);
  switch (booking.status) {
    case 'waiting': {
      const waitlist = r.waitlists.get(slotKey(booking.startMs, booking.endMs));
      const onIt = waitlist?.queue.lanesOfEntries()[booking.priorityClass]?.includes(booking);
      if (!onIt || booking.laneSlot < 0) fail(`${at}: waiting booking ${booking.id} is not on its waitlist`);
      if (r.bookingsByShopper.get(booking.shopperId)!.some((b) => b !== booking && b.status === 'waiting' && b.startMs === booking.startMs && b.endMs === booking.endMs)) {
        fail(`${at}: ${booking.shopperId} waits twice for one slot`);
      }
      break;
    }
    case 'held':
      if (booking.expiresAtMs <= state.nowMs || booking.expiresAtMs > booking.endMs) fail(`${at}: hold ${booking.id} expires at ${booking.expiresAtMs}, outside (now, end]`);
      if (offer.status === 'closed') fail(`${at}: closed with hold ${booking.id} live`);
      break;
    case 'confirmed':
      if (booking.endMs + offer.market.settings.slotBufferMs <= state.nowMs) fail(`${at}: booking ${booking.id} is over but still live`);
      break;
  }
}

function fitsSomewhere(offer: ReservationOffer, startMs: number, endMs: number): boolean {
  const bufferMs = offer.market.settings.slotBufferMs;
  for (let index = 0; index < offer.inventory; index++) {
    const unit = offer.market.units[index] ?? [];
    if (unit.length >= RESERVATION_LIMITS.bookingsPerUnitMax) continue;
    if (unit.every((b) => b.endMs + bufferMs <= startMs || endMs + bufferMs <= b.startMs)) return true;
  }
  return false;
}
