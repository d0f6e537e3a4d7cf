// The reservation mechanism's surface to the rest of the engine. The core calls these hooks; everything else about
// reservations stays inside this folder.
import type { CommandOf, OfferPatch } from '../commands.ts';
import type { Ctx } from '../context.ts';
import type { Deadline, DeadlineQueue } from '../deadlines.ts';
import { reject, type CommandResult, type Rejection } from '../results.ts';
import type { EngineState, Offer } from '../state.ts';
import type { ReservationData, ReservationState } from './state.ts';

export type { ReservationEvent } from './events.ts';
export type { ReservationState, ReservationData } from './state.ts';
export type ReservationCommand = CommandOf<'join_queue' | 'leave_queue' | 'confirm_hold' | 'extend_hold' | 'release_hold' | 'return_unit' | 'book_slot' | 'cancel_booking'>;
export type ReservationView = Record<string, never>;
/** What an accepted reservation command returns besides `ok` and `offerId`. */
export type ReservationAck = Record<string, never>;

/** Why these create_offer settings cannot make a reservation, naming the field; null when they can. */
export function reservationSettingsProblem(_cmd: CommandOf<'create_offer'>, _nowMs: number): string | null {
  return 'not implemented yet';
}

/** The state of a new reservation offer; called once the offer exists, so it may push deadlines and emit events. */
export function startReservation(_ctx: Ctx, _offer: Offer): ReservationState {
  return { placeholder: true };
}

export function applyReservationCommand(_ctx: Ctx, cmd: ReservationCommand): CommandResult {
  return reject('wrong_mechanism', `${cmd.type} is not implemented yet.`);
}

/** Whether a queued deadline of kind 'reservation' for this offer still means something. */
export function isReservationDeadlineLive(_offer: Offer, _entry: Deadline): boolean {
  return false;
}

/** Settles a live deadline of kind 'reservation' at its own time `entry.atMs`. */
export function settleReservationDeadline(_ctx: Ctx, _offer: Offer, _entry: Deadline): void {}

/** The offer is closing (its merchant closed it or it ended) at `atMs`: settle everything still open. */
export function closeReservationWithOffer(_ctx: Ctx, _offer: Offer, _reason: 'merchant' | 'ended', _atMs: number): void {}

/** Why this edit would break a promise the reservation made (or does not apply to it), or null. */
export function reservationPatchProblem(_offer: Offer, _patch: OfferPatch): Rejection | null {
  return null;
}

/** Units of the offer this reservation holds (part of `offer.heldUnits`). */
export function reservationHeldUnits(_offer: Offer): number {
  return 0;
}

/** The reservation's own invariants, each broken one reported through `fail`. */
export function reservationViolations(_state: EngineState, _offer: Offer, _fail: (message: string) => void): void {}

/** Re-queues the reservation's live deadlines after a restore (deadlines are derived data). */
export function pushReservationDeadlines(_offer: Offer, _deadlines: DeadlineQueue): void {}

export function reservationView(_offer: Offer, _shopperId?: string): ReservationView {
  return {};
}

export function reservationToData(state: ReservationState): ReservationData {
  return structuredClone(state);
}

export function reservationFromData(data: ReservationData): ReservationState {
  return structuredClone(data);
}

/** Shoppers waiting (a demand input of the offer's rule set); call `pricingInputsChanged` whenever it moves. */
export function reservationQueueLength(_offer: Offer): number {
  return 0;
}
