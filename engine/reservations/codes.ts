// Rejection codes only reservations answer with (results.ts lists them beside the core codes). No imports:
// results.ts reads this at load time.
export const RESERVATION_REJECTION_CODES = [
  /** The shopper already has a place here: waiting, holding or renting (queue mode), or waiting for that very slot. */
  'already_queued',
  /** The shopper is not waiting in this queue (it may hold or rent a unit instead: release or return it). */
  'not_queued',
  /** The queue, the slot's waitlist, or the offer's list of waitlisted slots is at its bound. */
  'queue_full',
  /** No hold with this id was ever made in this offer. */
  'unknown_hold',
  /** The hold has expired, been released or confirmed already. */
  'hold_expired',
  /** The hold was extended once already, or the resource allows no extension. */
  'extension_unavailable',
  /** No rental with this id is running in this offer (never started, or already returned). */
  'unknown_rental',
  /** No live booking with this id in this offer (never made, or already ended: cancelled, expired or completed). */
  'unknown_booking',
  /** No unit is free for the slot and the shopper did not ask to wait (or the slot starts now, too soon to wait for). */
  'slot_unavailable',
  /** The slot is malformed for this resource (in the past, too short, too long, end before start). */
  'invalid_slot',
  /** The hold, rental or booking belongs to another shopper: only its own shopper may act on it. */
  'not_holder',
  /** Every unit free at that time already carries its maximum of live bookings. */
  'too_many_bookings',
] as const;
