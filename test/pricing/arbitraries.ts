// fast-check generators for valid rule sets and contexts. Rule sets are built valid by construction (stage
// order, single kinds, prices inside the guardrails) and then still go through parseRuleSet, so a generator
// bug shows up as a failed parse rather than as a confusing evaluation.
import fc from 'fast-check';
import { parseRuleSet, type Guardrails, type PricingContext, type PriceWindow, type RuleSet, type SurgeState } from '../../pricing/index.ts';

/** Around 2027: far from 0, so relative times never go negative. */
export const T0 = 1_800_000_000_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MEMBER_TIERS = ['silver', 'gold', 'plus'] as const;
const SIGNALS = ['joins_per_hour', 'bids_per_hour', 'queue_length', 'utilization_bps'] as const;

const bps = fc.integer({ min: -10_000, max: 10_000 });
const discountBps = fc.integer({ min: 0, max: 10_000 });
const maybeLabel = fc.option(fc.constantFrom('promo', 'night owl', '早鸟'), { nil: undefined });

function sortedUnique(values: number[], descending = false): number[] {
  const unique = [...new Set(values)].sort((a, b) => a - b);
  return descending ? unique.reverse() : unique;
}

export const guardrailsArb: fc.Arbitrary<Guardrails> = fc
  .record({
    floorMinor: fc.integer({ min: 0, max: 3_000 }),
    span: fc.integer({ min: 0, max: 300_000 }),
    intervalMs: fc.integer({ min: 1_000, max: 4 * HOUR }),
    maxRiseBps: fc.oneof(fc.integer({ min: 0, max: 3_000 }), fc.integer({ min: 0, max: 1_000_000 })),
    maxDropBps: fc.integer({ min: 0, max: 10_000 }),
    engaged: fc.integer({ min: 0, max: 6 }).map((n) => n === 0),
    frozenShare: fc.option(fc.integer({ min: 0, max: 10_000 }), { nil: undefined }),
  })
  .map(({ floorMinor, span, intervalMs, maxRiseBps, maxDropBps, engaged, frozenShare }) => {
    const ceilingMinor = floorMinor + span;
    const killSwitch: Guardrails['killSwitch'] = { engaged };
    if (frozenShare !== undefined) killSwitch.priceMinor = floorMinor + Math.floor((span * frozenShare) / 10_000);
    return { floorMinor, ceilingMinor, maxChange: { intervalMs, maxRiseBps, maxDropBps }, killSwitch };
  });

const deadlineAnchor = fc.constantFrom('group' as const, 'offer' as const);

function rulesArb(g: Guardrails): fc.Arbitrary<unknown[]> {
  const price = fc.integer({ min: g.floorMinor, max: g.ceilingMinor });
  const sizeTiers = fc
    .record({ sizes: fc.array(fc.integer({ min: 1, max: 60 }), { minLength: 1, maxLength: 6 }), prices: fc.array(price, { minLength: 6, maxLength: 6 }), label: maybeLabel })
    .map(({ sizes, prices, label }) => {
      const minSizes = sortedUnique(sizes);
      const tierPrices = [...prices].sort((a, b) => b - a);
      return { kind: 'size_tiers', label, tiers: minSizes.map((minSize, i) => ({ minSize, priceMinor: tierPrices[i]! })) };
    });
  const linear = fc
    .record({ from: fc.integer({ min: 1, max: 48 * HOUR }), until: fc.integer({ min: 0, max: 48 * HOUR }), adjustmentBps: bps, stepMs: fc.integer({ min: 1_000, max: 2 * HOUR }), deadline: deadlineAnchor })
    .filter(({ from, until }) => from > until)
    .map(({ from, until, adjustmentBps, stepMs, deadline }) => ({ kind: 'time_decay_linear', deadline, fromBeforeDeadlineMs: from, untilBeforeDeadlineMs: until, adjustmentBps, stepMs }));
  const stepped = fc
    .record({ within: fc.array(fc.integer({ min: 1, max: 48 * HOUR }), { minLength: 1, maxLength: 4 }), adjustments: fc.array(bps, { minLength: 4, maxLength: 4 }), deadline: deadlineAnchor })
    .map(({ within, adjustments, deadline }) => ({ kind: 'time_decay_stepped', deadline, steps: sortedUnique(within, true).map((withinMs, i) => ({ withinMs, adjustmentBps: adjustments[i]! })) }));
  const schedule = fc.oneof(
    fc.record({ start: fc.integer({ min: T0, max: T0 + 3 * DAY }), length: fc.integer({ min: 1, max: DAY }) }).map(({ start, length }) => ({ type: 'absolute', startMs: start, endMs: start + length })),
    fc.record({ until: fc.integer({ min: 0, max: 24 * HOUR }), length: fc.integer({ min: 1, max: 24 * HOUR }), deadline: deadlineAnchor }).map(({ until, length, deadline }) => ({ type: 'before_deadline', deadline, fromMs: until + length, untilMs: until })),
    fc.record({ startMinute: fc.integer({ min: 0, max: 1_439 }), endMinute: fc.integer({ min: 0, max: 1_440 }) }).filter(({ startMinute, endMinute }) => startMinute !== endMinute % 1_440).map((s) => ({ type: 'daily', ...s })),
  );
  const adjustment = fc.oneof(
    bps.map((b) => ({ type: 'bps', bps: b })),
    fc.integer({ min: -50_000, max: 50_000 }).map((amountMinor) => ({ type: 'amount', amountMinor })),
    price.map((priceMinor) => ({ type: 'price', priceMinor })),
  );
  const windowRule = fc.record({ kind: fc.constant('window'), label: maybeLabel, schedule, adjustment });
  const scarcity = fc
    .record({ measure: fc.constantFrom('units_left', 'share_left_bps'), left: fc.array(fc.integer({ min: 0, max: 1_000 }), { minLength: 1, maxLength: 4 }), adjustments: fc.array(bps, { minLength: 4, maxLength: 4 }) })
    .map(({ measure, left, adjustments }) => ({ kind: 'scarcity', measure, thresholds: sortedUnique(left.map((l) => (measure === 'share_left_bps' ? l * 10 : l)), true).map((atMostLeft, i) => ({ atMostLeft, adjustmentBps: adjustments[i]! })) }));
  const surge = fc
    .record({
      signal: fc.constantFrom(...SIGNALS),
      halfLifeMs: fc.integer({ min: 1_000, max: HOUR }),
      atLeast: fc.array(fc.integer({ min: 0, max: 5_000 }), { minLength: 1, maxLength: 4 }),
      adjustments: fc.array(bps, { minLength: 4, maxLength: 4 }),
      hysteresisBps: discountBps,
      minDwellMs: fc.integer({ min: 0, max: HOUR }),
      maxStepBps: fc.integer({ min: 1, max: 20_000 }),
      stepIntervalMs: fc.integer({ min: 1_000, max: HOUR }),
    })
    .map(({ atLeast, adjustments, ...rest }) => {
      const thresholds = sortedUnique(atLeast);
      const levelAdjustments = adjustments.slice(0, thresholds.length).sort((a, b) => a - b);
      return { kind: 'demand_surge', ...rest, levels: thresholds.map((t, i) => ({ atLeast: t, adjustmentBps: levelAdjustments[i]! })) };
    });
  const newcomer = discountBps.map((d) => ({ kind: 'newcomer_discount', discountBps: d }));
  const leader = discountBps.map((d) => ({ kind: 'leader_discount', discountBps: d }));
  const member = fc
    .subarray([...MEMBER_TIERS], { minLength: 1 })
    .chain((names) => fc.array(discountBps, { minLength: names.length, maxLength: names.length }).map((ds) => ({ kind: 'member_tier_discount', tiers: names.map((tier, i) => ({ tier, discountBps: ds[i]! })) })));
  const rounding = fc
    .record({ unitMinor: fc.constantFrom(1, 5, 10, 100, 1_000), ending: fc.nat(), direction: fc.constantFrom('down', 'up', 'nearest') })
    .map(({ unitMinor, ending, direction }) => ({ kind: 'rounding', unitMinor, endingMinor: ending % unitMinor, direction }));
  const bounds = fc
    .record({
      floorMinor: fc.option(fc.integer({ min: 0, max: g.ceilingMinor }), { nil: undefined }),
      ceilingMinor: fc.option(fc.integer({ min: g.floorMinor, max: g.ceilingMinor + 10_000 }), { nil: undefined }),
      floorBpsOfBase: fc.option(fc.integer({ min: 0, max: 10_000 }), { nil: undefined }),
      ceilingBpsOfBase: fc.option(fc.integer({ min: 10_000, max: 30_000 }), { nil: undefined }),
    })
    .filter((b) => Object.values(b).some((v) => v !== undefined) && (b.floorMinor === undefined || b.ceilingMinor === undefined || b.floorMinor <= b.ceilingMinor))
    .map((b) => ({ kind: 'price_bounds', ...b }));

  const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
  return fc
    .record({
      tiers: optional(sizeTiers),
      time: fc.array(fc.oneof(linear, stepped), { maxLength: 2 }),
      windows: fc.array(windowRule, { maxLength: 2 }),
      scarcity: optional(scarcity),
      surge: optional(surge),
      // Any subset of the three discounts, in any order (their order is part of what is tested).
      segment: fc.record({ all: fc.tuple(newcomer, leader, member), order: fc.shuffledSubarray([0, 1, 2]) }).map(({ all, order }) => order.map((i): unknown => all[i])),
      rounding: optional(rounding),
      bounds: optional(bounds),
    })
    .map((r) => [r.tiers, ...r.time, ...r.windows, r.scarcity, r.surge, ...r.segment, r.rounding, r.bounds].filter((rule) => rule !== undefined));
}

export const ruleSetArb: fc.Arbitrary<RuleSet> = guardrailsArb.chain((guardrails) =>
  rulesArb(guardrails).map((rules) => {
    const parsed = parseRuleSet({ schemaVersion: 1, currency: 'CNY', version: 1, rules, guardrails });
    if (!parsed.ok) throw new Error(`generated rule set is invalid: ${JSON.stringify(parsed.errors)}\n${JSON.stringify(rules)}`);
    return parsed.ruleSet;
  }),
);

export const surgeStateArb = (nowMs: number): fc.Arbitrary<SurgeState> =>
  fc.record({
    signal: fc.constantFrom(...SIGNALS),
    updatedAtMs: fc.integer({ min: nowMs - DAY, max: nowMs + HOUR }),
    smoothedMilli: fc.oneof(fc.integer({ min: 0, max: 5_000_000 }), fc.integer({ min: 0, max: 1_000_000_000 })),
    level: fc.integer({ min: -1, max: 5 }),
    levelSinceMs: fc.integer({ min: nowMs - DAY, max: nowMs }),
    appliedBps: bps,
    lastStepAtMs: fc.option(fc.integer({ min: nowMs - DAY, max: nowMs }), { nil: null }),
  });

export const priceWindowArb = (nowMs: number): fc.Arbitrary<PriceWindow> =>
  fc.record({
    startedAtMs: fc.integer({ min: nowMs - 6 * HOUR, max: nowMs }),
    referenceAnchorMinor: fc.integer({ min: 0, max: 300_000 }),
    referenceMarketMinor: fc.integer({ min: 0, max: 300_000 }),
    lastAnchorMinor: fc.integer({ min: 0, max: 300_000 }),
    lastMarketMinor: fc.integer({ min: 0, max: 300_000 }),
  });

export const contextArb: fc.Arbitrary<PricingContext> = fc.integer({ min: T0, max: T0 + 3 * DAY }).chain((nowMs) =>
  fc
    .record({
      basePriceMinor: fc.oneof(fc.integer({ min: 0, max: 300_000 }), fc.integer({ min: 0, max: 100_000_000_000 })),
      utcOffsetMinutes: fc.integer({ min: -840, max: 840 }),
      groupSize: fc.integer({ min: 0, max: 80 }),
      seatsMissing: fc.integer({ min: 0, max: 10 }),
      groupDeadlineMs: fc.option(fc.integer({ min: nowMs - 2 * HOUR, max: nowMs + 48 * HOUR }), { nil: null }),
      offerEndMs: fc.option(fc.integer({ min: nowMs - 2 * HOUR, max: nowMs + 72 * HOUR }), { nil: null }),
      inventoryTotal: fc.integer({ min: 0, max: 1_000 }),
      leftShare: fc.integer({ min: 0, max: 1_000 }),
      demand: fc.record({
        joinsSinceSurgeUpdate: fc.integer({ min: 0, max: 500 }),
        bidsSinceSurgeUpdate: fc.integer({ min: 0, max: 500 }),
        queueLength: fc.integer({ min: 0, max: 5_000 }),
        utilizationBps: fc.integer({ min: 0, max: 10_000 }),
      }),
      segment: fc.record({ newcomer: fc.boolean(), memberTier: fc.option(fc.constantFrom(...MEMBER_TIERS, 'bronze'), { nil: null }), isLeader: fc.boolean() }),
      surge: fc.option(surgeStateArb(nowMs), { nil: null }),
      priceWindow: fc.option(priceWindowArb(nowMs), { nil: null }),
    })
    .map(({ inventoryTotal, leftShare, ...rest }) => ({ ...rest, nowMs, inventoryTotal, inventoryLeft: Math.floor((inventoryTotal * leftShare) / 1_000) })),
);
