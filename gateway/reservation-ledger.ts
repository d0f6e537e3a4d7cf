// Where each shopper stands in reservation offers: its place in a queue, its holds, rentals and bookings. The
// engine answers "what does shopper S have in offer O" (`Engine.reservation(O, S)`), but not "in which offers
// does S have something" (the `shopper:<id>` snapshot) nor "who waits in O" (whose position a change of the line
// moves, and who is dropped when a line or a slot's waitlist closes: those events name nobody). The gateway keeps
// that index itself, derived only from engine events (and rebuilt from an engine snapshot after a restore). It is
// bounded by the engine: one entry per live waiting place, hold, rental or booking.
import type { EngineEvent, EngineSnapshot } from '../engine/index.ts';

/** The id of a shopper's place in a queue line (holds, rentals and bookings go by their engine ids). */
export const QUEUE_PLACE = 'queue';

export interface Place {
  shopperId: string;
  offerId: string;
  /** `QUEUE_PLACE`, or the hold, rental or booking id (a hold, its rental and its booking share one id). */
  id: string;
  state: 'waiting' | 'held' | 'rented' | 'confirmed';
  ticket: number | null;
  /** Slot bookings: their slot, `start-end` (the waitlist a waiting one is on). */
  slotKey: string | null;
  /** The position (and estimated wait) last published for a waiting place, and on which life of its channel. */
  published: { position: number; estimatedWaitMs: number | null; epoch: string } | null;
}

const slotKeyOf = (startMs: number, endMs: number): string => `${startMs}-${endMs}`;

export class ReservationLedger {
  private readonly byShopper = new Map<string, Map<string, Map<string, Place>>>();
  private readonly waitingByOffer = new Map<string, Set<Place>>();

  static fromSnapshot(snapshot: EngineSnapshot): ReservationLedger {
    const ledger = new ReservationLedger();
    for (const offer of snapshot.offers) {
      const r = offer.reservation;
      if (r === null) continue;
      for (const lane of r.waiting) for (const waiter of lane) ledger.put(waiter.shopperId, offer.id, QUEUE_PLACE, 'waiting', waiter.ticket, null);
      for (const turn of r.turns) ledger.put(turn.shopperId, offer.id, turn.id, turn.status === 'held' ? 'held' : 'rented', turn.ticket, null);
      for (const booking of r.bookings) {
        ledger.put(booking.shopperId, offer.id, booking.id, booking.status, booking.ticket, slotKeyOf(booking.startMs, booking.endMs));
      }
    }
    return ledger;
  }

  /** Reservation offers where the shopper has something, in the order it first had something there. */
  offersOf(shopperId: string): string[] {
    return [...(this.byShopper.get(shopperId)?.keys() ?? [])];
  }

  /** Places waiting in the offer (its queue line, or its slots' waitlists). */
  waitingIn(offerId: string): ReadonlySet<Place> {
    return this.waitingByOffer.get(offerId) ?? EMPTY;
  }

  /** The shopper's waiting places in the offer (its place in the line, or its bookings on slot waitlists). */
  waitingPlacesOf(shopperId: string, offerId: string): Place[] {
    const places = this.byShopper.get(shopperId)?.get(offerId);
    if (!places) return [];
    return [...places.values()].filter((place) => place.state === 'waiting');
  }

  get shoppers(): number {
    return this.byShopper.size;
  }

  /**
   * The waiting places an event drops without naming their shoppers: the whole line when a queue offer closes, a
   * slot's waitlist when the slot starts or the offer closes. Asked before `apply` forgets them.
   */
  droppedBy(event: EngineEvent): Place[] {
    if (event.type === 'queue_changed' && event.change === 'closed') return [...this.waitingIn(event.offerId)].filter((place) => place.id === QUEUE_PLACE);
    if (event.type === 'waitlist_closed') {
      const key = slotKeyOf(event.startMs, event.endMs);
      return [...this.waitingIn(event.offerId)].filter((place) => place.slotKey === key);
    }
    return [];
  }

  apply(event: EngineEvent): void {
    switch (event.type) {
      case 'queue_changed':
        if (event.change === 'joined') this.put(event.shopperId!, event.offerId, QUEUE_PLACE, 'waiting', event.ticket, null);
        else if (event.change === 'closed') for (const place of this.droppedBy(event)) this.remove(place);
        else this.removeId(event.shopperId!, event.offerId, QUEUE_PLACE);
        return;
      case 'hold_offered': {
        // A slot hold either promotes a waiting booking (same id) or is a new booking held at once.
        const slotKey = event.slot && slotKeyOf(event.slot.startMs, event.slot.endMs);
        this.put(event.shopperId, event.offerId, event.holdId, 'held', null, slotKey);
        return;
      }
      case 'rental_started':
        this.put(event.shopperId, event.offerId, event.rentalId, 'rented', null, null);
        return;
      case 'booking_waitlisted':
        this.put(event.shopperId, event.offerId, event.bookingId, 'waiting', event.ticket, slotKeyOf(event.startMs, event.endMs));
        return;
      case 'booking_confirmed':
        this.put(event.shopperId, event.offerId, event.bookingId, 'confirmed', null, slotKeyOf(event.startMs, event.endMs));
        return;
      case 'hold_released':
      case 'hold_expired':
        this.removeId(event.shopperId, event.offerId, event.holdId);
        return;
      case 'rental_ended':
        this.removeId(event.shopperId, event.offerId, event.rentalId);
        return;
      case 'waitlist_left':
      case 'booking_cancelled':
      case 'booking_completed':
        this.removeId(event.shopperId, event.offerId, event.bookingId);
        return;
      case 'waitlist_closed':
        for (const place of this.droppedBy(event)) this.remove(place);
        return;
      default:
        return;
    }
  }

  /** Adds the place, or moves an existing one (same id) to its new state; the ticket and slot of the first stay. */
  private put(shopperId: string, offerId: string, id: string, state: Place['state'], ticket: number | null, slotKey: string | null): void {
    let offers = this.byShopper.get(shopperId);
    if (!offers) this.byShopper.set(shopperId, (offers = new Map()));
    let places = offers.get(offerId);
    if (!places) offers.set(offerId, (places = new Map()));
    let place = places.get(id);
    if (place) {
      if (place.state === 'waiting' && state !== 'waiting') this.stopWaiting(place);
      place.state = state;
      place.ticket ??= ticket;
      place.slotKey ??= slotKey;
    } else {
      place = { shopperId, offerId, id, state, ticket, slotKey, published: null };
      places.set(id, place);
    }
    if (state === 'waiting') {
      let waiting = this.waitingByOffer.get(offerId);
      if (!waiting) this.waitingByOffer.set(offerId, (waiting = new Set()));
      waiting.add(place);
    }
  }

  private removeId(shopperId: string, offerId: string, id: string): void {
    const place = this.byShopper.get(shopperId)?.get(offerId)?.get(id);
    if (place) this.remove(place);
  }

  private remove(place: Place): void {
    const offers = this.byShopper.get(place.shopperId);
    const places = offers?.get(place.offerId);
    if (!offers || !places) return;
    places.delete(place.id);
    if (places.size === 0) offers.delete(place.offerId);
    if (offers.size === 0) this.byShopper.delete(place.shopperId);
    this.stopWaiting(place);
  }

  private stopWaiting(place: Place): void {
    const waiting = this.waitingByOffer.get(place.offerId);
    if (waiting?.delete(place) && waiting.size === 0) this.waitingByOffer.delete(place.offerId);
  }
}

const EMPTY: ReadonlySet<Place> = new Set();
