// Shared builders for pricing tests: rule sets go through parseRuleSet (so every fixture is a valid, saved
// rule set), contexts start neutral and take overrides.
import { baseContext, parseRuleSet, type Guardrails, type PricingContext, type RuleSet } from '../../pricing/index.ts';

export const HOUR_MS = 3_600_000;
export const MINUTE_MS = 60_000;

/** Guardrails that never bind in a unit test about something else. */
export function openGuardrails(overrides: Partial<Guardrails> = {}): Guardrails {
  return {
    floorMinor: 0,
    ceilingMinor: 100_000_000_000,
    maxChange: { intervalMs: HOUR_MS, maxRiseBps: 1_000_000, maxDropBps: 10_000 },
    killSwitch: { engaged: false },
    ...overrides,
  };
}

export function ruleSetOf(rules: unknown[], guardrails: unknown = openGuardrails()): RuleSet {
  const parsed = parseRuleSet({ schemaVersion: 1, currency: 'CNY', version: 1, rules, guardrails });
  if (!parsed.ok) throw new Error(`fixture rule set is invalid: ${JSON.stringify(parsed.errors)}`);
  return parsed.ruleSet;
}

export function contextWith(overrides: Partial<PricingContext> = {}): PricingContext {
  return { ...baseContext(10_000, 1_000 * HOUR_MS), ...overrides };
}

/** The rule set of the worked example in docs/pricing.md. */
export const EXAMPLE_RULES = [
  { kind: 'size_tiers', tiers: [{ minSize: 3, priceMinor: 8_800 }, { minSize: 5, priceMinor: 7_900 }] },
  { kind: 'time_decay_stepped', label: 'last hours', deadline: 'group', steps: [{ withinMs: 6 * HOUR_MS, adjustmentBps: -300 }, { withinMs: HOUR_MS, adjustmentBps: -800 }] },
  { kind: 'window', label: 'evening flash sale', schedule: { type: 'daily', startMinute: 20 * 60, endMinute: 22 * 60 }, adjustment: { type: 'bps', bps: -1_000 } },
  { kind: 'scarcity', measure: 'units_left', thresholds: [{ atMostLeft: 20, adjustmentBps: 500 }] },
  { kind: 'demand_surge', signal: 'joins_per_hour', halfLifeMs: 10 * MINUTE_MS, levels: [{ atLeast: 60, adjustmentBps: 300 }, { atLeast: 200, adjustmentBps: 800 }], hysteresisBps: 2_000, minDwellMs: 5 * MINUTE_MS, maxStepBps: 300, stepIntervalMs: 5 * MINUTE_MS },
  { kind: 'leader_discount', discountBps: 500 },
  { kind: 'rounding', unitMinor: 100, endingMinor: 90, direction: 'down' },
  { kind: 'price_bounds', floorBpsOfBase: 6_000 },
];

export const EXAMPLE_GUARDRAILS: Guardrails = {
  floorMinor: 1_000,
  ceilingMinor: 15_000,
  maxChange: { intervalMs: 15 * MINUTE_MS, maxRiseBps: 1_000, maxDropBps: 3_000 },
  killSwitch: { engaged: false },
};
