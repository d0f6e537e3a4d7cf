// Merchant commands every offer shares, whatever its mechanism: edits (each mechanism drafts the patches that matter
// to it: inventory below what is promised, ends before live deadlines or bids, tier tables where they do not
// apply…), pause, resume and close. Mostly the offer's owner, sometimes another merchant.
import type { Draft, GenContext, MechanismGenerator } from './generator.ts';

/** An offer for a merchant command, who sends it, and its mechanism: mostly a known offer by its owner. */
export function merchantTarget(ctx: GenContext): { offerId: string; merchantId: string; mechanism: string | null } {
  const { rng, ids, knowledge } = ctx;
  const known = knowledge.allOffers().filter((offer) => !offer.closed);
  if (known.length === 0 || rng.chance(0.1)) return { offerId: ids.offers.pick(rng), merchantId: ids.merchants.pick(rng), mechanism: null };
  const offer = rng.pick(known);
  return { offerId: offer.offerId, merchantId: rng.chance(0.9) ? offer.merchantId : ids.merchants.pick(rng), mechanism: offer.mechanism };
}

export function merchantCommand(ctx: GenContext, generators: readonly MechanismGenerator[]): Draft {
  const { offerId, merchantId, mechanism } = merchantTarget(ctx);
  const kind = ctx.rng.weighted([
    ['edit_offer', 4],
    ['pause_offer', 2],
    ['resume_offer', 3],
    ['close_offer', 1],
  ] as const);
  if (kind !== 'edit_offer') return { type: kind, merchantId, offerId };
  const generator = generators.find((g) => g.mechanism === mechanism) ?? ctx.rng.pick(generators);
  return { type: 'edit_offer', merchantId, offerId, patch: generator.editPatch(ctx, offerId) };
}
