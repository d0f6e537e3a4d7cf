// The reservation mechanism (预约 / 排队, SPEC §4: queues for shared units, bookable slots) as the kernel sees it: one
// object implementing `Mechanism`. Everything else stays inside this folder (queue.ts, slots.ts, holds.ts;
// docs/reservations.md is the contract).
import type { Mechanism } from '../mechanism.ts';
import { availableUnits } from '../kernel/inventory.ts';
import { singleUnitQuote } from '../kernel/pricing-bridge.ts';
import { reject } from '../results.ts';
import { unreachable } from '../unreachable.ts';
import { RESERVATION_REJECTION_CODES } from './codes.ts';
import { RESERVATION_COMMANDS, ReservationSettings, type ReservationCommand } from './commands.ts';
import { RESERVATION_PRICING } from './common.ts';
import { RESERVATION_EVENTS, type ReservationEvent } from './events.ts';
import { applyHoldCommand } from './holds.ts';
import { reservationViolations } from './invariants.ts';
import { RESERVATION_LIMITS } from './limits.ts';
import { closeQueue, expireTurn, joinQueue, leaveQueue, returnUnit, serveQueue } from './queue.ts';
import { bookingDeadlineMs, bookSlot, cancelBooking, closeSlots, closeWaitlist, highestBookedUnit, promoteWaitlists, settleBooking, waitlistOfRef, waitlistRef } from './slots.ts';
import { fromData, newReservationMarket, toData, type ReservationData, type ReservationMarket, type ReservationOffer } from './state.ts';
import { reservationView, type ShopperReservationView } from './views.ts';

export type { ReservationEvent, SlotRef } from './events.ts';
export type { ReservationMarket, ReservationData, ReservationOffer } from './state.ts';
export type { ReservationView, ShopperReservationView, WaitingPlaceView, HoldView, RentalView, BookingView } from './views.ts';
export { reservationView } from './views.ts';
export { RESERVATION_LIMITS } from './limits.ts';
export { ReservationSettings, JoinQueue, LeaveQueue, ConfirmHold, ExtendHold, ReleaseHold, ReturnUnit, BookSlot, CancelBooking } from './commands.ts';

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

/** A shopper's places, holds, rentals and bookings in one reservation offer, as that shopper's own view lists them. */
export type ReservationPlacesView = Omit<ShopperReservationView, 'shopperId'> & { offerId: string };

function dispatch(ctx: Parameters<typeof joinQueue>[0], cmd: ReservationCommand) {
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

/** Whether the shopper has anything live here: a place in the line, a hold, a rental, a booking. */
function hasStake(offer: ReservationOffer, shopperId: string): boolean {
  const r = offer.market;
  return r.waitingByShopper.has(shopperId) || r.turnByShopper.has(shopperId) || r.bookingsByShopper.has(shopperId);
}

export interface ReservationTypes {
  type: 'reservation';
  settings: ReservationSettings;
  settingsSchema: typeof ReservationSettings;
  commandSchemas: typeof RESERVATION_COMMANDS;
  market: ReservationMarket;
  command: ReservationCommand;
  event: ReservationEvent;
  data: ReservationData;
  portfolioItem: ReservationPlacesView;
  global: null;
  globalData: null;
  rejectionCode: (typeof RESERVATION_REJECTION_CODES)[number];
  patch: Record<never, never>;
  /** Reservation commands: the queue place, hold, rental or booking concerned. */
  ack: { reservation?: ReservationAck };
}

export const reservations: Mechanism<ReservationTypes> = {
  type: 'reservation',
  settingsSchema: ReservationSettings,
  commandSchemas: RESERVATION_COMMANDS,
  patchShape: {},
  rejectionCodes: RESERVATION_REJECTION_CODES,
  events: RESERVATION_EVENTS,
  pricing: RESERVATION_PRICING,
  portfolioKey: 'reservations',
  global: null,

  settingsProblem(cmd, m) {
    if (m.mode === 'queue') {
      if (m.slotMinMs !== undefined || m.slotMaxMs !== undefined || m.slotBufferMs > 0) return 'mechanism.slotMinMs, slotMaxMs and slotBufferMs apply to slots mode only';
      return null;
    }
    if (cmd.inventory > RESERVATION_LIMITS.slotUnitsMax) return `inventory: a slots offer has at most ${RESERVATION_LIMITS.slotUnitsMax} units`;
    if (m.slotMinMs !== undefined && m.slotMaxMs !== undefined && m.slotMaxMs < m.slotMinMs) return 'mechanism.slotMaxMs must be at least slotMinMs';
    return null;
  },
  newMarket: (settings, ctx) => newReservationMarket(settings, ctx.nowMs),
  started: () => undefined,

  apply(ctx, cmd) {
    const result = dispatch(ctx, cmd);
    // Only an accepted command changed anything; a refused one must leave the state (and its hash) as it was.
    if (result.ok) (ctx.state.offers.get(cmd.offerId) as ReservationOffer).market.asOfMs = ctx.nowMs;
    return result;
  },

  quote(ctx, offer, cmd, shopper) {
    if (cmd.groupId !== undefined) return reject('unknown_group', `Offer "${offer.id}" is a reservation: it has no groups.`);
    return { ok: true, offerId: offer.id, quote: singleUnitQuote(offer, RESERVATION_PRICING, ctx.nowMs, shopper, true), availableUnits: availableUnits(offer) };
  },

  /** Live whether or not the offer has closed: confirmed bookings outlive it and still end, releasing deposits, at their time. */
  isDeadlineLive(offer, entry) {
    if (entry.ref === undefined) return false;
    const r = offer.market;
    const waitlist = waitlistOfRef(offer, entry.ref);
    if (waitlist) return waitlist.startMs === entry.atMs;
    const turn = r.turns.get(entry.ref);
    if (turn) return turn.status === 'held' && turn.expiresAtMs === entry.atMs;
    const booking = r.bookings.get(entry.ref);
    return booking !== undefined && bookingDeadlineMs(offer, booking) === entry.atMs;
  },

  settleDeadline(ctx, offer, entry) {
    const r = offer.market;
    r.asOfMs = entry.atMs;
    const waitlist = waitlistOfRef(offer, entry.ref!);
    if (waitlist) return closeWaitlist(ctx, offer, waitlist, 'slot_started', entry.atMs);
    const turn = r.turns.get(entry.ref!);
    if (turn) return expireTurn(ctx, offer, turn, entry.atMs);
    const booking = r.bookings.get(entry.ref!);
    if (booking) settleBooking(ctx, offer, booking, entry.atMs);
  },

  /** Waiting shoppers and waitlists are dropped and holds released; rentals run on until returned, confirmed bookings stand. */
  closeWithOffer(ctx, offer, _reason, atMs) {
    offer.market.asOfMs = atMs;
    if (offer.market.settings.mode === 'queue') closeQueue(ctx, offer, atMs);
    else closeSlots(ctx, offer, atMs);
  },

  patchProblem(_ctx, offer, patch) {
    if (offer.market.settings.mode !== 'slots' || patch.inventory === undefined) return null;
    if (patch.inventory > RESERVATION_LIMITS.slotUnitsMax) return reject('invalid_settings', `inventory: a slots offer has at most ${RESERVATION_LIMITS.slotUnitsMax} units.`);
    const highest = highestBookedUnit(offer);
    if (patch.inventory <= highest) return reject('edit_breaks_promise', `inventory ${patch.inventory} would drop unit ${highest}, which has live bookings.`);
    return null;
  },

  /** More units may have freed room for shoppers waiting in the queue or on a slot's waitlist: served at once. */
  edited(ctx, offer) {
    offer.market.asOfMs = ctx.nowMs;
    if (offer.market.settings.mode === 'queue') serveQueue(ctx, offer, ctx.nowMs);
    else promoteWaitlists(ctx, offer, null, ctx.nowMs);
  },

  // A queue's holds and rentals hold units of the offer; slot bookings are occupancy in time and hold none.
  heldUnits: (offer) => offer.market.turns.size,
  idle: (offer) => offer.market.turns.size === 0 && offer.market.bookings.size === 0,
  invariants: reservationViolations,
  // As of its last change, like every offer view: a position under aging drifts with time alone (see views.ts).
  viewFields: (offer) => ({ reservation: reservationView(offer) }),
  publicSettings: (settings) => settings,
  involvement: (offer, shopperId) => (hasStake(offer, shopperId) ? { exposureMinor: 0 } : null),
  *participants(offer) {
    const r = offer.market;
    yield* r.waitingByShopper.keys();
    yield* r.turnByShopper.keys();
    yield* r.bookingsByShopper.keys();
  },
  portfolioItems(offer, shopperId, nowMs) {
    if (!hasStake(offer, shopperId)) return [];
    const you = reservationView(offer, shopperId, nowMs).you!;
    const { shopperId: _self, ...own } = you;
    return [{ offerId: offer.id, ...own }];
  },
  toData,
  fromData: (data) => fromData(data),
  pushDeadlines(offer, deadlines) {
    const r = offer.market;
    for (const turn of r.turns.values()) {
      if (turn.status === 'held') deadlines.push({ atMs: turn.expiresAtMs, kind: 'reservation', id: offer.id, order: turn.number, ref: turn.id });
    }
    for (const booking of r.bookings.values()) {
      const atMs = bookingDeadlineMs(offer, booking);
      if (atMs !== null) deadlines.push({ atMs, kind: 'reservation', id: offer.id, order: booking.number, ref: booking.id });
    }
    for (const waitlist of r.waitlists.values()) deadlines.push({ atMs: waitlist.startMs, kind: 'reservation', id: offer.id, order: 0, ref: waitlistRef(waitlist) });
  },
};
