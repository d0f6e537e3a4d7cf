// Reservation (预约 / 排队) commands: queue offers with a few units and slots offers with a few bookable units, short
// holds (so they expire within a run), extensions, deposits waived by credit score or not, priority classes with
// and without aging, small waitlists (so they fill), buffers and slot bounds. Shoppers join and leave queues, book
// and cancel slots, and confirm, extend, release and return what they hold — mostly their own, sometimes someone
// else's (`not_holder`), one that ended (`hold_expired`, `unknown_rental`) or one never issued (`unknown_hold`).
// Most offers cost exactly REFERENCE_PRICE_MINOR, the one price the reservation reference model charges, so that
// it can follow them (offer-references.ts).
import type { OfferPatch } from '../../../engine/index.ts';
import type { Place } from '../reservation-knowledge.ts';
import { offerIdFor, type Draft, type GenContext, type MechanismGenerator } from './generator.ts';
import { randomPrice, randomTiers } from './group-buy.ts';

/** The unit price test/engine/reservation-reference.ts charges for every rental and booking. */
export const REFERENCE_PRICE_MINOR = 1_000;

type Renter = { newcomer: boolean; priorityClass: number; creditScore?: number };

function renter(ctx: GenContext): Renter {
  const { rng } = ctx;
  const credit = rng.weighted([
    [undefined, 2],
    [300, 1],
    [700, 1],
  ]);
  return { newcomer: rng.chance(0.5), priorityClass: rng.weighted([[0, 3], [rng.int(1, 3), 2], [7, 1]]), ...(credit === undefined ? {} : { creditScore: credit }) };
}

/**
 * Who acts on a live place and with which id: mostly its own shopper on its own offer; sometimes a stranger, an id
 * that ended, an id never issued (a number far past the offer's) or the other mode's letter.
 */
function target(ctx: GenContext, live: readonly Place[], letter: 'h' | 'b'): { offerId: string; shopperId: string; id: string } {
  const { rng, ids, knowledge } = ctx;
  const roll = rng.float();
  if (live.length > 0 && roll < 0.78) {
    const place = rng.pick(live);
    return { offerId: place.offerId, shopperId: rng.chance(0.88) ? place.shopperId : ids.shoppers.pick(rng), id: place.id };
  }
  const ended = knowledge.reservations.ended;
  if (ended.length > 0 && roll < 0.9) {
    const place = rng.pick(ended);
    return { offerId: place.offerId, shopperId: place.shopperId, id: place.id };
  }
  const offerId = offerIdFor(ctx, 'reservation');
  return { offerId, shopperId: ids.shoppers.pick(rng), id: `${offerId}~${rng.chance(0.8) ? letter : letter === 'h' ? 'b' : 'h'}${rng.int(1, 60)}` };
}

export const reservationGenerator: MechanismGenerator = {
  mechanism: 'reservation',
  reference: 'per_offer',

  createOffer(ctx: GenContext, offerId: string, merchantId: string): Draft {
    const { rng, nowMs } = ctx;
    const mode = rng.chance(0.5) ? 'queue' : 'slots';
    const broken = rng.weighted([
      ['none', 30],
      ['slot_settings_on_queue', 1],
      ['slot_max_below_min', 1],
    ] as const);
    const slots = mode === 'slots' || broken === 'slot_settings_on_queue';
    const slotMinMs = slots && rng.chance(0.4) ? 100 : undefined;
    const slotMaxMs = broken === 'slot_max_below_min' ? 50 : slots && rng.chance(0.4) ? 600 : undefined;
    return {
      type: 'create_offer',
      merchantId,
      offerId,
      currency: 'CNY',
      title: `${mode} ${offerId}`,
      inventory: mode === 'queue' ? rng.weighted([[rng.int(0, 3), 4], [rng.int(4, 8), 1]]) : rng.int(1, 3),
      basePriceMinor: rng.chance(0.85) ? REFERENCE_PRICE_MINOR : randomPrice(rng),
      ...(mode === 'slots' && rng.chance(0.3) ? { perShopperLimit: rng.int(1, 3) } : {}),
      ...(rng.chance(0.08) ? { startMs: nowMs + rng.int(0, 200) } : {}),
      ...(rng.chance(0.3) ? { endMs: nowMs + rng.int(300, 5_000) } : {}),
      mechanism: {
        type: 'reservation',
        mode,
        holdMs: rng.int(20, 400),
        ...(rng.chance(0.5) ? { holdExtensionMs: rng.int(10, 300) } : {}),
        depositMinor: rng.pick([0, 250, 999]),
        ...(rng.chance(0.5) ? { depositWaiverCreditScore: 600 } : {}),
        priorityClasses: rng.int(1, 3),
        ...(rng.chance(0.5) ? { agingMs: rng.int(30, 400) } : {}),
        waitlistMax: rng.weighted([[rng.int(1, 4), 4], [10_000, 1]]),
        slotBufferMs: slots ? rng.pick([0, 0, 50]) : 0,
        ...(slotMinMs === undefined ? {} : { slotMinMs }),
        ...(slotMaxMs === undefined ? {} : { slotMaxMs }),
      },
    };
  },

  shopperCommand(ctx: GenContext): Draft {
    const { rng, ids, knowledge } = ctx;
    const known = knowledge.reservations;
    const shopperId = ids.shoppers.pick(rng);
    const command = rng.weighted([
      ['join_queue', 9],
      ['leave_queue', 3],
      ['confirm_hold', 9],
      ['extend_hold', 3],
      ['release_hold', 3],
      ['return_unit', 5],
      ['book_slot', 9],
      ['cancel_booking', 4],
    ] as const);
    switch (command) {
      case 'join_queue':
        return { type: 'join_queue', shopperId, offerId: offerIdFor(ctx, 'reservation', (id) => rng.chance(0.05) || known.modeOf(id) === 'queue'), ...renter(ctx) };
      case 'leave_queue': {
        const waiters = [...known.waiters.values()];
        if (waiters.length > 0 && rng.chance(0.7)) {
          const place = rng.pick(waiters);
          return { type: 'leave_queue', shopperId: place.shopperId, offerId: place.offerId };
        }
        return { type: 'leave_queue', shopperId, offerId: offerIdFor(ctx, 'reservation') };
      }
      case 'confirm_hold':
      case 'extend_hold':
      case 'release_hold': {
        const { offerId, shopperId: who, id } = target(ctx, [...known.holds.values()], rng.chance(0.5) ? 'h' : 'b');
        return { type: command, shopperId: who, offerId, holdId: id };
      }
      case 'return_unit': {
        const { offerId, shopperId: who, id } = target(ctx, [...known.rentals.values()], 'h');
        return { type: 'return_unit', shopperId: who, offerId, rentalId: id };
      }
      case 'book_slot': {
        const offerId = offerIdFor(ctx, 'reservation', (id) => rng.chance(0.05) || known.modeOf(id) === 'slots');
        const startMs = ctx.nowMs + rng.weighted([[rng.int(0, 8) * 100, 3], [rng.int(-20, 900), 1]]);
        const lengthMs = rng.weighted([[rng.int(1, 4) * 150, 3], [rng.int(1, 700), 1]]);
        return { type: 'book_slot', shopperId, offerId, ...renter(ctx), startMs: Math.max(0, startMs), endMs: Math.max(0, startMs) + lengthMs, waitlist: rng.chance(0.8) };
      }
      case 'cancel_booking': {
        const { offerId, shopperId: who, id } = target(ctx, [...known.bookings.values()], 'b');
        return { type: 'cancel_booking', shopperId: who, offerId, bookingId: id };
      }
    }
  },

  editPatch(ctx: GenContext): OfferPatch {
    const { rng, nowMs } = ctx;
    switch (rng.weighted([
      ['inventory', 8],
      ['title', 1],
      ['end', 1],
      ['price', 1],
      ['limit', 1],
      ['tiers', 1],
    ] as const)) {
      case 'inventory':
        return { inventory: rng.int(0, 5) };
      case 'title':
        return { title: 'renamed' };
      case 'end':
        return { endMs: rng.chance(0.3) ? null : nowMs + rng.int(1, 3_000) };
      case 'price':
        return { basePriceMinor: randomPrice(rng) };
      case 'limit':
        return { perShopperLimit: rng.chance(0.3) ? null : rng.int(1, 3) };
      case 'tiers':
        return { tiers: randomTiers(rng, REFERENCE_PRICE_MINOR) };
    }
  },
};
