// The pricing context: everything a rule may read, passed in as data. Nothing here is looked up — no clock,
// no calendar, no store — so the same context always gives the same price. The two pieces of memory
// (surge smoothing and the change-cap interval) come in here and go out as `nextState`; the caller keeps them.
import { z } from 'zod';
import { PRICING_LIMITS, Money, TimeMs, MemberTierName, SurgeSignal } from './rule-kinds.ts';

export interface DemandSignals {
  /**
   * Joins counted since `surge.updatedAtMs` (all of them when there is no surge state yet). The caller adds one per
   * join and resets the count to 0 whenever it stores `nextState.surge`; counts are attributed to `nowMs`.
   */
  joinsSinceSurgeUpdate: number;
  /** Bids counted the same way. */
  bidsSinceSurgeUpdate: number;
  /** Shoppers waiting now (a level, not a count since the last update). */
  queueLength: number;
  /** Share of capacity in use now, in basis points (0 … 10 000). */
  utilizationBps: number;
}

export interface ShopperSegment {
  /** First order on the platform (the gateway vouches for it from the signed token). */
  newcomer: boolean;
  /** The shopper's membership tier name, or null. */
  memberTier: string | null;
  /** Leads the group being priced. */
  isLeader: boolean;
}

/**
 * Memory of one demand-surge rule: the smoothed signal, the hysteresis level and the rate-limited adjustment.
 * Belongs to an offer (demand is the offer's), not to a shopper or a group.
 */
export interface SurgeState {
  /** The signal this state smooths; a state for another signal (the rule was edited) is discarded. */
  signal: z.output<typeof SurgeSignal>;
  updatedAtMs: number;
  /** The smoothed signal × 1000 (joins per hour, queue length or utilization bps, in thousandths). */
  smoothedMilli: number;
  /** Index of the level in force, −1 for none. */
  level: number;
  levelSinceMs: number;
  /** The adjustment applied now; moves toward the level's adjustment by at most `maxStepBps` per interval. */
  appliedBps: number;
  lastStepAtMs: number | null;
}

/**
 * Memory of the change cap for one price stream (e.g. an offer's headline price, or one group's price). The
 * reference is the market price in force when the current interval began, with the size-tier price it was
 * computed on, so a stream whose group grows is compared at its new tier (its tier drop is a promise, not a jump).
 */
export interface PriceWindow {
  startedAtMs: number;
  referenceAnchorMinor: number;
  referenceMarketMinor: number;
  /** The latest market price of the stream and its tier price: the reference of the next interval. */
  lastAnchorMinor: number;
  lastMarketMinor: number;
}

export interface PricingContext {
  /** The offer's list price, before any rule. */
  basePriceMinor: number;
  nowMs: number;
  /** The offer's local offset from UTC in minutes (e.g. 480 for UTC+8), for daily windows; no calendar lookups. */
  utcOffsetMinutes: number;
  /** Members the price is for: for a join quote, the size that bounds the final price (see docs/pricing.md). */
  groupSize: number;
  /** Seats still missing to the group's minimum size (0 once formed). No rule kind reads it yet. */
  seatsMissing: number;
  /** The deadline `deadline: "group"` rules count down to; null: those rules are not in force. */
  groupDeadlineMs: number | null;
  /** The deadline `deadline: "offer"` rules count down to; null: those rules are not in force. */
  offerEndMs: number | null;
  inventoryLeft: number;
  inventoryTotal: number;
  demand: DemandSignals;
  segment: ShopperSegment;
  surge: SurgeState | null;
  priceWindow: PriceWindow | null;
}

/** The memory an evaluation hands back; store each part where it belongs (surge per offer, window per stream). */
export interface PricingState {
  surge: SurgeState | null;
  priceWindow: PriceWindow | null;
}

const Count = z.number().int().min(0).max(PRICING_LIMITS.signalMax);
const Inventory = z.number().int().min(0).max(PRICING_LIMITS.inventoryMax);

export const SurgeStateSchema = z.strictObject({
  signal: SurgeSignal,
  updatedAtMs: TimeMs,
  smoothedMilli: z.number().int().min(0).max(PRICING_LIMITS.signalMax * 1_000),
  level: z.number().int().min(-1).max(PRICING_LIMITS.levelsMax - 1),
  levelSinceMs: TimeMs,
  appliedBps: z.number().int().min(-10_000).max(10_000),
  lastStepAtMs: TimeMs.nullable(),
});

export const PriceWindowSchema = z.strictObject({
  startedAtMs: TimeMs,
  referenceAnchorMinor: Money,
  referenceMarketMinor: Money,
  lastAnchorMinor: Money,
  lastMarketMinor: Money,
});

/** For contexts that arrive from outside (a merchant's preview request); the engine builds its own. */
export const PricingContextSchema = z
  .strictObject({
    basePriceMinor: Money,
    nowMs: TimeMs,
    utcOffsetMinutes: z.number().int().min(-14 * 60).max(14 * 60),
    groupSize: z.number().int().min(0).max(PRICING_LIMITS.groupSizeMax),
    seatsMissing: z.number().int().min(0).max(PRICING_LIMITS.groupSizeMax),
    groupDeadlineMs: TimeMs.nullable(),
    offerEndMs: TimeMs.nullable(),
    inventoryLeft: Inventory,
    inventoryTotal: Inventory,
    demand: z.strictObject({
      joinsSinceSurgeUpdate: Count,
      bidsSinceSurgeUpdate: Count,
      queueLength: Count,
      utilizationBps: z.number().int().min(0).max(10_000),
    }),
    segment: z.strictObject({ newcomer: z.boolean(), memberTier: MemberTierName.nullable(), isLeader: z.boolean() }),
    surge: SurgeStateSchema.nullable(),
    priceWindow: PriceWindowSchema.nullable(),
  })
  .superRefine((c, ctx) => {
    if (c.inventoryLeft > c.inventoryTotal) ctx.addIssue({ code: 'custom', path: ['inventoryLeft'], message: 'must not be above inventoryTotal' });
  });

/** A neutral context to build on: a shopper with no segment, no deadlines, no demand, no memory. */
export function baseContext(basePriceMinor: number, nowMs: number): PricingContext {
  return {
    basePriceMinor,
    nowMs,
    utcOffsetMinutes: 0,
    groupSize: 1,
    seatsMissing: 0,
    groupDeadlineMs: null,
    offerEndMs: null,
    // Plenty in stock, so scarcity rules stay quiet until a caller says otherwise.
    inventoryLeft: PRICING_LIMITS.inventoryMax,
    inventoryTotal: PRICING_LIMITS.inventoryMax,
    demand: { joinsSinceSurgeUpdate: 0, bidsSinceSurgeUpdate: 0, queueLength: 0, utilizationBps: 0 },
    segment: { newcomer: false, memberTier: null, isLeader: false },
    surge: null,
    priceWindow: null,
  };
}
