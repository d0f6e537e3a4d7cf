// Where every price in the engine comes from: each offer has a rule set (its merchant's, or one derived from its
// group settings, so there is one pricing mechanism, not two) and every price — a join quote, a group's current
// unit price, a settlement, the offer's headline price — is `evaluate`d from it over a context built here.
//
// The offer's pricing memory (surge smoothing, the change cap's interval) belongs to its headline stream: the
// price to open a new group now. It is stored only by a headline reprice; quotes and settlements read it without
// storing what they compute, so asking for a quote never moves a price.
import {
  evaluate,
  evaluatePrice,
  evaluateWithState,
  ruleSetFromGroupPricing,
  type PriceWindow,
  type PricingContext,
  type PublishedPrice,
  type RuleSet,
  type SurgeState,
} from '../../pricing/index.ts';
import type { PricingShape } from '../mechanism.ts';
import { LIMITS } from '../limits.ts';
import type { Quote } from '../results.ts';
import { mechanismOf, pricingInputsChanged, type Ctx } from './context.ts';
import { factsOf } from './events.ts';
import { availableUnits, utilizationBps } from './inventory.ts';
import type { EngineState, Offer } from './state.ts';
import { nextOffsetChangeMs, utcOffsetAt } from './time-zone.ts';

/** A rule set that was in force, from when. `group_settings`: derived from the tiers and leader discount. */
export interface RuleSetVersion {
  version: number;
  source: 'group_settings' | 'merchant';
  activeFromMs: number;
  ruleSet: RuleSet;
  /**
   * Whether the headline moves with joins, leaves and settlements (a scarcity or demand surge rule reads them).
   * When it does not, those leave the headline alone and skip the reprice: most offers' hot path.
   */
  readsActivity: boolean;
}

export interface PendingRuleSet {
  ruleSet: RuleSet;
  effectiveAtMs: number;
}

/** A published headline price: the history watchers saw, one point per `price_changed` (and the first price). */
export interface PricePoint {
  atMs: number;
  priceMinor: number;
  ruleSetVersion: number;
}

export interface OfferPricing {
  /** Versions put in force, oldest first; the last is in force. At most `LIMITS.ruleSetVersionsRetained`. */
  versions: RuleSetVersion[];
  /** A merchant's rule set waiting for its effective time (a `rule_set` deadline); a newer one replaces it. */
  pending: PendingRuleSet | null;
  /** The headline stream's memory, as the pricing module hands it back. */
  surge: SurgeState | null;
  priceWindow: PriceWindow | null;
  /** Joins (seats, queue joins, bookings) and accepted bids since the surge state was stored; reset by every headline reprice. */
  joinsSinceSurgeUpdate: number;
  bidsSinceSurgeUpdate: number;
  /** The headline price as last repriced, and when it could next move with no event (null: only events move it). */
  headlinePriceMinor: number;
  wakeAtMs: number | null;
  /** The last price published; `publishAtMs` is when a coalesced newer price is due, if one is waiting. */
  published: PublishedPrice;
  publishAtMs: number | null;
  /** The `reprice` deadline queued for this offer: the earlier of `wakeAtMs` and `publishAtMs`. */
  repriceAtMs: number | null;
  /** Published prices, oldest first, at most `LIMITS.priceHistoryRetained`. */
  priceHistory: PricePoint[];
}

/** Who a price is for: the segment facts the engine knows (the gateway vouches for `newcomer` and `memberTier`). */
export interface PricedShopper {
  newcomer: boolean;
  isLeader: boolean;
  memberTier: string | null;
}

export const ANYONE: PricedShopper = { newcomer: false, isLeader: false, memberTier: null };

/** The segment of a shopper command's sender (its vouched facts), not leading anything. */
export function shopperOf(cmd: { newcomer: boolean; memberTier?: string | undefined }, isLeader = false): PricedShopper {
  return { newcomer: cmd.newcomer, isLeader, memberTier: cmd.memberTier ?? null };
}

/** The pricing shape of an offer's mechanism. */
export function shapeOf(ctx: Ctx, offer: Offer): PricingShape<Offer> {
  return mechanismOf(ctx.mechanisms, offer).pricing as PricingShape<Offer>;
}

export function ruleSetInForce(offer: Offer): RuleSet {
  const versions = offer.pricing.versions;
  return versions[versions.length - 1]!.ruleSet;
}

/** Whether a rule reads stock or demand, which every join, leave and settlement changes. */
function readsActivity(ruleSet: RuleSet): boolean {
  for (const rule of ruleSet.rules) if (rule.kind === 'scarcity' || rule.kind === 'demand_surge') return true;
  return false;
}

/**
 * A join, a bid, a leave or a settlement changed the offer's stock and demand: reprice if its rule set reads them.
 * `joins` and `bids` are the demand events to count (0 for a change of stock or queue length alone).
 */
export function activityChanged(ctx: Ctx, offer: Offer, joins: number, bids = 0): void {
  if (!versionInForce(offer).readsActivity) return;
  offer.pricing.joinsSinceSurgeUpdate += joins;
  offer.pricing.bidsSinceSurgeUpdate += bids;
  pricingInputsChanged(ctx, offer);
}

export function versionInForce(offer: Offer): RuleSetVersion {
  const versions = offer.pricing.versions;
  return versions[versions.length - 1]!;
}

/** What prices an offer without a merchant's rule set: its base price, with a group-buy's tiers and leader discount. */
export interface DerivedPricing {
  tiers: readonly { minSize: number; priceMinor: number }[];
  leaderDiscountBps: number;
}

/** The rule set that prices exactly like the offer's base price and its mechanism's tiers and leader discount. */
export function derivedRuleSet(basePriceMinor: number, currency: string, derived: DerivedPricing, version: number): RuleSet {
  return ruleSetFromGroupPricing({ basePriceMinor, tiers: [...derived.tiers], leaderDiscountBps: derived.leaderDiscountBps }, currency, version);
}

/** Pricing for a new offer; `startPricing` fills in its first headline price once the offer exists. */
export function newOfferPricing(ruleSet: RuleSet, source: RuleSetVersion['source'], atMs: number): OfferPricing {
  return {
    versions: [{ version: ruleSet.version, source, activeFromMs: atMs, ruleSet, readsActivity: readsActivity(ruleSet) }],
    pending: null,
    surge: null,
    priceWindow: null,
    joinsSinceSurgeUpdate: 0,
    bidsSinceSurgeUpdate: 0,
    headlinePriceMinor: 0,
    wakeAtMs: null,
    published: { priceMinor: 0, atMs },
    publishAtMs: null,
    repriceAtMs: null,
    priceHistory: [],
  };
}

/**
 * The context of a price for a group of `groupSize` whose deadline is `groupDeadlineMs`, for `shopper`, at `atMs`,
 * with the offer's stream memory as it stands (see docs/pricing.md for what each field means).
 */
export function pricingContext(
  offer: Offer,
  shape: PricingShape<Offer>,
  atMs: number,
  groupSize: number,
  minSize: number,
  groupDeadlineMs: number | null,
  shopper: PricedShopper,
): PricingContext {
  const pricing = offer.pricing;
  return {
    basePriceMinor: offer.basePriceMinor,
    nowMs: atMs,
    utcOffsetMinutes: utcOffsetAt(offer.timeZone, atMs),
    groupSize,
    seatsMissing: Math.max(0, minSize - groupSize),
    groupDeadlineMs,
    offerEndMs: offer.endMs,
    inventoryLeft: Math.max(0, availableUnits(offer)),
    inventoryTotal: offer.inventory,
    demand: {
      joinsSinceSurgeUpdate: pricing.joinsSinceSurgeUpdate,
      bidsSinceSurgeUpdate: pricing.bidsSinceSurgeUpdate,
      queueLength: shape.queueLength(offer),
      utilizationBps: utilizationBps(offer),
    },
    segment: { newcomer: shopper.newcomer, memberTier: shopper.memberTier, isLeader: shopper.isLeader },
    surge: pricing.surge,
    priceWindow: pricing.priceWindow,
  };
}

/** The headline: what a new shopper with no discount would pay a unit now (a new group's price, at the size that bounds it). */
function headlineContext(offer: Offer, shape: PricingShape<Offer>, atMs: number): PricingContext {
  const { size, minSize, groupDeadlineMs } = shape.headline(offer, atMs);
  return pricingContext(offer, shape, atMs, size, minSize, groupDeadlineMs, ANYONE);
}

/**
 * A quote with its explanation, for a group of `groupSize` (the size that bounds the final price). `details`: each
 * line's text too. Joins leave it out — the text is most of an evaluation's cost, and a join is the hot path; the
 * lines still carry rule, index, delta and label — while a `quote` read includes it.
 */
export function explainedPrice(
  offer: Offer,
  shape: PricingShape<Offer>,
  atMs: number,
  groupSize: number,
  minSize: number,
  groupDeadlineMs: number | null,
  shopper: PricedShopper,
  details: boolean,
): Quote {
  const ruleSet = ruleSetInForce(offer);
  const deadline = groupDeadlineMs ?? shape.headline(offer, atMs).groupDeadlineMs;
  const evaluation = evaluate(ruleSet, pricingContext(offer, shape, atMs, groupSize, minSize, deadline, shopper), { details });
  return {
    currency: offer.currency,
    unitPriceMinor: evaluation.priceMinor,
    basePriceMinor: evaluation.basePriceMinor,
    ruleSetVersion: ruleSet.version,
    explanation: evaluation.explanation,
  };
}

/** The same price without the explanation: settlements and the current price of a group. */
export function unitPrice(offer: Offer, shape: PricingShape<Offer>, atMs: number, groupSize: number, minSize: number, groupDeadlineMs: number, shopper: PricedShopper = ANYONE): number {
  return evaluatePrice(ruleSetInForce(offer), pricingContext(offer, shape, atMs, groupSize, minSize, groupDeadlineMs, shopper));
}

/** One unit for one shopper now (an auction's or a reservation's quote, a rental's or a booking's price): the rule set at size 1. */
export function singleUnitQuote(offer: Offer, shape: PricingShape<Offer>, atMs: number, shopper: PricedShopper, details: boolean): Quote {
  return explainedPrice(offer, shape, atMs, 1, 1, null, shopper, details);
}

/** Sets the first headline price of a new offer: published as it is (the offer's creation announces it). */
export function startPricing(ctx: Ctx, offer: Offer): void {
  const pricing = offer.pricing;
  const next = evaluateWithState(ruleSetInForce(offer), headlineContext(offer, shapeOf(ctx, offer), ctx.nowMs));
  pricing.surge = next.nextState.surge;
  pricing.priceWindow = next.nextState.priceWindow;
  pricing.headlinePriceMinor = next.priceMinor;
  pricing.wakeAtMs = wakeWithZone(offer, next.wakeAtMs, ctx.nowMs);
  pricing.published = { priceMinor: next.priceMinor, atMs: ctx.nowMs };
  recordPricePoint(pricing, { atMs: ctx.nowMs, priceMinor: next.priceMinor, ruleSetVersion: versionInForce(offer).version });
  scheduleReprice(ctx.state, offer);
}

/**
 * Puts a rule set in force at `atMs`. A new version starts a new price stream (the change cap limits how fast the
 * rules move a price, not the merchant's own decision); demand memory is kept, since demand did not change.
 */
export function putInForce(ctx: Ctx, offer: Offer, ruleSet: RuleSet, source: RuleSetVersion['source'], atMs: number): void {
  const versions = offer.pricing.versions;
  versions.push({ version: ruleSet.version, source, activeFromMs: atMs, ruleSet, readsActivity: readsActivity(ruleSet) });
  if (versions.length > LIMITS.ruleSetVersionsRetained) versions.shift();
  offer.pricing.priceWindow = null;
  ctx.events.push({ type: 'rule_set_activated', ...factsOf(offer), version: ruleSet.version, atMs });
  pricingInputsChanged(ctx, offer);
}

/** Reprices every offer queued in this step, at `atMs`, in the order they were queued. */
export function repriceQueued(ctx: Ctx, atMs: number): void {
  const queue = ctx.repriceQueue;
  if (queue.length === 0) return;
  for (let i = 0; i < queue.length; i++) repriceOffer(ctx, queue[i]!, atMs);
  queue.length = 0;
}

/**
 * The headline reprice: evaluates the price to open a group now, stores the stream's memory, and publishes a
 * `price_changed` when the price differs from the last one published — at once, or when the minimum gap since
 * the last event has passed (a `reprice` deadline), so a burst of joins gives a bounded number of events.
 */
function repriceOffer(ctx: Ctx, offer: Offer, atMs: number): void {
  const pricing = offer.pricing;
  if (offer.status === 'closed') {
    // A closed offer has no price to watch; nothing of it is scheduled any more.
    pricing.joinsSinceSurgeUpdate = 0;
    pricing.bidsSinceSurgeUpdate = 0;
    pricing.wakeAtMs = null;
    pricing.publishAtMs = null;
    pricing.repriceAtMs = null;
    return;
  }
  const ruleSet = ruleSetInForce(offer);
  const context = headlineContext(offer, shapeOf(ctx, offer), atMs);
  const next = evaluateWithState(ruleSet, context);
  pricing.surge = next.nextState.surge;
  pricing.priceWindow = next.nextState.priceWindow;
  pricing.joinsSinceSurgeUpdate = 0;
  pricing.bidsSinceSurgeUpdate = 0;
  pricing.headlinePriceMinor = next.priceMinor;
  pricing.wakeAtMs = wakeWithZone(offer, next.wakeAtMs, atMs);
  pricing.publishAtMs = null;
  const last = pricing.published;
  if (next.priceMinor !== last.priceMinor) {
    const minGapMs = ctx.state.config.priceEventMinGapMs;
    if (atMs - last.atMs >= minGapMs) {
      // The same context again, with the explanation: evaluation is pure, so it gives the same price.
      const explanation = evaluate(ruleSet, context).explanation;
      ctx.events.push({ type: 'price_changed', ...factsOf(offer), priceMinor: next.priceMinor, previousPriceMinor: last.priceMinor, explanation, ruleSetVersion: ruleSet.version, atMs });
      pricing.published = { priceMinor: next.priceMinor, atMs };
      recordPricePoint(pricing, { atMs, priceMinor: next.priceMinor, ruleSetVersion: ruleSet.version });
    } else {
      pricing.publishAtMs = last.atMs + minGapMs;
    }
  }
  scheduleReprice(ctx.state, offer);
}

/**
 * Pricing computes its wake time with the offset in force now; when the offer's time zone changes offset first (a
 * daylight-saving switch), daily windows move then, so the offer wakes then too.
 */
function wakeWithZone(offer: Offer, wakeAtMs: number | null, atMs: number): number | null {
  const change = nextOffsetChangeMs(offer.timeZone, atMs);
  if (change === null) return wakeAtMs;
  return wakeAtMs === null ? change : Math.min(wakeAtMs, change);
}

function recordPricePoint(pricing: OfferPricing, point: PricePoint): void {
  pricing.priceHistory.push(point);
  if (pricing.priceHistory.length > LIMITS.priceHistoryRetained) pricing.priceHistory.shift();
}

/** When this offer next needs a reprice with no event: its wake time or a waiting publication, the earlier. */
export function nextRepriceAtMs(pricing: OfferPricing): number | null {
  const { wakeAtMs, publishAtMs } = pricing;
  if (wakeAtMs === null) return publishAtMs;
  if (publishAtMs === null) return wakeAtMs;
  return Math.min(wakeAtMs, publishAtMs);
}

/** Queues the offer's next reprice deadline; an entry already queued for the same time still stands. */
function scheduleReprice(state: EngineState, offer: Offer): void {
  const atMs = nextRepriceAtMs(offer.pricing);
  if (atMs === offer.pricing.repriceAtMs) return;
  offer.pricing.repriceAtMs = atMs;
  if (atMs !== null) state.deadlines.push({ atMs, kind: 'reprice', id: offer.id, order: offer.createdSerial });
}
