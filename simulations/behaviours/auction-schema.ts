// What bidders of an auction scenario do (a bidding war). Each bidder has a private value per unit, drawn from a
// distribution, and one strategy: `proxy` states its value once as its maximum and lets the engine bid for it;
// `incremental` bids the smallest raise the auction takes each time it is outbid, up to its value; `sniper` waits
// and bids its value in the last seconds before the (current) end, against the soft close. Sealed auctions
// (Vickrey, uniform price) take one bid per bidder: its value (snipers bid late). Dutch auctions: every bidder
// watches the clock and takes the unit once the price has fallen to its value (less a margin).
import { z } from 'zod';
import { DurationDistribution, NumberDistribution } from '../distributions.ts';
import { OfferWeights, Probability, Weight } from './shared.ts';

export const AUCTION_STRATEGIES = ['proxy', 'incremental', 'sniper'] as const;
export type AuctionStrategy = (typeof AUCTION_STRATEGIES)[number];

/** Bids one incremental bidder sends at most: a bidding war between two of them stays bounded. */
export const BIDS_PER_BIDDER_MAX = 1_000;

export const AuctionBehaviour = z.strictObject({
  mechanism: z.literal('auction'),
  offerWeights: OfferWeights,
  /** What one unit is worth to the bidder, in minor units: the most it will ever bid or pay a unit. */
  valueMinor: NumberDistribution,
  /** Strategies by weight (English auctions; sealed kinds read `sniper` as "bid late", Dutch ignores them). */
  strategy: z
    .strictObject({ proxy: Weight.default(1), incremental: Weight.default(0), sniper: Weight.default(0) })
    .default({ proxy: 1, incremental: 0, sniper: 0 })
    .refine((s) => s.proxy + s.incremental + s.sniper > 0, { message: 'at least one strategy must have a weight above 0' }),
  /** How long a bidder takes to react (to being outbid, to the Dutch clock, to a refusal); drawn once per bidder. */
  reaction: DurationDistribution.default({ type: 'fixed', value: 0 }),
  /** Incremental bidders bid this much above the smallest raise the auction takes (0: the minimum); drawn once per bidder. */
  raiseMinor: NumberDistribution.default({ type: 'fixed', value: 0 }),
  /** Bids an incremental bidder sends at most. */
  maxBids: z.number().int().min(1, 'must be ≥ 1').max(BIDS_PER_BIDDER_MAX).default(50),
  /** How long before the auction's end (extensions included) a sniper bids; drawn once per bidder. */
  snipeLead: DurationDistribution.default({ type: 'fixed', value: 5_000 }),
  /** Units a bidder wants in a uniform-price auction (rounded, at least 1); single-unit kinds take 1. */
  qty: NumberDistribution.default({ type: 'fixed', value: 1 }),
  /** English with a buy-now price: a bidder whose value reaches it takes it with this probability while it is offered. */
  buyNowProbability: Probability.default(0),
  /** Dutch: a bidder waits until the clock is this share below its value before accepting (0: at its value). */
  dutchMarginRatio: Probability.default(0),
  /** The most a bidder may commit (its token's `exposureLimitMinor`); absent: no limit. Bids above it are refused. */
  exposureLimitMinor: NumberDistribution.optional(),
});

export type AuctionBehaviour = z.output<typeof AuctionBehaviour>;
