// confirm_hold, extend_hold and release_hold, for both modes: a queue hold (`<offerId>~h<n>`, a turn) or a slot
// hold (`<offerId>~b<n>`, a held booking). A hold belongs to its shopper: anyone else gets `not_holder`. Checks,
// in order: offer (`unknown_offer`, `wrong_mechanism`) → id (`unknown_hold`) → owner (`not_holder`) → still a hold
// (`hold_expired`) → the command's own rule. A paused offer still takes them: a hold made is a promise kept.
import type { Ctx } from '../kernel/context.ts';
import { reject, type CommandResult, type Rejection } from '../results.ts';
import type { ReservationCommandOf as CommandOf } from './commands.ts';
import { isRejection, reservationOffer, type ReservationOffer } from './common.ts';
import { confirmTurn, extendTurn, liveTurn, releaseTurn } from './queue.ts';
import { confirmBooking, extendBooking, liveBooking, releaseBooking } from './slots.ts';
import type { Booking, Turn } from './state.ts';

type HoldCommand = CommandOf<'confirm_hold' | 'extend_hold' | 'release_hold'>;
type LiveHold = { kind: 'turn'; turn: Turn } | { kind: 'booking'; booking: Booking };

function ended(holdId: string, why: string): Rejection {
  return reject('hold_expired', `Hold "${holdId}" is no longer held: ${why}.`);
}

/** The live hold the command names, or why it cannot act on it. */
function liveHold(offer: ReservationOffer, cmd: HoldCommand): LiveHold | Rejection {
  if (offer.market.settings.mode === 'queue') {
    const turn = liveTurn(offer, cmd.holdId, cmd.shopperId, 'unknown_hold');
    if (turn === null) return ended(cmd.holdId, 'it expired, was released, or its rental is over');
    if (isRejection(turn)) return turn;
    if (turn.status !== 'held') return ended(cmd.holdId, `it was confirmed and is your rental "${turn.id}" now`);
    return { kind: 'turn', turn };
  }
  // A slot hold is named by its booking id; anything else is not a hold of this offer.
  const booking = liveBooking(offer, cmd.holdId, cmd.shopperId);
  if (booking === null) return ended(cmd.holdId, 'it expired, was released or cancelled, or its booking is over');
  if (isRejection(booking)) return booking.code === 'unknown_booking' ? reject('unknown_hold', `No hold "${cmd.holdId}" in offer "${offer.id}".`) : booking;
  if (booking.status === 'waiting') return reject('unknown_hold', `Booking "${booking.id}" is still on the waitlist: it has no hold yet.`);
  if (booking.status === 'confirmed') return ended(cmd.holdId, 'the booking was confirmed already');
  return { kind: 'booking', booking };
}

export function applyHoldCommand(ctx: Ctx, cmd: HoldCommand): CommandResult {
  const offer = reservationOffer(ctx, cmd.offerId, null, cmd.type);
  if (isRejection(offer)) return offer;
  const held = liveHold(offer, cmd);
  if (isRejection(held)) return held;
  switch (cmd.type) {
    case 'confirm_hold':
      return held.kind === 'turn' ? confirmTurn(ctx, offer, held.turn) : confirmBooking(ctx, offer, held.booking);
    case 'extend_hold':
      return held.kind === 'turn' ? extendTurn(ctx, offer, held.turn) : extendBooking(ctx, offer, held.booking);
    case 'release_hold':
      return held.kind === 'turn' ? releaseTurn(ctx, offer, held.turn) : releaseBooking(ctx, offer, held.booking, 'declined');
  }
}
