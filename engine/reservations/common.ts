// What queue and slots modes share: finding the offer a command is for, the ids of holds and bookings, the price
// and deposit of a confirmation, and the service-time estimate.
import type { PricingShape } from '../mechanism.ts';
import { touch, type Ctx } from '../kernel/context.ts';
import { singleUnitQuote } from '../kernel/pricing-bridge.ts';
import { offerSoldBy } from '../kernel/sellable.ts';
import { isRejection, reject, type Quote, type Rejection } from '../results.ts';
import type { ReservationSettings } from './commands.ts';
import type { ReservationEvent } from './events.ts';
import { RESERVATION_LIMITS } from './limits.ts';
import type { ReservationMarket, ReservationOffer, ShopperFacts } from './state.ts';

export type { ReservationOffer };
export { isRejection };

/**
 * Reservations price one rental or booking for one shopper: the rule set at size 1, with the shoppers waiting (the
 * queue, or bookings on slot waitlists) as the `queue_length` demand input.
 */
export const RESERVATION_PRICING: PricingShape<ReservationOffer> = {
  headline: () => ({ size: 1, minSize: 1, groupDeadlineMs: null }),
  queueLength: (offer) => (offer.market.settings.mode === 'slots' ? offer.market.waitingBookings : offer.market.queue.size),
  derived: () => ({ tiers: [], leaderDiscountBps: 0 }),
};

/** The offer a reservation command names, in the mode the command needs (null: either), or why not. */
export function reservationOffer(ctx: Ctx, offerId: string, mode: ReservationSettings['mode'] | null, commandType: string): ReservationOffer | Rejection {
  const offer = offerSoldBy(ctx, offerId, 'reservation');
  if (isRejection(offer)) return offer;
  if (mode !== null && offer.market.settings.mode !== mode) {
    const hint = mode === 'queue' ? 'book a slot with book_slot' : 'join its queue with join_queue';
    return reject('wrong_mechanism', `Offer "${offerId}" takes ${offer.market.settings.mode === 'queue' ? 'a queue' : 'slot bookings'}, not ${commandType}; ${hint}.`);
  }
  return offer;
}

/** Hold (queue turn) ids are `<offerId>~h<n>`, booking ids `<offerId>~b<n>`: `~` never appears in a caller's id. */
export function holdIdOf(offerId: string, number: number): string {
  return `${offerId}~h${number}`;
}

export function bookingIdOf(offerId: string, number: number): string {
  return `${offerId}~b${number}`;
}

/**
 * The number in an id this offer issued with `letter` (`h` or `b`), or null when it never did. Every number up to
 * `issued` was given out, so an id that parses but is not live any more has ended (not merely never existed).
 */
export function issuedNumber(offer: ReservationOffer, id: string, letter: 'h' | 'b'): number | null {
  // Parsed by hand: this runs on every hold, rental and booking command, where a regex and two substrings would show.
  const at = offer.id.length + 2;
  if (id.length <= at || id.length > at + 15 || !id.startsWith(offer.id) || id.charCodeAt(at - 2) !== 126 /* ~ */ || id[at - 1] !== letter) return null;
  let number = 0;
  for (let i = at; i < id.length; i++) {
    const digit = id.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9 || (digit === 0 && i === at)) return null;
    number = number * 10 + digit;
  }
  return number <= offer.market.issued ? number : null;
}

/** A class the offer does not have (the gateway vouches for a shopper's tier across all offers) counts as its lowest. */
export function classWithin(offer: ReservationOffer, priorityClass: number): number {
  return Math.min(priorityClass, offer.market.settings.priorityClasses - 1);
}

export function shopperFactsOf(cmd: { shopperId: string; newcomer: boolean; memberTier?: string | undefined; creditScore?: number | undefined }): ShopperFacts {
  return { shopperId: cmd.shopperId, newcomer: cmd.newcomer, memberTier: cmd.memberTier ?? null, creditScore: cmd.creditScore ?? null };
}

/** The price of one rental or booking now: the rule set at size 1, for this shopper (queue length and utilization as they stand). */
export function confirmationQuote(ctx: Ctx, offer: ReservationOffer, facts: ShopperFacts): Quote {
  return singleUnitQuote(offer, RESERVATION_PRICING, ctx.nowMs, { newcomer: facts.newcomer, isLeader: false, memberTier: facts.memberTier }, false);
}

/** The deposit a confirmation holds: the resource's, unless the shopper's vouched credit score waives it. */
export function depositFor(settings: ReservationSettings, creditScore: number | null): number {
  const waiver = settings.depositWaiverCreditScore;
  if (waiver !== undefined && creditScore !== null && creditScore >= waiver) return 0;
  return settings.depositMinor;
}

/** Adds one observed occupancy (hold + rental) to the integer moving average, weight 1/8, rounded to nearest. */
export function recordServiceTime(state: ReservationMarket, durationMs: number): void {
  const sample = Math.min(Math.max(0, durationMs), RESERVATION_LIMITS.serviceSampleMaxMs);
  const weight = 2 ** RESERVATION_LIMITS.serviceAverageShift;
  state.meanServiceMs = state.meanServiceMs === null ? sample : Math.floor((state.meanServiceMs * (weight - 1) + sample + weight / 2) / weight);
  state.serviceSamples++;
}

/**
 * The estimated wait of a shopper with `ahead` shoppers before it: units free up on average `capacity` per mean
 * occupancy, and it needs `ahead + 1` of them. Null (unknown) before any occupancy was observed, or without units.
 */
export function estimatedWaitMs(state: ReservationMarket, ahead: number, capacity: number): number | null {
  if (state.meanServiceMs === null || capacity <= 0) return null;
  return Math.floor(((ahead + 1) * state.meanServiceMs) / capacity);
}

/** Emits a reservation event; its shopper's place, hold, rental or booking changed, so its portfolio is brought up to date. */
export function emit(ctx: Ctx, offer: ReservationOffer, event: ReservationEvent): void {
  ctx.events.push(event);
  if ('shopperId' in event && event.shopperId !== null) touch(ctx, offer, event.shopperId);
}
