// The change cap and the kill switch: the market price of a stream moves at most so far per interval, a growing
// group still gets its tier drop, and a frozen price holds while shopper discounts and bounds still apply.
import { describe, expect, it } from 'vitest';
import { evaluate, type PricingContext, type RuleSet } from '../../pricing/index.ts';
import { HOUR_MS, MINUTE_MS, contextWith, openGuardrails, ruleSetOf } from './fixtures.ts';

const NOW = 1_000 * HOUR_MS;
const capped = openGuardrails({ maxChange: { intervalMs: 15 * MINUTE_MS, maxRiseBps: 1_000, maxDropBps: 500 } });
const tiers = { kind: 'size_tiers', tiers: [{ minSize: 3, priceMinor: 8_000 }] };
const scarcity = { kind: 'scarcity', measure: 'units_left', thresholds: [{ atMostLeft: 10, adjustmentBps: 5_000 }, { atMostLeft: 2, adjustmentBps: -5_000 }] };

/** Evaluates a stream: each step's context gets the state the step before handed back. */
function stream(ruleSet: RuleSet, steps: Partial<PricingContext>[]) {
  let state = { surge: null, priceWindow: null } as Pick<PricingContext, 'surge' | 'priceWindow'>;
  return steps.map((step) => {
    const result = evaluate(ruleSet, contextWith({ ...step, ...state }));
    state = result.nextState;
    return result;
  });
}

describe('change cap', () => {
  const ruleSet = ruleSetOf([tiers, scarcity], capped);

  it('lets the first price of a stream stand, then holds each interval within its cap', () => {
    const [first, jump, later, nextInterval] = stream(ruleSet, [
      { nowMs: NOW, inventoryLeft: 50, inventoryTotal: 100 },
      { nowMs: NOW + MINUTE_MS, inventoryLeft: 9, inventoryTotal: 100 },
      { nowMs: NOW + 14 * MINUTE_MS, inventoryLeft: 9, inventoryTotal: 100 },
      { nowMs: NOW + 15 * MINUTE_MS, inventoryLeft: 9, inventoryTotal: 100 },
    ]);
    expect(first!.priceMinor).toBe(10_000);
    expect(jump!.priceMinor).toBe(11_000); // +50 % wanted, +10 % allowed
    expect(jump!.explanation.at(-1)).toMatchObject({ rule: 'change_cap', deltaMinor: -4_000, ruleIndex: null });
    expect(jump!.wakeAtMs).toBe(NOW + 15 * MINUTE_MS);
    expect(later!.priceMinor).toBe(11_000);
    expect(nextInterval!.priceMinor).toBe(12_100); // a new interval: +10 % of the last price
  });

  it('caps drops too, by their own limit', () => {
    const [, fall] = stream(ruleSet, [
      { nowMs: NOW, inventoryLeft: 50, inventoryTotal: 100 },
      { nowMs: NOW + MINUTE_MS, inventoryLeft: 1, inventoryTotal: 100 },
    ]);
    expect(fall!.priceMinor).toBe(9_500);
  });

  it('does not hold back a growing group’s tier drop: the reference follows the tier', () => {
    const [small, formed] = stream(ruleSet, [
      { nowMs: NOW, groupSize: 2 },
      { nowMs: NOW + MINUTE_MS, groupSize: 3 },
    ]);
    expect(small!.priceMinor).toBe(10_000);
    expect(formed!.priceMinor).toBe(8_000);
    expect(formed!.explanation.some((line) => line.rule === 'change_cap')).toBe(false);
  });

  it('keeps shopper discounts out of the cap: a leader’s discount is never eaten by it', () => {
    const withLeader = ruleSetOf([tiers, { kind: 'leader_discount', discountBps: 2_000 }], capped);
    const [headline, leader] = stream(withLeader, [
      { nowMs: NOW, groupSize: 3 },
      { nowMs: NOW + MINUTE_MS, groupSize: 3, segment: { newcomer: false, memberTier: null, isLeader: true } },
    ]);
    expect(headline!.priceMinor).toBe(8_000);
    expect(leader!.priceMinor).toBe(6_400);
    expect(leader!.marketPriceMinor).toBe(8_000);
  });
});

describe('kill switch', () => {
  const frozen = (priceMinor?: number) => openGuardrails({ killSwitch: priceMinor === undefined ? { engaged: true } : { engaged: true, priceMinor } });
  const surge = { kind: 'demand_surge', signal: 'joins_per_hour', halfLifeMs: 600_000, levels: [{ atLeast: 1, adjustmentBps: 1_000 }], hysteresisBps: 0, minDwellMs: 0, maxStepBps: 10_000, stepIntervalMs: 1_000 };
  const dynamic = [tiers, scarcity, surge, { kind: 'leader_discount', discountBps: 1_000 }];

  it('freezes the market price at the given price, with shopper discounts still on top', () => {
    const result = evaluate(ruleSetOf(dynamic, frozen(7_000)), contextWith({ inventoryLeft: 1, inventoryTotal: 100, segment: { newcomer: false, memberTier: null, isLeader: true } }));
    expect(result.frozen).toBe(true);
    expect(result.marketPriceMinor).toBe(7_000);
    expect(result.priceMinor).toBe(6_300);
    expect(result.explanation.map((line) => line.rule)).toEqual(['base', 'kill_switch', 'leader_discount']);
  });

  it('freezes at the stream’s last market price, following the tier, and keeps observing demand', () => {
    const live = ruleSetOf(dynamic);
    const before = evaluate(live, contextWith({ nowMs: NOW, inventoryLeft: 5, inventoryTotal: 100 }));
    expect(before.marketPriceMinor).toBe(15_000);
    const stopped = ruleSetOf(dynamic, frozen());
    const held = evaluate(stopped, contextWith({ nowMs: NOW + HOUR_MS, inventoryLeft: 1, inventoryTotal: 100, demand: { joinsSinceSurgeUpdate: 50, bidsSinceSurgeUpdate: 0, queueLength: 0, utilizationBps: 0 }, ...before.nextState }));
    expect(held.priceMinor).toBe(15_000);
    expect(held.nextState.surge?.smoothedMilli).toBeGreaterThan(0);
    const grown = evaluate(stopped, contextWith({ nowMs: NOW + HOUR_MS, groupSize: 3, ...before.nextState }));
    expect(grown.priceMinor).toBe(12_000); // 15 000 × 8 000 / 10 000: the frozen ratio at the new tier
  });

  it('with no price and no history, holds the tier price', () => {
    expect(evaluate(ruleSetOf(dynamic, frozen()), contextWith({ inventoryLeft: 5, inventoryTotal: 100, groupSize: 3 })).priceMinor).toBe(8_000);
  });
});
