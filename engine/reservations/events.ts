// Events reservations emit (past tense), and their audiences (see kernel/events.ts).
//
// Public vs private: shopper ids, hold/rental/booking ids, tickets, times and slots are public (every watcher of
// the offer may see who holds what, as with group members); amounts (`unitPriceMinor`, `chargedMinor`,
// `depositMinor`, `refundMinor`, `depositReleasedMinor`) belong to the event's shopper only, and so do the lists of
// shoppers a closing line or waitlist dropped (each hears only of its own place). Every id is stable and unique in
// the engine, so effects derive idempotent ids from it (see docs/reservations.md, "Money").
import type { EffectFact, MoneySubject } from '../kernel/effect-facts.ts';
import { pick, type EventCatalog, type EventFacts } from '../kernel/events.ts';

/** Where a slot hold or booking sits: the unit (0-based) and `[startMs, endMs)`. */
export interface SlotRef {
  unit: number;
  startMs: number;
  endMs: number;
}

export type ReservationEvent =
  /**
   * The waiting line of a queue offer moved: someone joined or left it, was served (offered a unit), or the line was
   * emptied because the offer closed. One per change, whatever the line's length: a watcher refreshes its own
   * position from the view (docs/reservations.md, "Positions").
   */
  | ({
      type: 'queue_changed';
      change: 'joined' | 'left' | 'served' | 'closed';
      /** Who joined, left or was served; null when the line closed. */
      shopperId: string | null;
      ticket: number | null;
      /** Shoppers waiting after the change. */
      waiting: number;
      /** Shoppers served from the line so far (offered a unit after waiting). */
      served: number;
      /** The ticket served next, or null when nobody waits. */
      headTicket: number | null;
      /** Private (each hears only of its own place): when the line closed, who was waiting in it, in ticket order. */
      droppedShopperIds?: string[];
    } & EventFacts)
  /** A unit (queue) or a slot on a unit (slots) is held for a shopper until `expiresAtMs`, to confirm. */
  | ({ type: 'hold_offered'; holdId: string; shopperId: string; expiresAtMs: number; slot: SlotRef | null } & EventFacts)
  | ({ type: 'hold_extended'; holdId: string; shopperId: string; expiresAtMs: number } & EventFacts)
  /** A hold ended unconfirmed: declined by its shopper, its booking cancelled, or its offer closed. */
  | ({ type: 'hold_released'; holdId: string; shopperId: string; reason: 'declined' | 'cancelled' | 'offer_closed' } & EventFacts)
  | ({ type: 'hold_expired'; holdId: string; shopperId: string } & EventFacts)
  /** A queue hold was confirmed: the rental (same id as the hold) starts; charge `chargedMinor`, hold `depositMinor`. */
  | ({
      type: 'rental_started';
      rentalId: string;
      shopperId: string;
      unitPriceMinor: number;
      chargedMinor: number;
      depositMinor: number;
      ruleSetVersion: number;
    } & EventFacts)
  /** The unit came back: release `depositReleasedMinor`. */
  | ({
      type: 'rental_ended';
      rentalId: string;
      shopperId: string;
      startedAtMs: number;
      durationMs: number;
      depositReleasedMinor: number;
    } & EventFacts)
  /** No unit was free for the slot: the booking waits on the slot's waitlist (no money moves). */
  | ({ type: 'booking_waitlisted'; bookingId: string; shopperId: string; startMs: number; endMs: number; ticket: number; waiting: number } & EventFacts)
  /** A waiting booking was cancelled by its shopper. */
  | ({ type: 'waitlist_left'; bookingId: string; shopperId: string; startMs: number; endMs: number; waiting: number } & EventFacts)
  /** A slot's waitlist ended: the slot started, or the offer closed; its `dropped` waiting bookings are gone. */
  | ({
      type: 'waitlist_closed';
      startMs: number;
      endMs: number;
      dropped: number;
      /** Private (each hears only of its own booking): the bookings dropped, in ticket order. */
      droppedBookings: { shopperId: string; bookingId: string }[];
      reason: 'slot_started' | 'offer_closed';
    } & EventFacts)
  /** A slot hold was confirmed: charge `chargedMinor`, hold `depositMinor`. */
  | ({
      type: 'booking_confirmed';
      bookingId: string;
      shopperId: string;
      unit: number;
      startMs: number;
      endMs: number;
      unitPriceMinor: number;
      chargedMinor: number;
      depositMinor: number;
      ruleSetVersion: number;
    } & EventFacts)
  /** A confirmed booking was cancelled: refund `refundMinor`, release `depositReleasedMinor`. */
  | ({ type: 'booking_cancelled'; bookingId: string; shopperId: string; refundMinor: number; depositReleasedMinor: number } & EventFacts)
  /** A confirmed booking is over (its end plus the offer's buffer): release `depositReleasedMinor`. */
  | ({ type: 'booking_completed'; bookingId: string; shopperId: string; depositReleasedMinor: number } & EventFacts);

type Of<T extends ReservationEvent['type']> = Extract<ReservationEvent, { type: T }>;

/** The event as its own shopper sees it: every field but the lists naming other shoppers. */
const own = <E extends { shopperId: string | null }>(fields: readonly (keyof E & string)[]) => (e: E, deliver: (shopperId: string, form: object) => void) => {
  if (e.shopperId !== null) deliver(e.shopperId, pick(e, fields));
};

const QUEUE_PUBLIC = ['type', 'offerId', 'change', 'shopperId', 'ticket', 'waiting', 'served', 'headTicket', 'atMs'] as const;
const HOLD_OFFERED = ['type', 'offerId', 'holdId', 'shopperId', 'expiresAtMs', 'slot', 'atMs'] as const;
const HOLD_EXTENDED = ['type', 'offerId', 'holdId', 'shopperId', 'expiresAtMs', 'atMs'] as const;
const HOLD_RELEASED = ['type', 'offerId', 'holdId', 'shopperId', 'reason', 'atMs'] as const;
const HOLD_EXPIRED = ['type', 'offerId', 'holdId', 'shopperId', 'atMs'] as const;
const RENTAL_STARTED_PUBLIC = ['type', 'offerId', 'rentalId', 'shopperId', 'ruleSetVersion', 'atMs'] as const;
const RENTAL_ENDED_PUBLIC = ['type', 'offerId', 'rentalId', 'shopperId', 'startedAtMs', 'durationMs', 'atMs'] as const;
const WAITLISTED = ['type', 'offerId', 'bookingId', 'shopperId', 'startMs', 'endMs', 'ticket', 'waiting', 'atMs'] as const;
const WAITLIST_LEFT = ['type', 'offerId', 'bookingId', 'shopperId', 'startMs', 'endMs', 'waiting', 'atMs'] as const;
const WAITLIST_CLOSED = ['type', 'offerId', 'startMs', 'endMs', 'dropped', 'reason', 'atMs'] as const;
const CONFIRMED_PUBLIC = ['type', 'offerId', 'bookingId', 'shopperId', 'unit', 'startMs', 'endMs', 'ruleSetVersion', 'atMs'] as const;
const CANCELLED_PUBLIC = ['type', 'offerId', 'bookingId', 'shopperId', 'atMs'] as const;
const COMPLETED_PUBLIC = ['type', 'offerId', 'bookingId', 'shopperId', 'atMs'] as const;

/** The money of one rental or booking: charged, deposit held and released on one payment, named by its engine id. */
function money(subject: MoneySubject, id: string, shopperId: string) {
  return { shopperId, subject, key: [id], perCommand: false, payment: [id] };
}

/** A rental or booking's merchant webhook (the merchant hands over and takes back units); its id needs no seq. */
function webhook(type: string, id: string, data: Record<string, unknown>): EffectFact {
  return { kind: 'webhook', type, key: [type, id], perCommand: false, data };
}

function startedEffects(e: Of<'rental_started'>): EffectFact[] {
  const m = money({ type: 'rental', rentalId: e.rentalId }, e.rentalId, e.shopperId);
  const facts: EffectFact[] = [];
  if (e.chargedMinor > 0) facts.push({ kind: 'charge', ...m, qty: 1, amountMinor: e.chargedMinor });
  if (e.depositMinor > 0) facts.push({ kind: 'deposit_hold', ...m, amountMinor: e.depositMinor });
  const { rentalId, shopperId, unitPriceMinor, chargedMinor, depositMinor, currency } = e;
  facts.push(webhook('rental_started', rentalId, { rentalId, shopperId, unitPriceMinor, chargedMinor, depositMinor, currency }));
  return facts;
}

function endedEffects(e: Of<'rental_ended'>): EffectFact[] {
  const m = money({ type: 'rental', rentalId: e.rentalId }, e.rentalId, e.shopperId);
  const facts: EffectFact[] = [];
  if (e.depositReleasedMinor > 0) facts.push({ kind: 'deposit_release', ...m, reason: 'returned', amountMinor: e.depositReleasedMinor });
  const { rentalId, shopperId, startedAtMs, durationMs, depositReleasedMinor, currency } = e;
  facts.push(webhook('rental_ended', rentalId, { rentalId, shopperId, startedAtMs, durationMs, depositReleasedMinor, currency }));
  return facts;
}

function confirmedEffects(e: Of<'booking_confirmed'>): EffectFact[] {
  const m = money({ type: 'booking', bookingId: e.bookingId }, e.bookingId, e.shopperId);
  const facts: EffectFact[] = [];
  if (e.chargedMinor > 0) facts.push({ kind: 'charge', ...m, qty: 1, amountMinor: e.chargedMinor });
  if (e.depositMinor > 0) facts.push({ kind: 'deposit_hold', ...m, amountMinor: e.depositMinor });
  const { bookingId, shopperId, unit, startMs, endMs, unitPriceMinor, chargedMinor, depositMinor, currency } = e;
  facts.push(webhook('booking_confirmed', bookingId, { bookingId, shopperId, unit, startMs, endMs, unitPriceMinor, chargedMinor, depositMinor, currency }));
  return facts;
}

function cancelledEffects(e: Of<'booking_cancelled'>): EffectFact[] {
  const m = money({ type: 'booking', bookingId: e.bookingId }, e.bookingId, e.shopperId);
  const facts: EffectFact[] = [];
  if (e.refundMinor > 0) facts.push({ kind: 'refund', ...m, reason: 'cancelled', amountMinor: e.refundMinor });
  if (e.depositReleasedMinor > 0) facts.push({ kind: 'deposit_release', ...m, reason: 'cancelled', amountMinor: e.depositReleasedMinor });
  const { bookingId, shopperId, refundMinor, depositReleasedMinor, currency } = e;
  facts.push(webhook('booking_cancelled', bookingId, { bookingId, shopperId, refundMinor, depositReleasedMinor, currency }));
  return facts;
}

function completedEffects(e: Of<'booking_completed'>): EffectFact[] {
  const m = money({ type: 'booking', bookingId: e.bookingId }, e.bookingId, e.shopperId);
  const facts: EffectFact[] = [];
  if (e.depositReleasedMinor > 0) facts.push({ kind: 'deposit_release', ...m, reason: 'completed', amountMinor: e.depositReleasedMinor });
  const { bookingId, shopperId, depositReleasedMinor, currency } = e;
  facts.push(webhook('booking_completed', bookingId, { bookingId, shopperId, depositReleasedMinor, currency }));
  return facts;
}

export const RESERVATION_EVENTS: EventCatalog<ReservationEvent> = {
  queue_changed: {
    public: QUEUE_PUBLIC,
    private: (e, deliver) => {
      if (e.shopperId !== null) return deliver(e.shopperId, pick(e, QUEUE_PUBLIC));
      // The line closed: everyone dropped from it hears, each once.
      const form = pick(e, QUEUE_PUBLIC);
      for (const shopperId of e.droppedShopperIds ?? []) deliver(shopperId, form);
    },
  },
  hold_offered: { public: HOLD_OFFERED, private: own(HOLD_OFFERED) },
  hold_extended: { public: HOLD_EXTENDED, private: own(HOLD_EXTENDED) },
  hold_released: { public: HOLD_RELEASED, private: own(HOLD_RELEASED) },
  hold_expired: { public: HOLD_EXPIRED, private: own(HOLD_EXPIRED) },
  rental_started: {
    public: RENTAL_STARTED_PUBLIC,
    private: own([...RENTAL_STARTED_PUBLIC, 'unitPriceMinor', 'chargedMinor', 'depositMinor']),
    effects: startedEffects,
  },
  rental_ended: { public: RENTAL_ENDED_PUBLIC, private: own([...RENTAL_ENDED_PUBLIC, 'depositReleasedMinor']), effects: endedEffects },
  booking_waitlisted: { public: WAITLISTED, private: own(WAITLISTED) },
  waitlist_left: { public: WAITLIST_LEFT, private: own(WAITLIST_LEFT) },
  waitlist_closed: {
    public: WAITLIST_CLOSED,
    // Each shopper dropped hears which of its bookings it was.
    private: (e, deliver) => {
      for (const { shopperId, bookingId } of e.droppedBookings) deliver(shopperId, { ...pick(e, WAITLIST_CLOSED), bookingId });
    },
  },
  booking_confirmed: {
    public: CONFIRMED_PUBLIC,
    private: own([...CONFIRMED_PUBLIC, 'unitPriceMinor', 'chargedMinor', 'depositMinor']),
    effects: confirmedEffects,
  },
  booking_cancelled: { public: CANCELLED_PUBLIC, private: own([...CANCELLED_PUBLIC, 'refundMinor', 'depositReleasedMinor']), effects: cancelledEffects },
  booking_completed: { public: COMPLETED_PUBLIC, private: own([...COMPLETED_PUBLIC, 'depositReleasedMinor']), effects: completedEffects },
};
