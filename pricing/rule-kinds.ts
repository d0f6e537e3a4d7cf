// The rule kinds a merchant can put in a rule set, as zod schemas. Each is `.strict()` (an unknown field is a
// typo, not something to drop silently) and checks its own cross-field rules, reporting the exact field
// (`tiers.1.priceMinor`); rule-set.ts adds the checks that need the whole set. Money is integer minor units,
// ratios are basis points (1 bps = 0.01 %), durations are milliseconds: no floats anywhere in stored rules.
import { z } from 'zod';
import { PRICE_MINOR_MAX } from './integer-math.ts';

/** Bounds on everything a rule set may contain, so evaluation cost and stored size stay small and known. */
export const PRICING_LIMITS = {
  priceMinorMax: PRICE_MINOR_MAX,
  rulesMax: 24,
  tiersMax: 32,
  stepsMax: 32,
  thresholdsMax: 16,
  levelsMax: 16,
  memberTiersMax: 16,
  labelLengthMax: 80,
  groupSizeMax: 1_000_000,
  inventoryMax: 1_000_000_000,
  /** Relative durations (before a deadline, intervals): up to a year. */
  durationMsMax: 366 * 24 * 3_600_000,
  /** Year 2286 in ms since the epoch, as in the engine. */
  timeMsMax: 10_000_000_000_000,
  /** Demand thresholds and inputs (joins per hour, queue length): up to a million. */
  signalMax: 1_000_000,
  halfLifeMsMin: 1_000,
  halfLifeMsMax: 3_600_000,
  /** A ceiling or floor relative to the base price may be up to 10× the base. */
  boundBpsOfBaseMax: 100_000,
  /** The change cap may allow a rise up to 100× within one interval; drops are at most the whole price. */
  maxRiseBpsMax: 1_000_000,
} as const;

export const Money = z.number().int().min(0).max(PRICE_MINOR_MAX);
export const SignedMoney = z.number().int().min(-PRICE_MINOR_MAX).max(PRICE_MINOR_MAX);
/** A discount: 0 … 10 000 bps (0 … 100 %). */
export const DiscountBps = z.number().int().min(0).max(10_000);
/** A price adjustment: −10 000 … +10 000 bps (free … double). */
export const AdjustmentBps = z.number().int().min(-10_000).max(10_000);
export const DurationMs = z.number().int().min(0).max(PRICING_LIMITS.durationMsMax);
export const TimeMs = z.number().int().min(0).max(PRICING_LIMITS.timeMsMax);
export const MemberTierName = z
  .string()
  .min(1)
  .max(40)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'use letters, digits and _ . : - only');
/** Which deadline a time rule counts down to: the group's own deadline, or the offer's end. */
export const DeadlineAnchor = z.enum(['group', 'offer']);

const label = z.string().min(1).max(PRICING_LIMITS.labelLengthMax).optional();

type Issue = { path: (string | number)[]; message: string };
type RefinementCtx = { addIssue: (issue: { code: 'custom'; path: (string | number)[]; message: string }) => void };

function report(ctx: RefinementCtx, issue: Issue): void {
  ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
}

/** Reports each element whose `field` does not keep the order `ok(previous, current)` asks for. */
function checkOrder<T>(ctx: RefinementCtx, listName: string, items: readonly T[], field: keyof T & string, ok: (previous: number, current: number) => boolean, message: string): void {
  for (let index = 1; index < items.length; index++) {
    const previous = items[index - 1]![field] as number;
    const current = items[index]![field] as number;
    if (!ok(previous, current)) report(ctx, { path: [listName, index, field], message });
  }
}

export const SizeTiersRule = z
  .strictObject({
    kind: z.literal('size_tiers'),
    label,
    /** Groups of at least `minSize` members pay `priceMinor`; the last tier reached wins; below the first, the base. */
    tiers: z
      .array(z.strictObject({ minSize: z.number().int().min(1).max(PRICING_LIMITS.groupSizeMax), priceMinor: Money }))
      .min(1)
      .max(PRICING_LIMITS.tiersMax),
  })
  .superRefine((rule, ctx) => {
    checkOrder(ctx, 'tiers', rule.tiers, 'minSize', (a, b) => b > a, 'must be larger than the minSize of the tier before it');
    checkOrder(ctx, 'tiers', rule.tiers, 'priceMinor', (a, b) => b <= a, 'must not be above the price of the tier before it (a group’s price only falls as it grows)');
  });

export const TimeDecayLinearRule = z
  .strictObject({
    kind: z.literal('time_decay_linear'),
    label,
    deadline: DeadlineAnchor,
    /** The ramp starts this long before the deadline (no adjustment yet) … */
    fromBeforeDeadlineMs: DurationMs,
    /** … and reaches the full adjustment this long before it (0: at the deadline). */
    untilBeforeDeadlineMs: DurationMs,
    adjustmentBps: AdjustmentBps,
    /** The ramp moves in steps of this length, so the price changes at most once a step. */
    stepMs: z.number().int().min(1_000).max(PRICING_LIMITS.durationMsMax),
  })
  .superRefine((rule, ctx) => {
    if (rule.fromBeforeDeadlineMs <= rule.untilBeforeDeadlineMs) {
      report(ctx, { path: ['fromBeforeDeadlineMs'], message: 'must be larger than untilBeforeDeadlineMs (the ramp runs toward the deadline)' });
    }
  });

export const TimeDecaySteppedRule = z
  .strictObject({
    kind: z.literal('time_decay_stepped'),
    label,
    deadline: DeadlineAnchor,
    /** Once at most `withinMs` is left before the deadline, `adjustmentBps` applies; the step nearest the deadline wins. */
    steps: z
      .array(z.strictObject({ withinMs: DurationMs.min(1), adjustmentBps: AdjustmentBps }))
      .min(1)
      .max(PRICING_LIMITS.stepsMax),
  })
  .superRefine((rule, ctx) => {
    checkOrder(ctx, 'steps', rule.steps, 'withinMs', (a, b) => b < a, 'must be smaller than the withinMs of the step before it (steps run toward the deadline)');
  });

/** When a window is in force: absolute `[startMs, endMs)`, relative to a deadline, or daily in the offer's local time. */
export const WindowSchedule = z.discriminatedUnion('type', [
  z
    .strictObject({ type: z.literal('absolute'), startMs: TimeMs, endMs: TimeMs })
    .superRefine((s, ctx) => {
      if (s.endMs <= s.startMs) report(ctx, { path: ['endMs'], message: 'must be after startMs' });
    }),
  z
    .strictObject({ type: z.literal('before_deadline'), deadline: DeadlineAnchor, fromMs: DurationMs, untilMs: DurationMs })
    .superRefine((s, ctx) => {
      if (s.fromMs <= s.untilMs) report(ctx, { path: ['fromMs'], message: 'must be larger than untilMs (in force from fromMs before the deadline until untilMs before it)' });
    }),
  z
    .strictObject({ type: z.literal('daily'), startMinute: z.number().int().min(0).max(1_439), endMinute: z.number().int().min(0).max(1_440) })
    .superRefine((s, ctx) => {
      if (s.startMinute === s.endMinute % 1_440) report(ctx, { path: ['endMinute'], message: 'must differ from startMinute (a window that wraps past midnight is fine)' });
    }),
]);

/** What a window does to the price: a signed ratio, a signed amount, or a set price. */
export const WindowAdjustment = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('bps'), bps: AdjustmentBps }),
  z.strictObject({ type: z.literal('amount'), amountMinor: SignedMoney }),
  z.strictObject({ type: z.literal('price'), priceMinor: Money }),
]);

/** Flash sales, early birds, last-minute deals: an adjustment while a schedule is in force. */
export const WindowRule = z.strictObject({ kind: z.literal('window'), label, schedule: WindowSchedule, adjustment: WindowAdjustment });

export const ScarcityRule = z
  .strictObject({
    kind: z.literal('scarcity'),
    label,
    /** Units left, or the share of the inventory left in basis points. */
    measure: z.enum(['units_left', 'share_left_bps']),
    /** Once at most `atMostLeft` is left, `adjustmentBps` applies; the threshold with the least left wins. */
    thresholds: z
      .array(z.strictObject({ atMostLeft: z.number().int().min(0).max(PRICING_LIMITS.inventoryMax), adjustmentBps: AdjustmentBps }))
      .min(1)
      .max(PRICING_LIMITS.thresholdsMax),
  })
  .superRefine((rule, ctx) => {
    checkOrder(ctx, 'thresholds', rule.thresholds, 'atMostLeft', (a, b) => b < a, 'must be smaller than the atMostLeft of the threshold before it');
    if (rule.measure === 'share_left_bps') {
      rule.thresholds.forEach((t, index) => {
        if (t.atMostLeft > 10_000) report(ctx, { path: ['thresholds', index, 'atMostLeft'], message: 'a share is at most 10000 bps' });
      });
    }
  });

export const SurgeSignal = z.enum(['joins_per_hour', 'bids_per_hour', 'queue_length', 'utilization_bps']);

export const DemandSurgeRule = z
  .strictObject({
    kind: z.literal('demand_surge'),
    label,
    signal: SurgeSignal,
    /** Smoothing: an exponentially weighted moving average that forgets half of the past every half-life. */
    halfLifeMs: z.number().int().min(PRICING_LIMITS.halfLifeMsMin).max(PRICING_LIMITS.halfLifeMsMax),
    /** Once the smoothed signal is at least `atLeast`, the level's adjustment is the target; the highest level wins. */
    levels: z
      .array(z.strictObject({ atLeast: z.number().int().min(0).max(PRICING_LIMITS.signalMax), adjustmentBps: AdjustmentBps }))
      .min(1)
      .max(PRICING_LIMITS.levelsMax),
    /** Hysteresis: a level is left only once the signal is this far (bps of its threshold) below the threshold. */
    hysteresisBps: DiscountBps,
    /** …and only after it has been in force this long. */
    minDwellMs: DurationMs,
    /** The applied adjustment moves toward the target by at most `maxStepBps` per `stepIntervalMs`. */
    maxStepBps: z.number().int().min(1).max(20_000),
    stepIntervalMs: z.number().int().min(1_000).max(PRICING_LIMITS.durationMsMax),
  })
  .superRefine((rule, ctx) => {
    checkOrder(ctx, 'levels', rule.levels, 'atLeast', (a, b) => b > a, 'must be larger than the atLeast of the level before it');
    checkOrder(ctx, 'levels', rule.levels, 'adjustmentBps', (a, b) => b >= a, 'must not be below the adjustment of the level before it (more demand never lowers the price)');
    if (rule.signal === 'utilization_bps') {
      rule.levels.forEach((level, index) => {
        if (level.atLeast > 10_000) report(ctx, { path: ['levels', index, 'atLeast'], message: 'utilization is at most 10000 bps' });
      });
    }
  });

export const NewcomerDiscountRule = z.strictObject({ kind: z.literal('newcomer_discount'), label, discountBps: DiscountBps });

export const MemberTierDiscountRule = z
  .strictObject({
    kind: z.literal('member_tier_discount'),
    label,
    tiers: z.array(z.strictObject({ tier: MemberTierName, discountBps: DiscountBps })).min(1).max(PRICING_LIMITS.memberTiersMax),
  })
  .superRefine((rule, ctx) => {
    const seen = new Set<string>();
    rule.tiers.forEach((t, index) => {
      if (seen.has(t.tier)) report(ctx, { path: ['tiers', index, 'tier'], message: `tier "${t.tier}" is listed twice` });
      seen.add(t.tier);
    });
  });

export const LeaderDiscountRule = z.strictObject({ kind: z.literal('leader_discount'), label, discountBps: DiscountBps });

export const RoundingRule = z
  .strictObject({
    kind: z.literal('rounding'),
    label,
    /** Round to a value ≡ endingMinor (mod unitMinor): unit 100 + ending 0 → whole yuan; unit 100 + ending 99 → x.99. */
    unitMinor: z.number().int().min(1).max(1_000_000_000),
    endingMinor: z.number().int().min(0).max(999_999_999),
    direction: z.enum(['down', 'up', 'nearest']),
  })
  .superRefine((rule, ctx) => {
    if (rule.endingMinor >= rule.unitMinor) report(ctx, { path: ['endingMinor'], message: 'must be smaller than unitMinor' });
  });

const BoundBpsOfBase = z.number().int().min(0).max(PRICING_LIMITS.boundBpsOfBaseMax);

export const PriceBoundsRule = z
  .strictObject({
    kind: z.literal('price_bounds'),
    label,
    floorMinor: Money.optional(),
    ceilingMinor: Money.optional(),
    /** Bounds relative to the base price, rounded down: 8000 = never below 80 % of the base. */
    floorBpsOfBase: BoundBpsOfBase.optional(),
    ceilingBpsOfBase: BoundBpsOfBase.optional(),
  })
  .superRefine((rule, ctx) => {
    if (rule.floorMinor === undefined && rule.ceilingMinor === undefined && rule.floorBpsOfBase === undefined && rule.ceilingBpsOfBase === undefined) {
      report(ctx, { path: ['floorMinor'], message: 'a price_bounds rule needs at least one of floorMinor, ceilingMinor, floorBpsOfBase, ceilingBpsOfBase' });
    }
    if (rule.floorMinor !== undefined && rule.ceilingMinor !== undefined && rule.floorMinor > rule.ceilingMinor) {
      report(ctx, { path: ['ceilingMinor'], message: 'must not be below floorMinor' });
    }
    if (rule.floorBpsOfBase !== undefined && rule.ceilingBpsOfBase !== undefined && rule.floorBpsOfBase > rule.ceilingBpsOfBase) {
      report(ctx, { path: ['ceilingBpsOfBase'], message: 'must not be below floorBpsOfBase' });
    }
  });

export const Rule = z.discriminatedUnion('kind', [
  SizeTiersRule,
  TimeDecayLinearRule,
  TimeDecaySteppedRule,
  WindowRule,
  ScarcityRule,
  DemandSurgeRule,
  NewcomerDiscountRule,
  MemberTierDiscountRule,
  LeaderDiscountRule,
  RoundingRule,
  PriceBoundsRule,
]);

export type Rule = z.output<typeof Rule>;
export type RuleKind = Rule['kind'];
export type RuleOfKind<K extends RuleKind> = Extract<Rule, { kind: K }>;
export type SizeTiersRule = z.output<typeof SizeTiersRule>;
export type DemandSurgeRule = z.output<typeof DemandSurgeRule>;
export type SurgeSignal = z.output<typeof SurgeSignal>;
export type WindowSchedule = z.output<typeof WindowSchedule>;
export type WindowAdjustment = z.output<typeof WindowAdjustment>;
