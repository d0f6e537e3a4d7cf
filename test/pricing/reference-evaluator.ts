// A second evaluator, written from docs/pricing.md alone and kept deliberately naive: BigInt for every
// calculation (no floating-point division to correct), each stage picked out of the rule list by filtering on
// kind instead of trusting the list's order, no fast paths and no explanation. Only the differential tests use
// it: where it and pricing/evaluate.ts disagree, one of them misreads the spec.
import type { PricingContext, PriceWindow, RuleSet, SurgeState } from '../../pricing/index.ts';

type R = RuleSet['rules'][number];
type Of<K extends R['kind']> = Extract<R, { kind: K }>;

const MAX = 100_000_000_000n;
const DECAY_TABLE = [
  1000000, 989228, 978572, 968031, 957603, 947288, 937084, 926990, 917004, 907126, 897355, 887688, 878126, 868667, 859310, 850053, 840896, 831838,
  822878, 814014, 805245, 796571, 787990, 779502, 771105, 762799, 754582, 746454, 738413, 730459, 722590, 714807, 707107, 699490, 691955, 684501,
  677128, 669834, 662618, 655481, 648420, 641435, 634525, 627690, 620929, 614240, 607624, 601078, 594604, 588198, 581862, 575595, 569394, 563261,
  557193, 551191, 545254, 539380, 533570, 527823, 522137, 516512, 510949, 505445, 500000,
].map(BigInt);

const big = (n: number) => BigInt(n);
/** Floor division of BigInts (BigInt `/` truncates toward zero). */
function floor(a: bigint, b: bigint): bigint {
  const q = a / b;
  return (a % b !== 0n && (a < 0n) !== (b < 0n)) ? q - 1n : q;
}
const trunc = (a: bigint, b: bigint) => a / b;
const clampMoney = (p: bigint) => (p < 0n ? 0n : p > MAX ? MAX : p);
const minB = (a: bigint, b: bigint) => (a < b ? a : b);
const maxB = (a: bigint, b: bigint) => (a > b ? a : b);
const withBps = (p: bigint, bps: number) => clampMoney(floor(p * (10_000n + big(bps)), 10_000n));

function deadline(ctx: PricingContext, which: 'group' | 'offer'): number | null {
  return which === 'group' ? ctx.groupDeadlineMs : ctx.offerEndMs;
}

function timeRule(rule: Of<'time_decay_linear'> | Of<'time_decay_stepped'>, price: bigint, ctx: PricingContext): bigint {
  const d = deadline(ctx, rule.deadline);
  if (d === null) return price;
  const left = d - ctx.nowMs;
  if (rule.kind === 'time_decay_stepped') {
    const reached = rule.steps.filter((s) => left <= s.withinMs);
    return reached.length === 0 ? price : withBps(price, reached[reached.length - 1]!.adjustmentBps);
  }
  if (left > rule.fromBeforeDeadlineMs) return price;
  if (left <= rule.untilBeforeDeadlineMs) return withBps(price, rule.adjustmentBps);
  const span = big(rule.fromBeforeDeadlineMs - rule.untilBeforeDeadlineMs);
  const elapsed = big(rule.fromBeforeDeadlineMs - left);
  const stepped = floor(elapsed, big(rule.stepMs)) * big(rule.stepMs);
  return withBps(price, Number(floor(big(rule.adjustmentBps) * stepped, span)));
}

function windowRule(rule: Of<'window'>, price: bigint, ctx: PricingContext): bigint {
  const s = rule.schedule;
  let inForce: boolean;
  if (s.type === 'daily') {
    const dayMs = 86_400_000n;
    let local = (big(ctx.nowMs) + big(ctx.utcOffsetMinutes) * 60_000n) % dayMs;
    if (local < 0n) local += dayMs;
    const minute = Number(local / 60_000n);
    inForce = s.startMinute < s.endMinute ? s.startMinute <= minute && minute < s.endMinute : minute >= s.startMinute || minute < s.endMinute;
  } else if (s.type === 'absolute') {
    inForce = s.startMs <= ctx.nowMs && ctx.nowMs < s.endMs;
  } else {
    const d = deadline(ctx, s.deadline);
    inForce = d !== null && d - s.fromMs <= ctx.nowMs && ctx.nowMs < d - s.untilMs;
  }
  if (!inForce) return price;
  const a = rule.adjustment;
  if (a.type === 'bps') return withBps(price, a.bps);
  if (a.type === 'amount') return clampMoney(price + big(a.amountMinor));
  return clampMoney(big(a.priceMinor));
}

function scarcityRule(rule: Of<'scarcity'>, price: bigint, ctx: PricingContext): bigint {
  let left = big(ctx.inventoryLeft);
  if (rule.measure === 'share_left_bps') left = ctx.inventoryTotal > 0 ? floor(left * 10_000n, big(ctx.inventoryTotal)) : 0n;
  const met = rule.thresholds.filter((t) => left <= big(t.atMostLeft));
  return met.length === 0 ? price : withBps(price, met[met.length - 1]!.adjustmentBps);
}

function decay(elapsed: number, halfLife: number): bigint {
  if (elapsed <= 0) return 1_000_000n;
  const halvings = floor(big(elapsed), big(halfLife));
  if (halvings >= 32n) return 0n;
  const scaled = (big(elapsed) - halvings * big(halfLife)) * 64n;
  const index = floor(scaled, big(halfLife));
  const within = scaled - index * big(halfLife);
  const hi = DECAY_TABLE[Number(index)]!;
  const lo = DECAY_TABLE[Number(index) + 1]!;
  return floor(hi - floor((hi - lo) * within, big(halfLife)), 2n ** halvings);
}

function surgeStep(rule: Of<'demand_surge'>, old: SurgeState | null, ctx: PricingContext): SurgeState {
  const isRate = rule.signal === 'joins_per_hour' || rule.signal === 'bids_per_hour';
  const raw = { joins_per_hour: ctx.demand.joinsSinceSurgeUpdate, bids_per_hour: ctx.demand.bidsSinceSurgeUpdate, queue_length: ctx.demand.queueLength, utilization_bps: ctx.demand.utilizationBps }[rule.signal];
  const input = big(Math.max(0, Math.min(raw, rule.signal === 'utilization_bps' ? 10_000 : 1_000_000)));
  const s: SurgeState =
    old !== null && old.signal === rule.signal
      ? { ...old }
      : { signal: rule.signal, updatedAtMs: ctx.nowMs, smoothedMilli: isRate ? 0 : Number(input * 1000n), level: -1, levelSinceMs: ctx.nowMs, appliedBps: 0, lastStepAtMs: null };
  const now = Math.max(ctx.nowMs, s.updatedAtMs);
  const keep = decay(now - s.updatedAtMs, rule.halfLifeMs);
  let smoothed: bigint;
  if (isRate) {
    const perEvent = floor(3_600_000_000n * 693_147n, big(rule.halfLifeMs) * 1_000_000n);
    smoothed = minB(floor(big(s.smoothedMilli) * keep, 1_000_000n) + input * perEvent, 1_000_000_000n);
  } else {
    smoothed = input * 1000n + trunc((big(s.smoothedMilli) - input * 1000n) * keep, 1_000_000n);
  }
  smoothed = maxB(0n, minB(smoothed, 1_000_000_000n));
  const levels = rule.levels;
  const current = Math.min(s.level, levels.length - 1);
  const entered = levels.filter((l) => smoothed >= big(l.atLeast) * 1000n).length - 1;
  let level = current;
  if (entered > current) level = entered;
  else if (entered < current && now - s.levelSinceMs >= rule.minDwellMs) {
    level = -1;
    for (let k = 0; k <= current; k++) if (smoothed * 10_000n >= big(levels[k]!.atLeast) * 1000n * big(10_000 - rule.hysteresisBps)) level = k;
  }
  const target = level >= 0 ? levels[level]!.adjustmentBps : 0;
  let applied = s.appliedBps;
  let lastStep = s.lastStepAtMs;
  if (applied !== target && (lastStep === null || now - lastStep >= rule.stepIntervalMs)) {
    applied = target > applied ? Math.min(target, applied + rule.maxStepBps) : Math.max(target, applied - rule.maxStepBps);
    lastStep = now;
  }
  return { signal: rule.signal, updatedAtMs: now, smoothedMilli: Number(smoothed), level, levelSinceMs: level === s.level ? s.levelSinceMs : now, appliedBps: applied, lastStepAtMs: lastStep };
}

function rounded(price: bigint, rule: Of<'rounding'>): bigint {
  const unit = big(rule.unitMinor);
  const ending = big(rule.endingMinor);
  const down = floor(price - ending, unit) * unit + ending;
  const up = down === price ? price : down + unit;
  const downOk = down >= 0n;
  const upOk = up <= MAX;
  if (rule.direction === 'down') return downOk ? down : price;
  if (rule.direction === 'up') return upOk ? up : price;
  if (!downOk) return upOk ? up : price;
  if (!upOk) return down;
  return price - down <= up - price ? down : up;
}

export interface ReferenceResult {
  priceMinor: number;
  marketPriceMinor: number;
  surge: SurgeState | null;
  priceWindow: PriceWindow;
}

export function referenceEvaluate(ruleSet: RuleSet, ctx: PricingContext): ReferenceResult {
  const rules = ruleSet.rules;
  const g = ruleSet.guardrails;
  const frozen = g.killSwitch.engaged;
  const base = clampMoney(big(ctx.basePriceMinor));
  let price = base;

  for (const rule of rules.filter((r): r is Of<'size_tiers'> => r.kind === 'size_tiers')) {
    const reached = rule.tiers.filter((t) => t.minSize <= ctx.groupSize);
    if (reached.length > 0) price = minB(price, clampMoney(big(reached[reached.length - 1]!.priceMinor)));
  }
  const anchor = price;

  let surge: SurgeState | null = null;
  for (const rule of rules.filter((r) => ['time_decay_linear', 'time_decay_stepped', 'window', 'scarcity', 'demand_surge'].includes(r.kind))) {
    if (rule.kind === 'demand_surge') {
      surge = surgeStep(rule, ctx.surge, ctx);
      if (!frozen) price = withBps(price, surge.appliedBps);
    } else if (frozen) {
      continue;
    } else if (rule.kind === 'window') price = windowRule(rule, price, ctx);
    else if (rule.kind === 'scarcity') price = scarcityRule(rule, price, ctx);
    else if (rule.kind === 'time_decay_linear' || rule.kind === 'time_decay_stepped') price = timeRule(rule, price, ctx);
  }

  // The market price: kill switch, or the change cap against the interval's reference scaled to this tier.
  const w = ctx.priceWindow;
  const newInterval = w === null || ctx.nowMs - w.startedAtMs >= g.maxChange.intervalMs;
  const startedAtMs = newInterval ? ctx.nowMs : w.startedAtMs;
  let refAnchor = w === null ? anchor : big(newInterval ? w.lastAnchorMinor : w.referenceAnchorMinor);
  let refMarket = w === null ? price : big(newInterval ? w.lastMarketMinor : w.referenceMarketMinor);
  const scale = (market: bigint, from: bigint) => (from === anchor || from <= 0n ? market : clampMoney((market * anchor) / from));
  let market = price;
  if (frozen) {
    if (g.killSwitch.priceMinor !== undefined) market = big(g.killSwitch.priceMinor);
    else market = w === null ? anchor : scale(big(w.lastMarketMinor), big(w.lastAnchorMinor));
  } else if (w !== null && refMarket > 0n) {
    // reference = refMarket × anchor / refAnchor as a fraction (refMarket alone when the anchors match or refAnchor
    // is 0); low rounds up and high down, so the cap holds; if they cross, the lower wins.
    const [num, den] = refAnchor === anchor || refAnchor <= 0n ? [refMarket, 1n] : [refMarket * anchor, refAnchor];
    const lowExact = num * big(10_000 - g.maxChange.maxDropBps);
    const lowFloor = floor(lowExact, den * 10_000n);
    const low = lowFloor * den * 10_000n === lowExact ? lowFloor : lowFloor + 1n;
    const high = clampMoney(floor(num * big(10_000 + g.maxChange.maxRiseBps), den * 10_000n));
    market = minB(maxB(price, minB(low, high)), high);
  }
  if (w === null) {
    refAnchor = anchor;
    refMarket = market;
  }
  price = market;

  // Shopper discounts, in list order (their floors compound, so order is part of the spec).
  for (const rule of rules) {
    if (rule.kind === 'newcomer_discount' && ctx.segment.newcomer) price = withBps(price, -rule.discountBps);
    if (rule.kind === 'leader_discount' && ctx.segment.isLeader) price = withBps(price, -rule.discountBps);
    if (rule.kind === 'member_tier_discount') {
      const tier = rule.tiers.find((t) => t.tier === ctx.segment.memberTier);
      if (tier) price = withBps(price, -tier.discountBps);
    }
  }
  for (const rule of rules) if (rule.kind === 'rounding') price = rounded(price, rule);
  for (const rule of rules) {
    if (rule.kind !== 'price_bounds') continue;
    const b = big(ctx.basePriceMinor);
    const floorMinor = maxB(big(rule.floorMinor ?? 0), rule.floorBpsOfBase === undefined ? 0n : (b * big(rule.floorBpsOfBase)) / 10_000n);
    const ceilingMinor = minB(big(rule.ceilingMinor ?? Number(MAX)), rule.ceilingBpsOfBase === undefined ? MAX : (b * big(rule.ceilingBpsOfBase)) / 10_000n);
    price = minB(maxB(price, floorMinor), ceilingMinor);
  }
  price = minB(maxB(price, big(g.floorMinor)), big(g.ceilingMinor));

  return {
    priceMinor: Number(price),
    marketPriceMinor: Number(market),
    surge,
    priceWindow: { startedAtMs, referenceAnchorMinor: Number(refAnchor), referenceMarketMinor: Number(refMarket), lastAnchorMinor: Number(anchor), lastMarketMinor: Number(market) },
  };
}
