// Auction (竞价) commands: English auctions with increments, soft close, buy-now and a hidden reserve, sealed
// Vickrey and uniform-price auctions, and Dutch clocks, with short ends so that they close within a run; shoppers
// who bid (mostly near what a bid must beat, so ties, raises, outbids and reserve jumps happen), buy now and
// accept the clock, with exposure limits below, at and above what they commit. Edits move ends, opening prices,
// units and limits, some of them refused once there are bids.
import type { OfferPatch } from '../../../engine/index.ts';
import type { IncrementStep, KnownAuction } from '../auction-knowledge.ts';
import type { Prng } from '../prng.ts';
import { offerIdFor, type Draft, type GenContext, type MechanismGenerator } from './generator.ts';
import { randomTiers } from './group-buy.ts';

const OPENING_PRICES = [1, 100, 500, 1_000, 2_345] as const;

function increments(rng: Prng): IncrementStep[] {
  const bands: IncrementStep[] = [{ fromMinor: 0, stepMinor: rng.pick([1, 10, 50]) }];
  for (let i = rng.int(0, 2), from = 0; i > 0; i--) {
    from += rng.int(100, 1_500);
    bands.push({ fromMinor: from, stepMinor: rng.int(1, 200) });
  }
  return bands;
}

type Broken = 'none' | 'units' | 'no_end' | 'buy_now_low' | 'band_start' | 'floor_high' | 'reserve_on_dutch';

function brokenSetting(rng: Prng): Broken {
  return rng.weighted([
    ['none', 40],
    ['units', 1],
    ['no_end', 1],
    ['buy_now_low', 1],
    ['band_start', 1],
    ['floor_high', 1],
    ['reserve_on_dutch', 1],
  ] as const);
}

/** A bid amount around what the auction needs now: its minimum ± a little, sometimes far above or at random. */
function bidAmount(rng: Prng, auction: KnownAuction | undefined, shopperId: string): number {
  if (auction === undefined) return rng.int(1, 3_000);
  const own = auction.bids.get(shopperId);
  let minimum = auction.openingMinor;
  if (auction.kind === 'english' && auction.priceMinor !== null) {
    let step = 0;
    for (const band of auction.increments) if (band.fromMinor <= auction.priceMinor) step = band.stepMinor;
    minimum = auction.priceMinor + step;
  }
  if (own !== undefined) minimum = Math.max(minimum, own.amountMinor);
  const amount = rng.weighted([
    [minimum + rng.pick([-1, 0, 0, 1]), 5],
    [minimum + rng.int(1, 400), 4],
    [minimum + rng.int(400, 3_000), 1],
    [rng.int(1, 5_000), 1],
  ]);
  return Math.max(1, amount);
}

/** An exposure limit: usually none; sometimes just below, at or above what the command commits. */
function exposure(rng: Prng, commitsMinor: number): { exposureLimitMinor?: number } {
  const kind = rng.weighted([
    ['none', 8],
    ['below', 1],
    ['at', 1],
    ['above', 1],
  ] as const);
  if (kind === 'none') return {};
  return { exposureLimitMinor: Math.max(0, kind === 'below' ? commitsMinor - 1 : kind === 'at' ? commitsMinor : commitsMinor + rng.int(1, 1_000)) };
}

export const auctionGenerator: MechanismGenerator = {
  mechanism: 'auction',
  reference: 'per_offer',

  createOffer(ctx: GenContext, offerId: string, merchantId: string): Draft {
    const { rng, nowMs } = ctx;
    const kind = rng.weighted([
      ['english', 4],
      ['vickrey', 2],
      ['uniform', 3],
      ['dutch', 3],
    ] as const);
    const broken = brokenSetting(rng);
    const opening = rng.pick(OPENING_PRICES);
    const reserve = kind === 'dutch' ? (broken === 'reserve_on_dutch' ? 1 : 0) : rng.weighted([
      [0, 2],
      [opening + rng.int(0, 1_500), 2],
    ]);
    const units = kind === 'uniform' ? rng.int(1, 4) : broken === 'units' ? 2 : 1;
    const bands = increments(rng);
    if (broken === 'band_start') bands[0]!.fromMinor = 5;
    const buyNow = kind === 'english' && rng.chance(0.5) ? Math.max(opening, reserve) + (broken === 'buy_now_low' ? -1 : rng.int(0, 2_000)) : undefined;
    const hasEnd = kind === 'dutch' ? rng.chance(0.6) : broken !== 'no_end';
    const stepMinor = rng.int(1, 300);
    return {
      type: 'create_offer',
      merchantId,
      offerId,
      currency: 'CNY',
      title: `lot ${offerId}`,
      inventory: units,
      basePriceMinor: opening,
      ...(rng.chance(0.3) ? { perShopperLimit: rng.int(1, 3) } : {}),
      ...(rng.chance(0.15) ? { startMs: nowMs + rng.int(0, 300) } : {}),
      ...(hasEnd ? { endMs: nowMs + rng.int(300, 4_000) } : {}),
      mechanism: {
        type: 'auction',
        kind,
        reservePriceMinor: reserve,
        increments: bands,
        ...(buyNow === undefined ? {} : { buyNowPriceMinor: Math.max(0, buyNow) }),
        ...(kind !== 'dutch' && rng.chance(0.4) ? { softClose: { windowMs: rng.int(50, 1_000), extendMs: rng.int(50, 1_000), maxExtensions: rng.int(0, 3) } } : {}),
        ...(kind === 'dutch'
          ? { dutch: { floorPriceMinor: broken === 'floor_high' ? opening + 1 : rng.int(0, opening), stepMinor, stepIntervalMs: rng.int(10, 400) } }
          : {}),
      },
    };
  },

  shopperCommand(ctx: GenContext): Draft {
    const { rng, ids, knowledge } = ctx;
    const shopperId = ids.shoppers.pick(rng);
    const newcomer = rng.chance(0.5);
    const kindOf = (offerId: string) => knowledge.auctions.get(offerId)?.kind;
    const command = rng.weighted([
      ['place_bid', 14],
      ['buy_now', 2],
      ['accept_price', 3],
    ] as const);
    switch (command) {
      case 'place_bid': {
        // Mostly a bid on an auction that takes bids; now and then one on a Dutch clock (wrong_mechanism).
        const offerId = offerIdFor(ctx, 'auction', (id) => rng.chance(0.05) || kindOf(id) !== 'dutch');
        const auction = knowledge.auctions.get(offerId);
        const maxBidMinor = bidAmount(rng, auction, shopperId);
        const qty = auction?.kind === 'uniform' ? rng.weighted([[1, 3], [rng.int(2, 3), 2], [rng.int(4, 6), 1]]) : rng.chance(0.93) ? 1 : 2;
        return { type: 'place_bid', shopperId, newcomer, offerId, maxBidMinor, qty, ...exposure(rng, maxBidMinor * qty) };
      }
      case 'buy_now': {
        const offerId = offerIdFor(ctx, 'auction', (id) => rng.chance(0.1) || knowledge.auctions.get(id)?.buyNowMinor != null);
        return { type: 'buy_now', shopperId, newcomer, offerId, ...exposure(rng, knowledge.auctions.get(offerId)?.buyNowMinor ?? 1) };
      }
      case 'accept_price': {
        const offerId = offerIdFor(ctx, 'auction', (id) => rng.chance(0.05) || kindOf(id) === 'dutch');
        return { type: 'accept_price', shopperId, newcomer, offerId, ...exposure(rng, knowledge.auctions.get(offerId)?.priceMinor ?? 1) };
      }
    }
  },

  editPatch(ctx: GenContext, offerId: string): OfferPatch {
    const { rng, nowMs } = ctx;
    const auction = ctx.knowledge.auctions.get(offerId);
    const end = auction?.endMs ?? nowMs;
    switch (rng.weighted([
      ['end_later', 4],
      ['end_earlier', 2],
      ['end_removed', 1],
      ['opening', 2],
      ['units', 2],
      ['limit', 2],
      ['title', 1],
      ['tiers', 1],
    ] as const)) {
      case 'end_later':
        return { endMs: Math.max(nowMs + 1, end) + rng.int(1, 1_500) };
      case 'end_earlier':
        return { endMs: Math.max(nowMs + 1, end - rng.int(1, 1_000)) };
      case 'end_removed':
        return { endMs: null };
      case 'opening':
        return { basePriceMinor: rng.pick(OPENING_PRICES) };
      case 'units':
        return { inventory: rng.int(0, 4) };
      case 'limit':
        return { perShopperLimit: rng.chance(0.3) ? null : rng.int(1, 3) };
      case 'title':
        return { title: 'relisted' };
      case 'tiers':
        return { tiers: randomTiers(rng, 1_000) };
    }
  },
};
