// Finding the offer a command names, and whether it may be sold now: the checks every mechanism's commands start
// with, in one place so their order and wording are the same everywhere.
import type { OfferOf } from '../mechanism.ts';
import type { Market } from '../registry.ts';
import { reject, type Rejection } from '../results.ts';
import type { Ctx } from './context.ts';
import type { EngineState, Offer } from './state.ts';

/** The refusal for an offer id the engine does not hold: never listed, or closed long enough ago to have retired. */
export function missingOffer(state: EngineState, offerId: string): Rejection {
  const retired = state.retiredOffers.get(offerId);
  if (retired) return reject('offer_retired', `Offer "${offerId}" closed at ${retired.closedAtMs} and was retired; it takes nothing more.`);
  return reject('unknown_offer', `No offer "${offerId}".`);
}

/** The offer, or why a command cannot reach it. */
export function findOffer(ctx: Ctx, offerId: string): Offer | Rejection {
  return ctx.state.offers.get(offerId) ?? missingOffer(ctx.state, offerId);
}

/** The offer, or the rejection a merchant gets when it is missing or belongs to someone else. */
export function ownedOffer(ctx: Ctx, merchantId: string, offerId: string): Offer | Rejection {
  const offer = findOffer(ctx, offerId);
  if ('ok' in offer) return offer;
  if (offer.merchantId !== merchantId) return reject('not_owner', `Offer "${offerId}" belongs to another merchant.`);
  return offer;
}

/** The offer of a command for the mechanism `type`, or why not (missing, or sold by another mechanism). */
export function offerSoldBy<T extends Market['type']>(ctx: Ctx, offerId: string, type: T): OfferOf<Extract<Market, { type: T }>> | Rejection {
  const offer = findOffer(ctx, offerId);
  if ('ok' in offer) return offer;
  if (offer.market.type !== type) return wrongMechanism(offer, type);
  return offer as OfferOf<Extract<Market, { type: T }>>;
}

/** A command of mechanism `wanted` sent to an offer sold another way. */
export function wrongMechanism(offer: Offer, wanted: string): Rejection {
  const actual = offer.market.type;
  return reject('wrong_mechanism', `Offer "${offer.id}" is sold by ${actual}, not by ${wanted}; use its ${actual} commands.`);
}

/** Whether shoppers may take units of this offer now; the rejection says why not. */
export function sellableProblem(offer: Offer, nowMs: number): Rejection | null {
  if (offer.closedReason === 'ended') return reject('offer_ended', `Offer "${offer.id}" has ended.`);
  if (offer.status === 'closed') return reject('offer_closed', `Offer "${offer.id}" is closed by its merchant.`);
  if (offer.startMs !== null && nowMs < offer.startMs) {
    return reject('offer_not_started', `Offer "${offer.id}" starts at ${offer.startMs} (ms since the epoch); try again then.`);
  }
  if (offer.status === 'paused') return reject('offer_paused', `Offer "${offer.id}" is paused by its merchant.`);
  return null;
}
