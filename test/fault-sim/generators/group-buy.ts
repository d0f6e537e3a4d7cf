// Group-buy (拼团) commands: offers with small inventories and tight group settings, so that groups form, fill,
// fail, auto-fill and run out of stock within a short run; shoppers who open, join, match, leave and ask for
// quotes, mostly on groups they know are live and sometimes on stray or settled ones.
import type { OfferPatch, PriceTier } from '../../../engine/index.ts';
import type { Prng } from '../prng.ts';
import { offerIdFor, type Draft, type GenContext, type MechanismGenerator } from './generator.ts';

const PRICES = [0, 1, 99, 500, 999, 1_000, 12_345] as const;

/**
 * A tier table under a base price: sizes strictly increasing and prices falling. About one in fifteen is broken on
 * purpose (above the base, sizes not increasing, a price rising) so that `invalid_settings` is reached too.
 */
export function randomTiers(rng: Prng, basePriceMinor: number): PriceTier[] {
  const tiers: PriceTier[] = [];
  let size = rng.int(1, 3);
  let priceMinor = basePriceMinor;
  for (let i = rng.int(0, 3); i > 0; i--) {
    priceMinor -= Math.floor((priceMinor * rng.int(0, 40)) / 100);
    tiers.push({ minSize: size, priceMinor });
    size += rng.int(1, 2);
  }
  if (rng.chance(1 / 15) && tiers.length >= 2) {
    const broken = rng.int(0, 2);
    if (broken === 0) tiers[tiers.length - 1]!.priceMinor = basePriceMinor + 1;
    else if (broken === 1) tiers[1]!.minSize = tiers[0]!.minSize;
    else tiers[1]!.priceMinor = tiers[0]!.priceMinor + 1;
  }
  return tiers;
}

export function randomBps(rng: Prng): number {
  return rng.weighted([
    [0, 3],
    [rng.pick([1, 3_333, 5_000, 9_999, 10_000]), 1],
    [rng.int(0, 10_000), 1],
  ]);
}

export function randomPrice(rng: Prng): number {
  return rng.pick(PRICES);
}

function qty(rng: Prng): number {
  return rng.chance(0.75) ? 1 : rng.int(2, 3);
}

/** A caller-chosen group id (hot ones collide), or none so the engine makes one. */
function callerGroupId(ctx: GenContext): { groupId?: string } {
  return ctx.rng.chance(0.4) ? {} : { groupId: ctx.ids.groups.pick(ctx.rng) };
}

/**
 * A group to act on: mostly one known to be live (usually before its deadline), sometimes one that just settled, a
 * pooled id or a made-up one in the engine's own id form.
 */
function targetGroup(ctx: GenContext): { groupId: string; members: string[] } {
  const { rng, knowledge } = ctx;
  const known = knowledge.liveGroups();
  const inTime = known.filter((group) => group.deadlineMs > ctx.nowMs);
  const live = inTime.length > 0 && rng.chance(0.85) ? inTime : known;
  const roll = rng.float();
  if (live.length > 0 && roll < 0.8) {
    const group = rng.pick(live);
    return { groupId: group.groupId, members: group.members };
  }
  const settled = knowledge.recentlySettledGroups();
  if (settled.length > 0 && roll < 0.9) return { groupId: rng.pick(settled), members: [] };
  return { groupId: rng.chance(0.5) ? ctx.ids.groups.pick(rng) : `${ctx.ids.offers.pick(rng)}~g${rng.int(1, 40).toString(36)}`, members: [] };
}

/** An edit of a group-buy offer: several fields at once, tier tables included (some broken on purpose). */
function groupPatch(ctx: GenContext): OfferPatch {
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

export const groupBuyGenerator: MechanismGenerator = {
  mechanism: 'group',
  reference: 'market',

  createOffer(ctx: GenContext, offerId: string, merchantId: string): Draft {
    const { rng, nowMs } = ctx;
    const basePriceMinor = randomPrice(rng);
    const minSize = rng.int(2, 4);
    const broken = rng.weighted([
      ['none', 20],
      ['max_below_min', 1],
      ['autofill_not_below_min', 1],
    ] as const);
    const maxSize = broken === 'max_below_min' ? Math.max(2, minSize - 1) : rng.chance(0.5) ? minSize + rng.int(0, 2) : undefined;
    const autoFill = rng.chance(0.5) ? 0 : rng.int(1, 3);
    return {
      type: 'create_offer',
      merchantId,
      offerId,
      currency: 'CNY',
      title: `offer ${offerId}`,
      inventory: rng.weighted([
        [rng.int(0, 6), 4],
        [rng.int(10, 30), 2],
        [1_000, 1],
      ]),
      basePriceMinor,
      ...(rng.chance(0.33) ? { perShopperLimit: rng.int(1, 4) } : {}),
      ...(rng.chance(0.2) ? { startMs: Math.max(0, nowMs + rng.int(-100, 300)) } : {}),
      ...(rng.chance(0.5) ? { endMs: Math.max(0, nowMs + rng.int(-20, 6_000)) } : {}),
      mechanism: {
        type: 'group',
        minSize,
        ...(maxSize === undefined ? {} : { maxSize }),
        windowMs: rng.int(50, 1_500),
        tiers: randomTiers(rng, basePriceMinor),
        leaderDiscountBps: randomBps(rng),
        newcomerOnly: rng.chance(0.25),
        autoFillMaxSeats: broken === 'autofill_not_below_min' ? minSize + autoFill : Math.min(autoFill, minSize - 1),
        matchOpensGroup: rng.chance(0.8),
      },
    };
  },

  shopperCommand(ctx: GenContext): Draft {
    const { rng, ids } = ctx;
    const shopperId = ids.shoppers.pick(rng);
    const newcomer = rng.chance(0.5);
    const kind = rng.weighted([
      ['open_group', 10],
      ['join_group', 12],
      ['match_group', 12],
      ['leave_group', 6],
      ['quote', 3],
    ] as const);
    switch (kind) {
      case 'open_group':
      case 'match_group':
        return { type: kind, shopperId, newcomer, offerId: offerIdFor(ctx, 'group'), ...callerGroupId(ctx), qty: qty(rng) };
      case 'join_group':
        return { type: 'join_group', shopperId, newcomer, groupId: targetGroup(ctx).groupId, qty: qty(rng) };
      case 'leave_group': {
        // Mostly one of its members leaves (so leaves succeed and groups empty out), sometimes a stranger tries.
        const target = targetGroup(ctx);
        const leaver = target.members.length > 0 && rng.chance(0.75) ? rng.pick(target.members) : shopperId;
        return { type: 'leave_group', shopperId: leaver, groupId: target.groupId };
      }
      case 'quote': {
        const offerId = offerIdFor(ctx, 'group');
        const ofOffer = ctx.knowledge.liveGroups().filter((group) => group.offerId === offerId);
        const group = ofOffer.length > 0 && rng.chance(0.5) ? { groupId: rng.pick(ofOffer).groupId } : {};
        return { type: 'quote', offerId, ...group, asLeader: rng.chance(0.3), newcomer: false };
      }
    }
  },

  editPatch: groupPatch,
};
