// Merchant commands every offer shares, whatever its mechanism: edits (inventory below what is promised, ends
// before live deadlines, tier tables), pause, resume and close. Mostly the offer's owner, sometimes another merchant.
import type { OfferPatch } from '../../../engine/index.ts';
import type { Draft, GenContext } from './generator.ts';
import { randomBps, randomPrice, randomTiers } from './group-buy.ts';

/** An offer for a merchant command and who sends it: mostly a known offer by its owner. */
export function merchantTarget(ctx: GenContext): { offerId: string; merchantId: string } {
  const { rng, ids, knowledge } = ctx;
  const known = knowledge.allOffers().filter((offer) => !offer.closed);
  if (known.length === 0 || rng.chance(0.1)) return { offerId: ids.offers.pick(rng), merchantId: ids.merchants.pick(rng) };
  const offer = rng.pick(known);
  return { offerId: offer.offerId, merchantId: rng.chance(0.9) ? offer.merchantId : ids.merchants.pick(rng) };
}

function randomPatch(ctx: GenContext): OfferPatch {
  const { rng, nowMs } = ctx;
  const patch: OfferPatch = {};
  if (rng.chance(0.2)) patch.title = 'renamed';
  if (rng.chance(0.4)) patch.inventory = rng.int(0, 8);
  if (rng.chance(0.25)) patch.basePriceMinor = randomPrice(rng);
  if (rng.chance(0.2)) patch.perShopperLimit = rng.chance(0.3) ? null : rng.int(1, 4);
  if (rng.chance(0.2)) patch.endMs = rng.chance(0.3) ? null : Math.max(0, nowMs + rng.int(-20, 1_500));
  if (rng.chance(0.2)) patch.tiers = randomTiers(rng, patch.basePriceMinor ?? randomPrice(rng));
  if (rng.chance(0.15)) patch.leaderDiscountBps = randomBps(rng);
  return patch;
}

export function merchantCommand(ctx: GenContext): Draft {
  const { offerId, merchantId } = merchantTarget(ctx);
  const kind = ctx.rng.weighted([
    ['edit_offer', 4],
    ['pause_offer', 2],
    ['resume_offer', 3],
    ['close_offer', 1],
  ] as const);
  if (kind === 'edit_offer') return { type: 'edit_offer', merchantId, offerId, patch: randomPatch(ctx) };
  return { type: kind, merchantId, offerId };
}
