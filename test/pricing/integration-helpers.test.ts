// The pieces the engine integrates with: the rule set that prices exactly like today's group settings, and the
// publish throttle that coalesces price events.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decidePublish, evaluate, evaluatePrice, groupUnitPrice, ruleSetFromGroupPricing, parseRuleSet, type PricingContext } from '../../pricing/index.ts';
import { contextWith } from './fixtures.ts';

const tierTable = fc
  .uniqueArray(fc.integer({ min: 1, max: 50 }), { maxLength: 6 })
  .chain((sizes) =>
    fc.array(fc.integer({ min: 0, max: 100_000 }), { minLength: sizes.length, maxLength: sizes.length }).map((prices) => {
      const sortedSizes = [...sizes].sort((a, b) => a - b);
      const sortedPrices = [...prices].sort((a, b) => b - a);
      return sortedSizes.map((minSize, i) => ({ minSize, priceMinor: sortedPrices[i]! }));
    }),
  );

describe('ruleSetFromGroupPricing', () => {
  it('prices exactly like groupUnitPrice, through joins and leaves with the memory carried (property)', () => {
    fc.assert(
      fc.property(tierTable, fc.integer({ min: 0, max: 10_000 }), fc.array(fc.tuple(fc.integer({ min: 1, max: 60 }), fc.boolean()), { minLength: 1, maxLength: 20 }), (tiers, bps, steps) => {
        const pricing = { basePriceMinor: 100_000, tiers, leaderDiscountBps: bps };
        const ruleSet = ruleSetFromGroupPricing(pricing, 'CNY');
        expect(parseRuleSet(ruleSet).ok).toBe(true);
        let state: Pick<PricingContext, 'surge' | 'priceWindow'> = { surge: null, priceWindow: null };
        steps.forEach(([size, isLeader], i) => {
          const ctx = contextWith({ basePriceMinor: 100_000, nowMs: 1_000_000 + i, groupSize: size, segment: { newcomer: false, memberTier: null, isLeader }, ...state });
          const result = evaluate(ruleSet, ctx);
          expect(result.priceMinor).toBe(groupUnitPrice(pricing, size, isLeader));
          expect(evaluatePrice(ruleSet, ctx)).toBe(result.priceMinor);
          state = result.nextState;
        });
      }),
      { numRuns: 300 },
    );
  });
});

describe('decidePublish', () => {
  it('publishes a new price at once, then at most once per gap, and skips a price watchers already have', () => {
    expect(decidePublish(null, 100, 0, 1_000)).toEqual({ publish: true });
    expect(decidePublish({ priceMinor: 100, atMs: 0 }, 100, 10, 1_000)).toEqual({ publish: false, retryAtMs: null });
    expect(decidePublish({ priceMinor: 100, atMs: 0 }, 90, 10, 1_000)).toEqual({ publish: false, retryAtMs: 1_000 });
    expect(decidePublish({ priceMinor: 100, atMs: 0 }, 90, 1_000, 1_000)).toEqual({ publish: true });
  });
});
