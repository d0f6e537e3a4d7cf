// evaluate(ruleSet, context): the price, the base it started from, and an explanation whose deltas sum from the
// base to the price. Pure and total: the same input always gives the same output, nothing is read from outside
// the arguments, and no business outcome throws (a rule that does not apply simply leaves no line).
//
// The stages and their order are documented in rule-set.ts and docs/pricing.md. Rounding directions:
// - a ratio adjustment (bps) rounds the resulting price down, toward the shopper (adjustByBps);
// - a linear ramp's partial adjustment rounds down, toward the lower price;
// - a bound relative to the base price rounds down;
// - the change cap's allowed move rounds toward zero, so the cap is never exceeded;
// - the rounding rule goes the way it says (down, up, or nearest with ties down).
// The running price is kept within [0, PRICE_MINOR_MAX] after every step, so all arithmetic stays exact.
//
// `evaluatePrice` runs the same code without building the explanation, so the two can never disagree.
import type { PricingContext, PricingState, PriceWindow, SurgeState } from './context.ts';
import { describeAdjustment, describeEnding, describeSchedule, formatBps, formatDuration, formatMilli } from './explain-format.ts';
import { BPS_ONE, PRICE_MINOR_MAX, adjustByBps, clampMoney, floorDiv, mulDivFloor } from './integer-math.ts';
import type { Rule, WindowAdjustment } from './rule-kinds.ts';
import { FIRST_SHOPPER_STAGE, stageOf, type Guardrails, type RuleSet } from './rule-set.ts';
import { advanceSurge, surgeTargetBps, surgeWakeAtMs } from './surge.ts';
import { deadlineOf, linearDecayBps, linearDecayWakeAtMs, steppedDecayIndex, steppedDecayWakeAtMs, windowInForce, windowWakeAtMs } from './time-rules.ts';

export interface ExplanationLine {
  /** The rule kind, or `base`, `change_cap`, `kill_switch`, `guardrail_floor`, `guardrail_ceiling`. */
  rule: string;
  /** Index of the rule in `ruleSet.rules`; null for the base price and the guardrails. */
  ruleIndex: number | null;
  /** What this line changed; all deltas of an explanation sum to `priceMinor`. */
  deltaMinor: number;
  detail: string;
  /** The merchant's own name for the rule, when it has one. */
  label?: string;
}

export interface Evaluation {
  currency: string;
  ruleSetVersion: number;
  priceMinor: number;
  basePriceMinor: number;
  /** The price before shopper discounts, rounding and bounds: what the change cap and kill switch act on. */
  marketPriceMinor: number;
  explanation: ExplanationLine[];
  /** Memory for the next evaluation of this stream; store it only when this evaluation is the one that counts. */
  nextState: PricingState;
  /** The kill switch is engaged: the market price is held. */
  frozen: boolean;
  /**
   * The earliest time after `nowMs` at which this price could change with no new event (a window opening or
   * closing, a decay step, a surge step, the change cap's interval ending), or null when only events can move it.
   */
  wakeAtMs: number | null;
}

/** What an evaluation collects besides the price: the explanation (null: none wanted) and the next wake time. */
interface Trace {
  nowMs: number;
  /** Build each line's `detail` text; without it lines carry rule, index, delta and label only. */
  details: boolean;
  lines: ExplanationLine[] | null;
  wakeAtMs: number | null;
}

/** The market's memory produced while evaluating; written by `run`, read by its callers. */
interface MarketOutcome {
  marketPriceMinor: number;
  surge: SurgeState | null;
  priceWindow: PriceWindow | null;
}

export interface EvaluateOptions {
  /**
   * Write each explanation line's `detail` text (default). Off: lines keep `rule`, `ruleIndex`, `deltaMinor` and
   * `label` with an empty `detail` — the text is most of the cost of an explanation, and a hot path that must
   * attach an explanation to every quote can render it later by evaluating the same context again.
   */
  details?: boolean;
}

export function evaluate(ruleSet: RuleSet, ctx: PricingContext, options: EvaluateOptions = {}): Evaluation {
  const details = options.details ?? true;
  const trace: Trace = { nowMs: ctx.nowMs, details, lines: [], wakeAtMs: null };
  const outcome: MarketOutcome = { marketPriceMinor: 0, surge: null, priceWindow: null };
  const priceMinor = run(ruleSet, ctx, outcome, trace);
  return {
    currency: ruleSet.currency,
    ruleSetVersion: ruleSet.version,
    priceMinor,
    basePriceMinor: clampMoney(ctx.basePriceMinor),
    marketPriceMinor: outcome.marketPriceMinor,
    explanation: trace.lines ?? [],
    nextState: { surge: outcome.surge, priceWindow: outcome.priceWindow },
    frozen: ruleSet.guardrails.killSwitch.engaged,
    wakeAtMs: trace.wakeAtMs,
  };
}

/** The same price as `evaluate(ruleSet, ctx).priceMinor`, without the explanation: for hot loops. */
export function evaluatePrice(ruleSet: RuleSet, ctx: PricingContext): number {
  return run(ruleSet, ctx, { marketPriceMinor: 0, surge: null, priceWindow: null }, null);
}

/** What a reprice needs: the price, the state to keep and when to wake, without building an explanation. */
export interface Reprice {
  priceMinor: number;
  marketPriceMinor: number;
  nextState: PricingState;
  wakeAtMs: number | null;
}

/** The price, the state to keep and the next wake time, without the explanation: for the engine's reprices. */
export function evaluateWithState(ruleSet: RuleSet, ctx: PricingContext): Reprice {
  const trace: Trace = { nowMs: ctx.nowMs, details: false, lines: null, wakeAtMs: null };
  const outcome: MarketOutcome = { marketPriceMinor: 0, surge: null, priceWindow: null };
  const priceMinor = run(ruleSet, ctx, outcome, trace);
  return { priceMinor, marketPriceMinor: outcome.marketPriceMinor, nextState: { surge: outcome.surge, priceWindow: outcome.priceWindow }, wakeAtMs: trace.wakeAtMs };
}

function run(ruleSet: RuleSet, ctx: PricingContext, out: MarketOutcome, trace: Trace | null): number {
  const rules = ruleSet.rules;
  const frozen = ruleSet.guardrails.killSwitch.engaged;
  const base = clampMoney(ctx.basePriceMinor);
  if (trace) trace.lines?.push({ rule: 'base', ruleIndex: null, deltaMinor: base, detail: trace.details ? 'base price' : '' });
  let price = base;
  // The size-tier price: the change cap compares streams at the same tier, and a frozen price follows tier drops.
  let anchor = base;
  let marketClosed = false;
  for (let index = 0; index < rules.length; index++) {
    const rule = rules[index]!;
    const stage = stageOf(rule.kind);
    if (!marketClosed && stage >= FIRST_SHOPPER_STAGE) {
      price = closeMarket(ruleSet.guardrails, ctx, anchor, price, out, trace);
      marketClosed = true;
    }
    if (frozen && stage > 0 && stage < FIRST_SHOPPER_STAGE) {
      // Frozen: dynamic rules do not move the price, but demand is still observed so a resumed surge is informed.
      if (rule.kind === 'demand_surge') out.surge = advanceSurge(rule, ctx.surge, ctx.demand, ctx.nowMs);
      continue;
    }
    price = applyRule(rule, index, price, ctx, out, trace);
    if (stage === 0) anchor = price;
  }
  if (!marketClosed) price = closeMarket(ruleSet.guardrails, ctx, anchor, price, out, trace);
  return applyGuardrailBounds(ruleSet.guardrails, price, trace);
}

/** `detail` is `false` when the caller asked for lines without text (the `&&` at each call skips building it). */
function record(trace: Trace, rule: Rule, ruleIndex: number, deltaMinor: number, detail: string | false): void {
  if (trace.lines === null) return;
  const line: ExplanationLine = { rule: rule.kind, ruleIndex, deltaMinor, detail: detail || '' };
  if (rule.label !== undefined) line.label = rule.label;
  trace.lines.push(line);
}

function wake(trace: Trace, atMs: number | null): void {
  if (atMs !== null && atMs > trace.nowMs && (trace.wakeAtMs === null || atMs < trace.wakeAtMs)) trace.wakeAtMs = atMs;
}

function applyRule(rule: Rule, index: number, price: number, ctx: PricingContext, out: MarketOutcome, trace: Trace | null): number {
  switch (rule.kind) {
    case 'size_tiers': {
      let tierIndex = -1;
      for (let i = 0; i < rule.tiers.length; i++) {
        if (rule.tiers[i]!.minSize > ctx.groupSize) break;
        tierIndex = i;
      }
      if (tierIndex < 0) return price;
      // A tier is a group discount: it never lifts the price above the base, whatever the base was edited to,
      // so "the price only falls as the group grows" holds for every base price, not only validated ones.
      const tier = rule.tiers[tierIndex]!;
      const next = Math.min(clampMoney(tier.priceMinor), price);
      if (trace) record(trace, rule, index, next - price, trace.details && `group of ${ctx.groupSize}: tier from ${tier.minSize} members${next === price && tier.priceMinor > price ? ' (above the base price, so the base stays)' : ''}`);
      return next;
    }
    case 'time_decay_linear': {
      const deadlineMs = deadlineOf(ctx, rule.deadline);
      if (deadlineMs === null) return price;
      if (trace) wake(trace, linearDecayWakeAtMs(rule, deadlineMs, ctx.nowMs));
      const bps = linearDecayBps(rule, deadlineMs, ctx.nowMs);
      if (bps === null) return price;
      const next = adjustByBps(price, bps);
      if (trace) record(trace, rule, index, next - price, trace.details && `${formatDuration(deadlineMs - ctx.nowMs)} before the ${rule.deadline} deadline: ${formatBps(bps)} of ${formatBps(rule.adjustmentBps)}`);
      return next;
    }
    case 'time_decay_stepped': {
      const deadlineMs = deadlineOf(ctx, rule.deadline);
      if (deadlineMs === null) return price;
      if (trace) wake(trace, steppedDecayWakeAtMs(rule, deadlineMs, ctx.nowMs));
      const step = rule.steps[steppedDecayIndex(rule, deadlineMs, ctx.nowMs)];
      if (!step) return price;
      const next = adjustByBps(price, step.adjustmentBps);
      if (trace) record(trace, rule, index, next - price, trace.details && `within ${formatDuration(step.withinMs)} of the ${rule.deadline} deadline: ${formatBps(step.adjustmentBps)}`);
      return next;
    }
    case 'window': {
      if (trace) wake(trace, windowWakeAtMs(rule.schedule, ctx));
      if (!windowInForce(rule.schedule, ctx)) return price;
      const next = applyWindowAdjustment(price, rule.adjustment);
      if (trace) record(trace, rule, index, next - price, trace.details && `${describeSchedule(rule.schedule)}: ${describeAdjustment(rule.adjustment)}`);
      return next;
    }
    case 'scarcity': {
      const left = rule.measure === 'units_left' ? ctx.inventoryLeft : ctx.inventoryTotal > 0 ? floorDiv(ctx.inventoryLeft * BPS_ONE, ctx.inventoryTotal) : 0;
      let threshold: (typeof rule.thresholds)[number] | null = null;
      for (const candidate of rule.thresholds) {
        if (left > candidate.atMostLeft) break;
        threshold = candidate;
      }
      if (threshold === null) return price;
      const next = adjustByBps(price, threshold.adjustmentBps);
      const unit = rule.measure === 'units_left' ? 'units' : 'bps of the inventory';
      if (trace) record(trace, rule, index, next - price, trace.details && `${left} ${unit} left (at most ${threshold.atMostLeft}): ${formatBps(threshold.adjustmentBps)}`);
      return next;
    }
    case 'demand_surge': {
      const state = advanceSurge(rule, ctx.surge, ctx.demand, ctx.nowMs);
      out.surge = state;
      if (trace) wake(trace, surgeWakeAtMs(rule, state, ctx.demand));
      if (state.appliedBps === 0 && state.level < 0) return price;
      const next = adjustByBps(price, state.appliedBps);
      if (trace && !trace.details) record(trace, rule, index, next - price, false);
      else if (trace) {
        const target = surgeTargetBps(rule, state.level);
        const ramp = state.appliedBps === target ? '' : `, moving toward ${formatBps(target)}`;
        record(trace, rule, index, next - price, `${rule.signal} ≈ ${formatMilli(state.smoothedMilli)} (level ${state.level + 1} of ${rule.levels.length}): ${formatBps(state.appliedBps)}${ramp}`);
      }
      return next;
    }
    case 'newcomer_discount':
      return ctx.segment.newcomer ? discount(rule, index, price, rule.discountBps, 'newcomer', trace) : price;
    case 'leader_discount':
      return ctx.segment.isLeader ? discount(rule, index, price, rule.discountBps, 'group leader', trace) : price;
    case 'member_tier_discount': {
      const memberTier = ctx.segment.memberTier;
      if (memberTier === null) return price;
      for (const tier of rule.tiers) {
        if (tier.tier === memberTier) return discount(rule, index, price, tier.discountBps, `member tier ${memberTier}`, trace);
      }
      return price;
    }
    case 'rounding': {
      const next = roundPrice(price, rule.unitMinor, rule.endingMinor, rule.direction);
      if (trace && next !== price) record(trace, rule, index, next - price, trace.details && `${rule.direction} to a price ending in ${describeEnding(rule.unitMinor, rule.endingMinor)}`);
      return next;
    }
    case 'price_bounds': {
      // Floor first, then ceiling: when the two conflict the ceiling wins, in the shopper's favour.
      const base = clampMoney(ctx.basePriceMinor);
      const floor = Math.max(rule.floorMinor ?? 0, rule.floorBpsOfBase === undefined ? 0 : mulDivFloor(base, rule.floorBpsOfBase, BPS_ONE));
      const ceiling = Math.min(rule.ceilingMinor ?? PRICE_MINOR_MAX, rule.ceilingBpsOfBase === undefined ? PRICE_MINOR_MAX : mulDivFloor(base, rule.ceilingBpsOfBase, BPS_ONE));
      const next = Math.min(Math.max(price, floor), ceiling);
      if (trace && next !== price) record(trace, rule, index, next - price, trace.details && (next === ceiling ? `ceiling ${ceiling}` : `floor ${floor}`));
      return next;
    }
  }
}

function discount(rule: Rule, index: number, price: number, discountBps: number, who: string, trace: Trace | null): number {
  const next = adjustByBps(price, -discountBps);
  if (trace) record(trace, rule, index, next - price, trace.details && `${who}: ${formatBps(-discountBps)}`);
  return next;
}

function applyWindowAdjustment(price: number, adjustment: WindowAdjustment): number {
  switch (adjustment.type) {
    case 'bps':
      return adjustByBps(price, adjustment.bps);
    case 'amount':
      return clampMoney(price + adjustment.amountMinor);
    case 'price':
      return clampMoney(adjustment.priceMinor);
  }
}

/**
 * The value ≡ ending (mod unit) next to `price` in the given direction; ties of `nearest` go down. When no such
 * value exists within [0, PRICE_MINOR_MAX] in that direction (50 rounded down to …99), the price stays as it is:
 * "down" must never raise a price, nor "up" lower one.
 */
export function roundPrice(price: number, unitMinor: number, endingMinor: number, direction: 'down' | 'up' | 'nearest'): number {
  const down = floorDiv(price - endingMinor, unitMinor) * unitMinor + endingMinor;
  const up = down === price ? price : down + unitMinor;
  const downOk = down >= 0;
  const upOk = up <= PRICE_MINOR_MAX;
  if (direction === 'down') return downOk ? down : price;
  if (direction === 'up') return upOk ? up : price;
  if (!downOk) return upOk ? up : price;
  if (!upOk) return down;
  return price - down <= up - price ? down : up;
}

/** A reference market price scaled to the current tier price: the market's ratio to its tier, kept. */
function rescale(marketMinor: number, anchorMinor: number, referenceAnchorMinor: number): number {
  if (referenceAnchorMinor === anchorMinor || referenceAnchorMinor <= 0) return marketMinor;
  return clampMoney(mulDivFloor(marketMinor, anchorMinor, referenceAnchorMinor));
}

/** Products below this are exact in a double and divide exactly through floorDiv. */
const EXACT_PRODUCT_LIMIT = 2 ** 52;

/**
 * The market prices the change cap allows: the reference scaled to the current tier (reference × anchor / its
 * anchor, kept as an exact fraction), −drop … +rise of it, each end rounded toward the reference so the cap is
 * never exceeded. Both ends only grow with the anchor, so a larger group never gets a higher price from the cap.
 * When the scaled reference is not a whole number and the cap is 0, the ends would cross; the lower one wins.
 */
function capBounds(referenceMarketMinor: number, anchor: number, referenceAnchorMinor: number, maxDropBps: number, maxRiseBps: number): [number, number] {
  if (referenceAnchorMinor === anchor || referenceAnchorMinor <= 0) {
    const low = referenceMarketMinor - mulDivFloor(referenceMarketMinor, maxDropBps, BPS_ONE);
    return [low, clampMoney(referenceMarketMinor + mulDivFloor(referenceMarketMinor, maxRiseBps, BPS_ONE))];
  }
  // A tier change: rare next to the hot path, so exact BigInt arithmetic is affordable here. (BigInt throws on a
  // fraction; a context that broke its schema gets the plain rescaled reference rather than an exception.)
  if (!Number.isSafeInteger(referenceMarketMinor) || !Number.isSafeInteger(anchor) || !Number.isSafeInteger(referenceAnchorMinor)) {
    const reference = rescale(referenceMarketMinor, anchor, referenceAnchorMinor);
    return [reference, reference];
  }
  const denominator = referenceAnchorMinor * BPS_ONE;
  const highTimesDenominator = referenceMarketMinor * anchor * (BPS_ONE + maxRiseBps);
  if (highTimesDenominator < EXACT_PRODUCT_LIMIT) {
    // Everyday prices: every product is an exact double, so plain division (corrected by floorDiv) is exact.
    const low = -floorDiv(-referenceMarketMinor * anchor * (BPS_ONE - maxDropBps), denominator);
    const high = clampMoney(floorDiv(highTimesDenominator, denominator));
    return [Math.min(low, high), high];
  }
  const scaled = BigInt(referenceMarketMinor) * BigInt(anchor);
  const bigDenominator = BigInt(denominator);
  const lowTimesDenominator = scaled * BigInt(BPS_ONE - maxDropBps);
  const low = Number((lowTimesDenominator + bigDenominator - 1n) / bigDenominator);
  const high = clampMoney(Number((scaled * BigInt(BPS_ONE + maxRiseBps)) / bigDenominator));
  return [Math.min(low, high), high];
}

/** The change cap or the kill switch on the market price, and the stream's interval memory after it. */
function closeMarket(g: Guardrails, ctx: PricingContext, anchor: number, price: number, out: MarketOutcome, trace: Trace | null): number {
  const window = ctx.priceWindow;
  const { intervalMs, maxRiseBps, maxDropBps } = g.maxChange;
  let startedAtMs = ctx.nowMs;
  let referenceAnchorMinor = anchor;
  let referenceMarketMinor = price;
  if (window !== null && ctx.nowMs - window.startedAtMs < intervalMs) {
    startedAtMs = window.startedAtMs;
    referenceAnchorMinor = window.referenceAnchorMinor;
    referenceMarketMinor = window.referenceMarketMinor;
  } else if (window !== null) {
    // A new interval: its reference is the last market price of the one before.
    referenceAnchorMinor = window.lastAnchorMinor;
    referenceMarketMinor = window.lastMarketMinor;
  }
  let market = price;
  if (g.killSwitch.engaged) {
    market = g.killSwitch.priceMinor ?? (window === null ? anchor : rescale(window.lastMarketMinor, anchor, window.lastAnchorMinor));
    if (trace) trace.lines?.push({ rule: 'kill_switch', ruleIndex: null, deltaMinor: market - price, detail: trace.details ? `market price frozen at ${market}` : '' });
  } else if (window !== null) {
    // A ratio of 0 bounds nothing: from a free reference price the cap cannot say how far is too far. (Decided on
    // the stored reference, not the scaled one, so the answer does not depend on the group's size.)
    if (referenceMarketMinor > 0) {
      const [low, high] = capBounds(referenceMarketMinor, anchor, referenceAnchorMinor, maxDropBps, maxRiseBps);
      market = price < low ? low : price > high ? high : price;
      if (trace && market !== price) {
        const reference = rescale(referenceMarketMinor, anchor, referenceAnchorMinor);
        trace.lines?.push({ rule: 'change_cap', ruleIndex: null, deltaMinor: market - price, detail: trace.details ? `held within ${formatBps(-maxDropBps)} … ${formatBps(maxRiseBps)} of ${reference} for ${formatDuration(intervalMs)} from ${startedAtMs}` : '' });
        wake(trace, startedAtMs + intervalMs);
      }
    }
  }
  // A stream's first price is its own reference.
  if (window === null) referenceMarketMinor = market;
  out.marketPriceMinor = market;
  out.priceWindow = { startedAtMs, referenceAnchorMinor, referenceMarketMinor, lastAnchorMinor: anchor, lastMarketMinor: market };
  return market;
}

function applyGuardrailBounds(g: Guardrails, price: number, trace: Trace | null): number {
  let next = price;
  if (next < g.floorMinor) {
    if (trace) trace.lines?.push({ rule: 'guardrail_floor', ruleIndex: null, deltaMinor: g.floorMinor - next, detail: trace.details ? `never below ${g.floorMinor}` : '' });
    next = g.floorMinor;
  }
  if (next > g.ceilingMinor) {
    if (trace) trace.lines?.push({ rule: 'guardrail_ceiling', ruleIndex: null, deltaMinor: g.ceilingMinor - next, detail: trace.details ? `never above ${g.ceilingMinor}` : '' });
    next = g.ceilingMinor;
  }
  return next;
}
