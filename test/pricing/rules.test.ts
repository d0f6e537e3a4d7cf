// One describe per rule kind: what it does to the price, when it is in force, which way it rounds, and the line
// it leaves in the explanation.
import { describe, expect, it } from 'vitest';
import { evaluate, evaluatePrice, roundPrice, type PricingContext } from '../../pricing/index.ts';
import { HOUR_MS, MINUTE_MS, contextWith, openGuardrails, ruleSetOf } from './fixtures.ts';

const NOW = 1_000 * HOUR_MS;

function priceOf(rules: unknown[], ctx: Partial<PricingContext> = {}): number {
  return evaluatePrice(ruleSetOf(rules), contextWith(ctx));
}

function linesOf(rules: unknown[], ctx: Partial<PricingContext> = {}) {
  return evaluate(ruleSetOf(rules), contextWith(ctx)).explanation.map(({ rule, deltaMinor, detail }) => ({ rule, deltaMinor, detail }));
}

describe('size_tiers', () => {
  const tiers = [{ kind: 'size_tiers', tiers: [{ minSize: 2, priceMinor: 9_000 }, { minSize: 5, priceMinor: 7_500 }] }];

  it('prices a group at the last tier it reached, and at the base below the first', () => {
    expect([1, 2, 4, 5, 60].map((groupSize) => priceOf(tiers, { groupSize }))).toEqual([10_000, 9_000, 9_000, 7_500, 7_500]);
  });

  it('explains the tier as a delta from the base', () => {
    expect(linesOf(tiers, { groupSize: 5 })).toEqual([
      { rule: 'base', deltaMinor: 10_000, detail: 'base price' },
      { rule: 'size_tiers', deltaMinor: -2_500, detail: 'group of 5: tier from 5 members' },
    ]);
  });

  it('never lifts a price above a base that was edited below the tier', () => {
    expect(priceOf(tiers, { groupSize: 2, basePriceMinor: 8_000 })).toBe(8_000);
  });
});

describe('time_decay_linear', () => {
  const rule = { kind: 'time_decay_linear', deadline: 'group', fromBeforeDeadlineMs: 10 * HOUR_MS, untilBeforeDeadlineMs: 0, adjustmentBps: -2_000, stepMs: HOUR_MS };
  const left = (ms: number) => ({ nowMs: NOW, groupDeadlineMs: NOW + ms });

  it('ramps from nothing to the full adjustment in whole steps', () => {
    expect(priceOf([rule], left(11 * HOUR_MS))).toBe(10_000);
    expect(priceOf([rule], left(10 * HOUR_MS))).toBe(10_000);
    expect(priceOf([rule], left(5 * HOUR_MS))).toBe(9_000);
    expect(priceOf([rule], left(5 * HOUR_MS + 30 * MINUTE_MS))).toBe(9_200); // 4.5 h in: 4 whole steps
    expect(priceOf([rule], left(0))).toBe(8_000);
    expect(priceOf([rule], left(-HOUR_MS))).toBe(8_000);
  });

  it('is not in force without its deadline, and reads the deadline it names', () => {
    expect(priceOf([rule], { nowMs: NOW, groupDeadlineMs: null, offerEndMs: NOW })).toBe(10_000);
    expect(priceOf([{ ...rule, deadline: 'offer' }], { nowMs: NOW, groupDeadlineMs: null, offerEndMs: NOW })).toBe(8_000);
  });

  it('rounds a partial adjustment toward the lower price', () => {
    const fine = { ...rule, fromBeforeDeadlineMs: 3 * HOUR_MS, stepMs: 1_000 };
    // 1 s into 3 h of −20 %: −0.185 bps, rounded down to −1 bps: 10 000 → 9 999.
    expect(priceOf([fine], left(3 * HOUR_MS - 1_000))).toBe(9_999);
  });

  it('wakes the engine at the next step', () => {
    const result = evaluate(ruleSetOf([rule]), contextWith(left(5 * HOUR_MS + 30 * MINUTE_MS)));
    expect(result.wakeAtMs).toBe(NOW + 30 * MINUTE_MS);
  });
});

describe('time_decay_stepped', () => {
  const rule = { kind: 'time_decay_stepped', deadline: 'offer', steps: [{ withinMs: 6 * HOUR_MS, adjustmentBps: -300 }, { withinMs: HOUR_MS, adjustmentBps: -800 }] };
  const left = (ms: number) => ({ nowMs: NOW, offerEndMs: NOW + ms });

  it('applies the step nearest the deadline that has been reached', () => {
    expect(priceOf([rule], left(7 * HOUR_MS))).toBe(10_000);
    expect(priceOf([rule], left(6 * HOUR_MS))).toBe(9_700);
    expect(priceOf([rule], left(30 * MINUTE_MS))).toBe(9_200);
  });

  it('wakes at the next step boundary', () => {
    expect(evaluate(ruleSetOf([rule]), contextWith(left(7 * HOUR_MS))).wakeAtMs).toBe(NOW + HOUR_MS);
    expect(evaluate(ruleSetOf([rule]), contextWith(left(3 * HOUR_MS))).wakeAtMs).toBe(NOW + 2 * HOUR_MS);
  });
});

describe('window', () => {
  const flash = { kind: 'window', label: 'flash sale', schedule: { type: 'absolute', startMs: NOW, endMs: NOW + HOUR_MS }, adjustment: { type: 'bps', bps: -5_000 } };

  it('is in force over [startMs, endMs)', () => {
    expect(priceOf([flash], { nowMs: NOW - 1 })).toBe(10_000);
    expect(priceOf([flash], { nowMs: NOW })).toBe(5_000);
    expect(priceOf([flash], { nowMs: NOW + HOUR_MS - 1 })).toBe(5_000);
    expect(priceOf([flash], { nowMs: NOW + HOUR_MS })).toBe(10_000);
  });

  it('carries its label into the explanation and wakes at its edges', () => {
    const result = evaluate(ruleSetOf([flash]), contextWith({ nowMs: NOW + 1 }));
    expect(result.explanation[1]).toMatchObject({ rule: 'window', ruleIndex: 0, label: 'flash sale', deltaMinor: -5_000 });
    expect(result.wakeAtMs).toBe(NOW + HOUR_MS);
    expect(evaluate(ruleSetOf([flash]), contextWith({ nowMs: NOW - 5 })).wakeAtMs).toBe(NOW);
  });

  it('sets a price, or adds an amount without going below zero', () => {
    expect(priceOf([{ ...flash, adjustment: { type: 'price', priceMinor: 6_600 } }], { nowMs: NOW })).toBe(6_600);
    expect(priceOf([{ ...flash, adjustment: { type: 'amount', amountMinor: -12_000 } }], { nowMs: NOW })).toBe(0);
    expect(priceOf([{ ...flash, adjustment: { type: 'amount', amountMinor: 250 } }], { nowMs: NOW })).toBe(10_250);
  });

  it('runs early-bird and last-minute windows relative to a deadline', () => {
    const lastMinute = { kind: 'window', schedule: { type: 'before_deadline', deadline: 'group', fromMs: HOUR_MS, untilMs: 0 }, adjustment: { type: 'bps', bps: -1_000 } };
    expect(priceOf([lastMinute], { nowMs: NOW, groupDeadlineMs: NOW + HOUR_MS + 1 })).toBe(10_000);
    expect(priceOf([lastMinute], { nowMs: NOW, groupDeadlineMs: NOW + HOUR_MS })).toBe(9_000);
    expect(priceOf([lastMinute], { nowMs: NOW, groupDeadlineMs: NOW })).toBe(10_000);
  });

  it('runs daily windows in the offer’s local time, across midnight', () => {
    const night = { kind: 'window', schedule: { type: 'daily', startMinute: 22 * 60, endMinute: 2 * 60 }, adjustment: { type: 'bps', bps: -1_000 } };
    const utcMidnight = 20_000 * 24 * HOUR_MS;
    // 15:00 UTC is 23:00 at UTC+8: in the window; 19:00 UTC is 03:00 there: out of it.
    expect(priceOf([night], { nowMs: utcMidnight + 15 * HOUR_MS, utcOffsetMinutes: 480 })).toBe(9_000);
    expect(priceOf([night], { nowMs: utcMidnight + 19 * HOUR_MS, utcOffsetMinutes: 480 })).toBe(10_000);
    expect(priceOf([night], { nowMs: utcMidnight + 15 * HOUR_MS, utcOffsetMinutes: 0 })).toBe(10_000);
    expect(evaluate(ruleSetOf([night]), contextWith({ nowMs: utcMidnight + 15 * HOUR_MS, utcOffsetMinutes: 480 })).wakeAtMs).toBe(utcMidnight + 18 * HOUR_MS);
  });
});

describe('scarcity', () => {
  const rule = { kind: 'scarcity', measure: 'units_left', thresholds: [{ atMostLeft: 20, adjustmentBps: 500 }, { atMostLeft: 5, adjustmentBps: 1_500 }] };

  it('applies the threshold with the least left that has been reached', () => {
    expect(priceOf([rule], { inventoryLeft: 21, inventoryTotal: 100 })).toBe(10_000);
    expect(priceOf([rule], { inventoryLeft: 20, inventoryTotal: 100 })).toBe(10_500);
    expect(priceOf([rule], { inventoryLeft: 0, inventoryTotal: 100 })).toBe(11_500);
  });

  it('can measure the share left, rounded down', () => {
    const share = { kind: 'scarcity', measure: 'share_left_bps', thresholds: [{ atMostLeft: 1_000, adjustmentBps: 1_000 }] };
    expect(priceOf([share], { inventoryLeft: 101, inventoryTotal: 1_000 })).toBe(10_000);
    expect(priceOf([share], { inventoryLeft: 100, inventoryTotal: 1_000 })).toBe(11_000);
  });
});

describe('segment discounts', () => {
  const rules = [
    { kind: 'newcomer_discount', discountBps: 1_000 },
    { kind: 'member_tier_discount', tiers: [{ tier: 'gold', discountBps: 500 }] },
    { kind: 'leader_discount', discountBps: 333 },
  ];
  const shopper = (newcomer: boolean, memberTier: string | null, isLeader: boolean) => ({ segment: { newcomer, memberTier, isLeader } });

  it('applies each discount only to its segment', () => {
    expect(priceOf(rules, shopper(false, null, false))).toBe(10_000);
    expect(priceOf(rules, shopper(true, null, false))).toBe(9_000);
    expect(priceOf(rules, shopper(false, 'gold', false))).toBe(9_500);
    expect(priceOf(rules, shopper(false, 'silver', false))).toBe(10_000);
    expect(priceOf(rules, shopper(false, null, true))).toBe(9_667); // 333.3 off, rounded in the shopper’s favour
  });

  it('compounds in list order, each off the price the one before left', () => {
    // 10 000 → 9 000 → 8 550 → 8 550 − 284.7 = 8 265.3 → 8 265
    expect(linesOf(rules, shopper(true, 'gold', true)).map((line) => line.deltaMinor)).toEqual([10_000, -1_000, -450, -285]);
  });
});

describe('rounding', () => {
  it('rounds to an ending in the direction asked', () => {
    expect(roundPrice(1_234, 100, 99, 'down')).toBe(1_199);
    expect(roundPrice(1_234, 100, 99, 'up')).toBe(1_299);
    expect(roundPrice(1_234, 100, 99, 'nearest')).toBe(1_199);
    expect(roundPrice(1_250, 100, 0, 'nearest')).toBe(1_200); // a tie goes down
    expect(roundPrice(1_251, 100, 0, 'nearest')).toBe(1_300);
    expect(roundPrice(1_299, 100, 99, 'down')).toBe(1_299);
    expect(roundPrice(1_237, 10, 9, 'down')).toBe(1_229);
  });

  it('leaves a price alone when no value exists in that direction', () => {
    expect(roundPrice(50, 100, 99, 'down')).toBe(50);
    expect(roundPrice(50, 100, 99, 'nearest')).toBe(99);
  });

  it('explains only a change', () => {
    expect(linesOf([{ kind: 'rounding', unitMinor: 100, endingMinor: 0, direction: 'down' }])).toHaveLength(1);
    expect(linesOf([{ kind: 'rounding', unitMinor: 100, endingMinor: 99, direction: 'down' }])[1]).toEqual({ rule: 'rounding', deltaMinor: -1, detail: 'down to a price ending in …99 (steps of 100)' });
  });
});

describe('price_bounds', () => {
  const surge = { kind: 'window', schedule: { type: 'absolute', startMs: 0, endMs: NOW * 2 }, adjustment: { type: 'bps', bps: 10_000 } };
  const cut = { kind: 'window', schedule: { type: 'absolute', startMs: 0, endMs: NOW * 2 }, adjustment: { type: 'bps', bps: -9_000 } };

  it('clamps to the merchant’s floor and ceiling, absolute or relative to the base', () => {
    expect(priceOf([surge, { kind: 'price_bounds', ceilingBpsOfBase: 15_000 }])).toBe(15_000);
    expect(priceOf([cut, { kind: 'price_bounds', floorMinor: 2_500 }])).toBe(2_500);
    expect(priceOf([cut, { kind: 'price_bounds', floorBpsOfBase: 6_000 }])).toBe(6_000);
  });

  it('lets the ceiling win when the two conflict', () => {
    expect(priceOf([cut, { kind: 'price_bounds', floorBpsOfBase: 9_000, ceilingMinor: 5_000 }])).toBe(5_000);
  });
});

describe('guardrails', () => {
  const double = { kind: 'window', schedule: { type: 'absolute', startMs: 0, endMs: NOW * 2 }, adjustment: { type: 'bps', bps: 10_000 } };

  it('clamp the final price last, after every rule', () => {
    const ruleSet = ruleSetOf([double, { kind: 'rounding', unitMinor: 1_000, endingMinor: 999, direction: 'up' }], openGuardrails({ floorMinor: 0, ceilingMinor: 12_345 }));
    const result = evaluate(ruleSet, contextWith());
    expect(result.priceMinor).toBe(12_345);
    expect(result.explanation.at(-1)).toMatchObject({ rule: 'guardrail_ceiling', ruleIndex: null, deltaMinor: 12_345 - 20_999 });
  });

  it('hold a floor under a free price', () => {
    const free = { kind: 'window', schedule: { type: 'absolute', startMs: 0, endMs: NOW * 2 }, adjustment: { type: 'price', priceMinor: 100 } };
    expect(evaluatePrice(ruleSetOf([free], openGuardrails({ floorMinor: 100, ceilingMinor: 20_000 })), contextWith({ basePriceMinor: 50 }))).toBe(100);
  });
});

describe('totality', () => {
  it('never throws, even on a context that broke its schema', () => {
    const ruleSet = ruleSetOf([
      { kind: 'size_tiers', tiers: [{ minSize: 3, priceMinor: 8_000 }] },
      { kind: 'time_decay_linear', deadline: 'group', fromBeforeDeadlineMs: HOUR_MS, untilBeforeDeadlineMs: 0, adjustmentBps: -500, stepMs: 60_000 },
      { kind: 'scarcity', measure: 'share_left_bps', thresholds: [{ atMostLeft: 500, adjustmentBps: 500 }] },
      { kind: 'rounding', unitMinor: 100, endingMinor: 99, direction: 'nearest' },
    ]);
    for (const odd of [99.5, Number.NaN, -5, Number.POSITIVE_INFINITY, 1e300]) {
      const ctx = contextWith({ basePriceMinor: odd, groupSize: odd, nowMs: odd, groupDeadlineMs: odd, inventoryLeft: odd, inventoryTotal: odd });
      const window = { startedAtMs: 0, referenceAnchorMinor: odd, referenceMarketMinor: 7, lastAnchorMinor: odd, lastMarketMinor: odd };
      expect(() => evaluate(ruleSet, { ...ctx, priceWindow: window })).not.toThrow();
    }
  });
});
