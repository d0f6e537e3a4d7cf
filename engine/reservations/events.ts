// Events reservations emit (past tense), streamed on the offer's channel and read by the effects outbox.
//
// Public vs private: shopper ids, hold/rental/booking ids, tickets, times and slots are public (every watcher of
// the offer may see who holds what, as with group members); amounts (`unitPriceMinor`, `chargedMinor`,
// `depositMinor`, `refundMinor`, `depositReleasedMinor`) belong to the event's shopper only. Every id is stable
// and unique in the engine, so the effects outbox can derive idempotent job ids from it (see
// docs/reservations.md, "Money").

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
  | {
      type: 'queue_changed';
      offerId: string;
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
      atMs: number;
    }
  /** A unit (queue) or a slot on a unit (slots) is held for a shopper until `expiresAtMs`, to confirm. */
  | { type: 'hold_offered'; offerId: string; holdId: string; shopperId: string; expiresAtMs: number; slot: SlotRef | null; atMs: number }
  | { type: 'hold_extended'; offerId: string; holdId: string; shopperId: string; expiresAtMs: number; atMs: number }
  /** A hold ended unconfirmed: declined by its shopper, its booking cancelled, or its offer closed. */
  | { type: 'hold_released'; offerId: string; holdId: string; shopperId: string; reason: 'declined' | 'cancelled' | 'offer_closed'; atMs: number }
  | { type: 'hold_expired'; offerId: string; holdId: string; shopperId: string; atMs: number }
  /** A queue hold was confirmed: the rental (same id as the hold) starts; charge `chargedMinor`, hold `depositMinor`. */
  | {
      type: 'rental_started';
      offerId: string;
      rentalId: string;
      shopperId: string;
      unitPriceMinor: number;
      chargedMinor: number;
      depositMinor: number;
      ruleSetVersion: number;
      atMs: number;
    }
  /** The unit came back: release `depositReleasedMinor`. */
  | {
      type: 'rental_ended';
      offerId: string;
      rentalId: string;
      shopperId: string;
      startedAtMs: number;
      durationMs: number;
      depositReleasedMinor: number;
      atMs: number;
    }
  /** No unit was free for the slot: the booking waits on the slot's waitlist (no money moves). */
  | { type: 'booking_waitlisted'; offerId: string; bookingId: string; shopperId: string; startMs: number; endMs: number; ticket: number; waiting: number; atMs: number }
  /** A waiting booking was cancelled by its shopper. */
  | { type: 'waitlist_left'; offerId: string; bookingId: string; shopperId: string; startMs: number; endMs: number; waiting: number; atMs: number }
  /** A slot's waitlist ended: the slot started, or the offer closed; its `dropped` waiting bookings are gone. */
  | { type: 'waitlist_closed'; offerId: string; startMs: number; endMs: number; dropped: number; reason: 'slot_started' | 'offer_closed'; atMs: number }
  /** A slot hold was confirmed: charge `chargedMinor`, hold `depositMinor`. */
  | {
      type: 'booking_confirmed';
      offerId: string;
      bookingId: string;
      shopperId: string;
      unit: number;
      startMs: number;
      endMs: number;
      unitPriceMinor: number;
      chargedMinor: number;
      depositMinor: number;
      ruleSetVersion: number;
      atMs: number;
    }
  /** A confirmed booking was cancelled: refund `refundMinor`, release `depositReleasedMinor`. */
  | { type: 'booking_cancelled'; offerId: string; bookingId: string; shopperId: string; refundMinor: number; depositReleasedMinor: number; atMs: number }
  /** A confirmed booking is over (its end plus the offer's buffer): release `depositReleasedMinor`. */
  | { type: 'booking_completed'; offerId: string; bookingId: string; shopperId: string; depositReleasedMinor: number; atMs: number };
