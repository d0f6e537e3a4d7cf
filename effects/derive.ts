// Events → effect specs. Pure and deterministic: the same seq and events give the same effects with the same
// ids, which is what makes a journal replay after a crash harmless (BullMQ ignores a jobId it still holds, the
// receiver ignores an idempotency key it has seen).
//
// Every id is `<kind>|<namespace>|...|<subject>`. Group-buy ids carry the journal seq (group ids and a shopper's
// seat in a group can recur: derive-groups.ts); auction and reservation ids carry the engine's own id for the
// order, rental or booking instead, because the engine names each of those once forever (derive-auctions.ts,
// derive-reservations.ts). Both stay unique only while (a) the namespace names one journal's seq space and
// engine lifetime and (b) effects are recorded only for durable seqs (see outbox.ts).
import type { EngineEvent } from '../engine/index.ts';
import { NAMESPACE_PATTERN, type EffectSpec } from './effect-spec.ts';
import { deriveAuctionClosed } from './derive-auctions.ts';
import { deriveGroupEvent, deriveOfferClosed } from './derive-groups.ts';
import { deriveReservationEvent } from './derive-reservations.ts';
import { Derivation, type DeriveContext, type OfferInfo } from './derivation.ts';

export { paymentRef, UnknownOfferError, type DeriveContext, type OfferInfo } from './derivation.ts';

export function checkNamespace(namespace: string): void {
  if (!NAMESPACE_PATTERN.test(namespace)) throw new RangeError(`effects namespace must match ${NAMESPACE_PATTERN}, got ${JSON.stringify(namespace)}`);
}

/**
 * The effects of one applied command, in event order. Within one event: per member (winner, rental, booking) the
 * charge or order before its refund, a deposit hold after its charge. Throws `UnknownOfferError` when `offerInfo`
 * does not know an offer that a money event names.
 */
export function deriveEffects(seq: number, events: readonly EngineEvent[], context: DeriveContext): EffectSpec[] {
  const out = new Derivation(seq, context);
  for (const event of events) {
    switch (event.type) {
      case 'group_joined':
      case 'group_left':
      case 'group_completed':
      case 'group_failed':
        deriveGroupEvent(out, event);
        break;
      case 'offer_closed':
        deriveOfferClosed(out, event);
        break;
      case 'auction_closed':
        deriveAuctionClosed(out, event);
        break;
      case 'rental_started':
      case 'rental_ended':
      case 'booking_confirmed':
      case 'booking_cancelled':
      case 'booking_completed':
        deriveReservationEvent(out, event);
        break;
      // No money and nothing a merchant must act on: the offer's lifecycle and prices.
      case 'offer_created':
      case 'offer_edited':
      case 'offer_paused':
      case 'offer_resumed':
      case 'group_opened':
      case 'group_formed':
      case 'rule_set_activated':
      case 'price_changed':
      // No money: a bid is a promise (nothing is charged while bidding), the clock and the end only move.
      case 'bid_placed':
      case 'auction_extended':
      case 'auction_price_dropped':
      // No money: a hold is charged only when confirmed (rental_started, booking_confirmed), and waiting costs nothing.
      case 'queue_changed':
      case 'hold_offered':
      case 'hold_extended':
      case 'hold_released':
      case 'hold_expired':
      case 'booking_waitlisted':
      case 'waitlist_left':
      case 'waitlist_closed':
        break;
      default:
        // A new event type must be looked at here: it may carry money.
        return unknownEvent(event);
    }
  }
  return out.effects;
}

/**
 * Wraps an offer lookup (e.g. `engine.offer`, which builds a whole view) in a bounded cache. An offer's merchant
 * and currency never change (edit_offer cannot touch them), so a cached answer never goes stale; only misses
 * (null) are not cached, since the offer may be created later.
 */
export function cachedOfferInfo(lookup: (offerId: string) => OfferInfo | null, maxEntries = 100_000): (offerId: string) => OfferInfo | null {
  const cache = new Map<string, OfferInfo>();
  return (offerId) => {
    const hit = cache.get(offerId);
    if (hit !== undefined) return hit;
    const info = lookup(offerId);
    if (info === null) return null;
    // Oldest first out: a bound on memory, never on correctness (a miss just asks the lookup again).
    if (cache.size >= maxEntries) cache.delete(cache.keys().next().value!);
    cache.set(offerId, { merchantId: info.merchantId, currency: info.currency });
    return info;
  };
}

function unknownEvent(event: never): never {
  throw new Error(`effects: unhandled event type ${JSON.stringify((event as { type?: unknown }).type)}`);
}
