// What the two modes of the reservation shopper panel share: the context the panel gives each mode's part (its
// form and the shopper's own places), and what to tell a person about each refusal.
import type { Advice, CommandActions } from '../command-action.ts';
import type { ShopperEnv } from './index.ts';
import type { MyPlaces } from './reservation-places.ts';
import type { ReservationSettings } from './reservation-state.ts';

export const RESERVATION_ADVICE: Advice = {
  already_queued: 'You already have a place here: see "Your place" below.',
  queue_full: 'The line is full right now; try again in a while.',
  hold_expired: 'The hold is over; join again to get another unit.',
  extension_unavailable: 'Confirm or release the hold instead.',
  offer_paused: 'The merchant paused new places; holds and rentals you have still work.',
  slot_unavailable: 'No unit is free then: tick "wait" to join the waitlist, or pick another time.',
  invalid_slot: 'Pick a start after now, an end after the start, and a length the offer allows (see the hint).',
  limit_exceeded: 'You have as many bookings here as one shopper may: cancel one first.',
  disconnected: 'Click again once the page says Live: it is applied once.',
};

/** Everything a mode's part needs from the panel around it. */
export interface PartContext {
  env: ShopperEnv;
  offerId: string;
  places: MyPlaces;
  actions: CommandActions;
  currency(): string;
  settings(): ReservationSettings | null;
  /** After a command whose answer carries a place (join, book): keep its position. */
  answered(result: Record<string, unknown>): void;
}

export interface ModePart {
  /** The form to take a place (a queue's join is in `mine`). */
  form: HTMLElement | null;
  /** The shopper's own places, redrawn on every change. */
  renderMine(): HTMLElement[];
}
