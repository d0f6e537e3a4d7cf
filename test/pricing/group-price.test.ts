// Group price rules: tiers by size, the leader discount, explanations that add up, and tier-table validation.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { explainGroupUnitPrice, groupUnitPrice, tierPriceMinor, tierTableProblem, type GroupPricing } from '../../pricing/index.ts';

const pricing: GroupPricing = {
  basePriceMinor: 1_000,
  tiers: [
    { minSize: 2, priceMinor: 900 },
    { minSize: 5, priceMinor: 750 },
  ],
  leaderDiscountBps: 333,
};

describe('group price', () => {
  it('uses the base price below the first tier and the last tier reached above it', () => {
    expect([1, 2, 4, 5, 100].map((size) => tierPriceMinor(pricing, size))).toEqual([1_000, 900, 900, 750, 750]);
  });

  it('takes the leader discount off, rounding in the shopper’s favour', () => {
    expect(groupUnitPrice(pricing, 2, true)).toBe(900 - 30); // 900 × 3.33 % = 29.97 → 30 off
    expect(groupUnitPrice(pricing, 2, false)).toBe(900);
  });

  it('never rises as the group grows, and the explanation always sums to the price (property)', () => {
    const tierTable = fc
      .uniqueArray(fc.integer({ min: 1, max: 50 }), { maxLength: 6 })
      .chain((sizes) =>
        fc.array(fc.integer({ min: 0, max: 100_000 }), { minLength: sizes.length, maxLength: sizes.length }).map((prices) => {
          const sortedSizes = [...sizes].sort((a, b) => a - b);
          const sortedPrices = [...prices].sort((a, b) => b - a);
          return sortedSizes.map((minSize, i) => ({ minSize, priceMinor: sortedPrices[i]! }));
        }),
      );
    fc.assert(
      fc.property(tierTable, fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 1, max: 60 }), fc.boolean(), (tiers, bps, size, isLeader) => {
        const table: GroupPricing = { basePriceMinor: 100_000, tiers, leaderDiscountBps: bps };
        expect(tierTableProblem(table.basePriceMinor, tiers)).toBeNull();
        expect(groupUnitPrice(table, size + 1, isLeader)).toBeLessThanOrEqual(groupUnitPrice(table, size, isLeader));
        const explained = explainGroupUnitPrice(table, size, isLeader);
        expect(explained.unitPriceMinor).toBe(groupUnitPrice(table, size, isLeader));
        expect(explained.explanation.reduce((sum, line) => sum + line.deltaMinor, 0)).toBe(explained.unitPriceMinor);
        expect(Number.isInteger(explained.unitPriceMinor) && explained.unitPriceMinor >= 0).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('names what is wrong with a tier table', () => {
    expect(tierTableProblem(1_000, [{ minSize: 2, priceMinor: 1_001 }])).toMatch(/tiers\[0\].*above the base/);
    expect(tierTableProblem(1_000, [{ minSize: 3, priceMinor: 900 }, { minSize: 3, priceMinor: 800 }])).toMatch(/tiers\[1\].minSize/);
    expect(tierTableProblem(1_000, [{ minSize: 2, priceMinor: 800 }, { minSize: 3, priceMinor: 900 }])).toMatch(/tiers\[1\].priceMinor/);
    expect(tierTableProblem(1_000, pricing.tiers)).toBeNull();
  });
});
