// Auction settings and the commands shoppers send to auctions (SPEC §3). English, Vickrey and Dutch auctions sell
// one unit (the offer's inventory must be 1); a uniform-price auction sells the offer's inventory (k units). The
// offer's `basePriceMinor` is the opening bid (English), the lowest bid taken (Vickrey, uniform) or where the
// clock starts (Dutch). English, Vickrey and uniform auctions close at the offer's `endMs`, which they require.
import { z } from 'zod';
import { LIMITS } from '../limits.ts';
import { commandBase, DurationMs, Id, Money, Qty, shopperFacts } from '../schema-primitives.ts';

/** From `fromMinor` on, a bid must beat the current price by at least `stepMinor`. */
export const IncrementStep = z.strictObject({ fromMinor: Money, stepMinor: Money.min(1) });

export const SoftClose = z.strictObject({
  /** A bid this close to the end extends it… */
  windowMs: DurationMs,
  /** …by this much… */
  extendMs: DurationMs,
  /** …at most this many times. */
  maxExtensions: z.number().int().min(0).max(1_000),
});

export const DutchClock = z.strictObject({
  /** The clock never goes below this price; at the floor it waits for a taker until the offer ends. */
  floorPriceMinor: Money,
  stepMinor: Money.min(1),
  stepIntervalMs: DurationMs,
});

export const AuctionSettings = z.strictObject({
  type: z.literal('auction'),
  kind: z.enum(['english', 'vickrey', 'uniform', 'dutch']),
  /** Hidden: below it nothing sells. 0: no reserve. Not for Dutch auctions (their floor plays that part). */
  reservePriceMinor: Money.default(0),
  /**
   * Sorted by strictly increasing `fromMinor`, the first from 0. Read by English auctions only; the others take any
   * bid at or above the opening price.
   */
  increments: z.array(IncrementStep).min(1).max(LIMITS.tiersMax).default([{ fromMinor: 0, stepMinor: 1 }]),
  /** English only: anyone may buy at this price until the first bid (or while the reserve is unmet). */
  buyNowPriceMinor: Money.optional(),
  /** English, Vickrey and uniform (not Dutch: the first acceptance closes it). Any accepted bid counts. */
  softClose: SoftClose.optional(),
  /** Dutch only (and required there). */
  dutch: DutchClock.optional(),
});

/**
 * Shopper facts an auction needs besides who they are: how much the platform lets them have committed in open
 * auctions at once (the token's limit; the engine subtracts what the shopper has committed elsewhere).
 */
const bidder = { ...shopperFacts, exposureLimitMinor: Money.optional() };

/**
 * English: the bidder's hidden maximum (proxy bid), raised only; Vickrey and uniform: the sealed bid per unit,
 * one per shopper, raised only. `qty` is for uniform-price auctions (units wanted at that price); others take 1.
 */
export const PlaceBid = z.strictObject({
  type: z.literal('place_bid'),
  ...commandBase,
  ...bidder,
  offerId: Id,
  maxBidMinor: Money.min(1),
  qty: Qty.default(1),
});

/** English: buy at the buy-now price, closing the auction at once. */
export const BuyNow = z.strictObject({ type: z.literal('buy_now'), ...commandBase, ...bidder, offerId: Id });

/** Dutch: take the unit at the clock's current price, closing the auction at once. */
export const AcceptPrice = z.strictObject({ type: z.literal('accept_price'), ...commandBase, ...bidder, offerId: Id });

export const AUCTION_COMMANDS = [PlaceBid, BuyNow, AcceptPrice] as const;

export type AuctionCommand = z.output<(typeof AUCTION_COMMANDS)[number]>;
export type AuctionCommandOf<T extends AuctionCommand['type']> = Extract<AuctionCommand, { type: T }>;

export type AuctionSettings = z.output<typeof AuctionSettings>;
export type AuctionKind = AuctionSettings['kind'];
export type IncrementStep = z.output<typeof IncrementStep>;
export type DutchClock = z.output<typeof DutchClock>;
