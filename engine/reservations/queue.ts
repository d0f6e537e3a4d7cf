// Queue mode: shoppers wait for one of `inventory` interchangeable units. A free unit goes at once to the shopper
// served next (class, aging, then join order: see class-queue.ts) as a hold of `holdMs`; confirmed, it becomes a
// rental under the same id; returned, declined or expired, the unit passes on at once. One place per shopper:
// waiting, holding or renting. Every check runs before any change.
import { touch, type Ctx } from '../kernel/context.ts';
import { factsOf } from '../kernel/events.ts';
import type { ReservationCommandOf as CommandOf } from './commands.ts';
import { availableUnits, hold, release } from '../kernel/inventory.ts';
import { activityChanged } from '../kernel/pricing-bridge.ts';
import { sellableProblem } from '../kernel/sellable.ts';
import { reject, type CommandResult, type Rejection } from '../results.ts';
import { ClassQueue } from './class-queue.ts';
import {
  classWithin,
  confirmationQuote,
  depositFor,
  emit,
  estimatedWaitMs,
  shopperFactsOf,
  holdIdOf,
  isRejection,
  issuedNumber,
  recordServiceTime,
  reservationOffer,
  type ReservationOffer,
} from './common.ts';
import { newWaiter, type ShopperFacts, type Turn, type Waiter } from './state.ts';

function agingOf(offer: ReservationOffer): number | undefined {
  return offer.market.settings.agingMs;
}

function headTicket(offer: ReservationOffer, atMs: number): number | null {
  return offer.market.queue.best(atMs, agingOf(offer))?.ticket ?? null;
}

function queueChanged(ctx: Ctx, offer: ReservationOffer, change: 'joined' | 'left' | 'served', who: Waiter, atMs: number): void {
  const state = offer.market;
  emit(ctx, offer, {
    type: 'queue_changed',
    ...factsOf(offer),
    change,
    shopperId: who.shopperId,
    ticket: who.ticket,
    waiting: state.queue.size,
    served: state.served,
    headTicket: headTicket(offer, atMs),
    atMs,
  });
  // Queue length is a demand input of the offer's rule set.
  activityChanged(ctx, offer, change === 'joined' ? 1 : 0);
}

/** Holds one unit for the shopper (checks done: a unit is free) and starts its hold's clock. */
function offerTurn(ctx: Ctx, offer: ReservationOffer, facts: ShopperFacts, ticket: number, atMs: number): Turn {
  const state = offer.market;
  const number = ++state.issued;
  const turn: Turn = {
    id: holdIdOf(offer.id, number),
    number,
    shopperId: facts.shopperId,
    newcomer: facts.newcomer,
    memberTier: facts.memberTier,
    creditScore: facts.creditScore,
    status: 'held',
    ticket,
    offeredAtMs: atMs,
    expiresAtMs: atMs + offer.market.settings.holdMs,
    extended: false,
    startedAtMs: null,
    chargedMinor: 0,
    depositMinor: 0,
  };
  hold(ctx, offer, facts.shopperId, 1);
  state.turns.set(turn.id, turn);
  state.turnByShopper.set(turn.shopperId, turn);
  ctx.state.deadlines.push({ atMs: turn.expiresAtMs, kind: 'reservation', id: offer.id, order: number, ref: turn.id });
  emit(ctx, offer, { type: 'hold_offered', ...factsOf(offer), holdId: turn.id, shopperId: turn.shopperId, expiresAtMs: turn.expiresAtMs, slot: null, atMs });
  return turn;
}

/** Gives free units to the shoppers served next, at once, while both exist (not once the offer has closed). */
export function serveQueue(ctx: Ctx, offer: ReservationOffer, atMs: number): void {
  const state = offer.market;
  if (offer.status === 'closed') return;
  while (state.queue.size > 0 && availableUnits(offer) > 0) {
    const next = state.queue.best(atMs, agingOf(offer))!;
    state.queue.remove(next);
    state.waitingByShopper.delete(next.shopperId);
    state.served++;
    offerTurn(ctx, offer, next, next.ticket, atMs);
    queueChanged(ctx, offer, 'served', next, atMs);
  }
}

/** The turn's unit is free again: its occupancy is observed, and the next shopper is served. */
function endTurn(ctx: Ctx, offer: ReservationOffer, turn: Turn, atMs: number): void {
  const state = offer.market;
  release(ctx, offer, turn.shopperId, 1);
  state.turns.delete(turn.id);
  state.turnByShopper.delete(turn.shopperId);
  if (turn.status === 'rented') state.rentedTurns--;
  recordServiceTime(state, atMs - turn.offeredAtMs);
  activityChanged(ctx, offer, 0);
  serveQueue(ctx, offer, atMs);
}

export function joinQueue(ctx: Ctx, cmd: CommandOf<'join_queue'>): CommandResult {
  const offer = reservationOffer(ctx, cmd.offerId, 'queue', cmd.type);
  if (isRejection(offer)) return offer;
  const sellable = sellableProblem(offer, ctx.nowMs);
  if (sellable) return sellable;
  const state = offer.market;
  const settings = offer.market.settings;
  const turn = state.turnByShopper.get(cmd.shopperId);
  if (turn) return reject('already_queued', `You already ${turn.status === 'held' ? 'hold' : 'rent'} a unit here (${turn.id}); one place per shopper.`);
  if (state.waitingByShopper.has(cmd.shopperId)) return reject('already_queued', `You are already waiting in the queue of offer "${offer.id}".`);
  // A free unit means nobody waits (free units are always handed out at once): the shopper is served directly.
  const mustWait = state.queue.size > 0 || availableUnits(offer) <= 0;
  if (mustWait && state.queue.size >= settings.waitlistMax) {
    return reject('queue_full', `The queue of offer "${offer.id}" is full (${settings.waitlistMax} waiting); try again later.`);
  }

  const ticket = ++state.tickets;
  if (!mustWait) {
    const served = offerTurn(ctx, offer, shopperFactsOf(cmd), ticket, ctx.nowMs);
    activityChanged(ctx, offer, 1);
    return { ok: true, offerId: offer.id, reservation: { ticket, holdId: served.id, expiresAtMs: served.expiresAtMs } };
  }
  const waiter = newWaiter(shopperFactsOf(cmd), ticket, classWithin(offer, cmd.priorityClass), ctx.nowMs);
  state.queue.push(waiter);
  state.waitingByShopper.set(waiter.shopperId, waiter);
  queueChanged(ctx, offer, 'joined', waiter, ctx.nowMs);
  const position = state.queue.position(waiter, ctx.nowMs, agingOf(offer));
  return { ok: true, offerId: offer.id, reservation: { ticket, position, estimatedWaitMs: estimatedWaitMs(state, position, offer.inventory) } };
}

export function leaveQueue(ctx: Ctx, cmd: CommandOf<'leave_queue'>): CommandResult {
  const offer = reservationOffer(ctx, cmd.offerId, 'queue', cmd.type);
  if (isRejection(offer)) return offer;
  const state = offer.market;
  const waiter = state.waitingByShopper.get(cmd.shopperId);
  if (!waiter) {
    const turn = state.turnByShopper.get(cmd.shopperId);
    const hint = turn ? ` You ${turn.status === 'held' ? 'hold a unit: release_hold declines it' : 'rent a unit: return_unit gives it back'}.` : '';
    return reject('not_queued', `You are not waiting in the queue of offer "${offer.id}".${hint}`);
  }
  state.queue.remove(waiter);
  state.waitingByShopper.delete(waiter.shopperId);
  queueChanged(ctx, offer, 'left', waiter, ctx.nowMs);
  return { ok: true, offerId: offer.id, reservation: { ticket: waiter.ticket } };
}

/** The live turn a hold or rental id names, or why not: unknown, someone else's. Status is the caller's to check. */
export function liveTurn(offer: ReservationOffer, id: string, shopperId: string, unknown: 'unknown_hold' | 'unknown_rental'): Turn | Rejection | null {
  if (issuedNumber(offer, id, 'h') === null) {
    return reject(unknown, `No ${unknown === 'unknown_hold' ? 'hold' : 'rental'} "${id}" in offer "${offer.id}".`);
  }
  const turn = offer.market.turns.get(id);
  if (turn && turn.shopperId !== shopperId) return reject('not_holder', `"${id}" belongs to another shopper.`);
  return turn ?? null;
}

export function confirmTurn(ctx: Ctx, offer: ReservationOffer, turn: Turn): CommandResult {
  const quote = confirmationQuote(ctx, offer, turn);
  const depositMinor = depositFor(offer.market.settings, turn.creditScore);
  turn.status = 'rented';
  turn.startedAtMs = ctx.nowMs;
  turn.chargedMinor = quote.unitPriceMinor;
  turn.depositMinor = depositMinor;
  offer.market.rentedTurns++;
  emit(ctx, offer, {
    type: 'rental_started',
    ...factsOf(offer),
    rentalId: turn.id,
    shopperId: turn.shopperId,
    unitPriceMinor: quote.unitPriceMinor,
    chargedMinor: turn.chargedMinor,
    depositMinor,
    ruleSetVersion: quote.ruleSetVersion,
    atMs: ctx.nowMs,
  });
  return { ok: true, offerId: offer.id, quote, chargedMinor: turn.chargedMinor, reservation: { rentalId: turn.id, depositMinor } };
}

export function extendTurn(ctx: Ctx, offer: ReservationOffer, turn: Turn): CommandResult {
  const extensionMs = offer.market.settings.holdExtensionMs;
  if (extensionMs === undefined) return reject('extension_unavailable', `Holds on offer "${offer.id}" cannot be extended.`);
  if (turn.extended) return reject('extension_unavailable', `Hold "${turn.id}" was extended once already; confirm or release it.`);
  turn.expiresAtMs += extensionMs;
  turn.extended = true;
  // The earlier deadline entry goes stale on its own: it no longer matches the hold's expiry.
  ctx.state.deadlines.push({ atMs: turn.expiresAtMs, kind: 'reservation', id: offer.id, order: turn.number, ref: turn.id });
  emit(ctx, offer, { type: 'hold_extended', ...factsOf(offer), holdId: turn.id, shopperId: turn.shopperId, expiresAtMs: turn.expiresAtMs, atMs: ctx.nowMs });
  return { ok: true, offerId: offer.id, reservation: { holdId: turn.id, expiresAtMs: turn.expiresAtMs } };
}

export function releaseTurn(ctx: Ctx, offer: ReservationOffer, turn: Turn): CommandResult {
  emit(ctx, offer, { type: 'hold_released', ...factsOf(offer), holdId: turn.id, shopperId: turn.shopperId, reason: 'declined', atMs: ctx.nowMs });
  endTurn(ctx, offer, turn, ctx.nowMs);
  return { ok: true, offerId: offer.id, reservation: { holdId: turn.id } };
}

/** A hold's deadline came unconfirmed: it lapses and the unit passes on, at the deadline's own time. */
export function expireTurn(ctx: Ctx, offer: ReservationOffer, turn: Turn, atMs: number): void {
  emit(ctx, offer, { type: 'hold_expired', ...factsOf(offer), holdId: turn.id, shopperId: turn.shopperId, atMs });
  endTurn(ctx, offer, turn, atMs);
}

export function returnUnit(ctx: Ctx, cmd: CommandOf<'return_unit'>): CommandResult {
  // Returns are taken whatever the offer's state: a rental outlives a pause or a close.
  const offer = reservationOffer(ctx, cmd.offerId, 'queue', cmd.type);
  if (isRejection(offer)) return offer;
  const turn = liveTurn(offer, cmd.rentalId, cmd.shopperId, 'unknown_rental');
  if (turn !== null && isRejection(turn)) return turn;
  if (turn === null || turn.status !== 'rented') {
    const why = turn === null ? 'it has ended or was never confirmed' : 'it is still a hold: confirm_hold starts the rental';
    return reject('unknown_rental', `"${cmd.rentalId}" is not a running rental: ${why}.`);
  }
  const startedAtMs = turn.startedAtMs!;
  emit(ctx, offer, {
    type: 'rental_ended',
    ...factsOf(offer),
    rentalId: turn.id,
    shopperId: turn.shopperId,
    startedAtMs,
    durationMs: ctx.nowMs - startedAtMs,
    depositReleasedMinor: turn.depositMinor,
    atMs: ctx.nowMs,
  });
  endTurn(ctx, offer, turn, ctx.nowMs);
  return { ok: true, offerId: offer.id, reservation: { rentalId: turn.id, depositReleasedMinor: turn.depositMinor } };
}

/** The offer closes: waiting shoppers leave, holds are released; rentals run on until returned. */
export function closeQueue(ctx: Ctx, offer: ReservationOffer, atMs: number): void {
  const state = offer.market;
  if (state.queue.size > 0) {
    // The line's order, so the event can tell each shopper it dropped (and nobody else learns who waited).
    const droppedShopperIds = state.queue.lanesOfEntries().flat().sort((a, b) => a.ticket - b.ticket).map((waiter) => waiter.shopperId);
    state.queue = new ClassQueue(state.classes);
    state.waitingByShopper.clear();
    emit(ctx, offer, { type: 'queue_changed', ...factsOf(offer), change: 'closed', shopperId: null, ticket: null, waiting: 0, served: state.served, headTicket: null, droppedShopperIds, atMs });
    for (const shopperId of droppedShopperIds) touch(ctx, offer, shopperId);
  }
  for (const turn of [...state.turns.values()]) {
    if (turn.status !== 'held') continue;
    emit(ctx, offer, { type: 'hold_released', ...factsOf(offer), holdId: turn.id, shopperId: turn.shopperId, reason: 'offer_closed', atMs });
    release(ctx, offer, turn.shopperId, 1);
    state.turns.delete(turn.id);
    state.turnByShopper.delete(turn.shopperId);
  }
}
