// Rejection codes only reservations answer with (results.ts lists them beside the core codes). No imports:
// results.ts reads this at load time.
export const RESERVATION_REJECTION_CODES = [
  /** The shopper is already waiting, holding or renting here (in queue mode one place per shopper). */
  'already_queued',
  'not_queued',
  /** The queue or the slot's waitlist is at its bound. */
  'queue_full',
  'unknown_hold',
  /** The hold has expired, been released or confirmed already. */
  'hold_expired',
  /** The hold was extended once already, or the resource allows no extension. */
  'extension_unavailable',
  'unknown_rental',
  'unknown_booking',
  /** No unit is free for the slot and the shopper did not ask to wait. */
  'slot_unavailable',
  /** The slot is malformed for this resource (in the past, too short, too long, end before start). */
  'invalid_slot',
] as const;
