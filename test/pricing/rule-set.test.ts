// Rule-set validation: a valid set parses; every malformed one is refused with the dotted path of the field at
// fault (`rules.2.tiers.1.priceMinor`), including cross-field and whole-set checks.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PRICING_LIMITS, RULE_SET_ERRORS_MAX, parseRuleSet } from '../../pricing/index.ts';
import { ruleSetArb } from './arbitraries.ts';
import { EXAMPLE_GUARDRAILS, EXAMPLE_RULES } from './fixtures.ts';

type Json = Record<string, unknown>;
type Edit = (set: Json) => void;

function example(): Json {
  return structuredClone({ schemaVersion: 1, currency: 'CNY', version: 3, rules: EXAMPLE_RULES, guardrails: EXAMPLE_GUARDRAILS }) as Json;
}

/** The object holding the last key of a dotted path, and that key. */
function locate(set: Json, path: string): [Json, string] {
  const keys = path.split('.');
  const parent = keys.slice(0, -1).reduce<Json>((node, key) => node[key] as Json, set);
  return [parent, keys[keys.length - 1]!];
}

const put = (path: string, value: unknown): Edit => (set) => {
  const [parent, key] = locate(set, path);
  parent[key] = value;
};
const remove = (path: string): Edit => (set) => {
  const [parent, key] = locate(set, path);
  delete parent[key];
};
const rules = (edit: (list: unknown[]) => void): Edit => (set) => edit(set.rules as unknown[]);

/** Runs `edit` on a copy of the example and returns the refused paths (or [] when it parses). */
function refusedPaths(...edits: Edit[]): string[] {
  const set = example();
  for (const edit of edits) edit(set);
  const parsed = parseRuleSet(set);
  return parsed.ok ? [] : parsed.errors.map((error) => error.path);
}

describe('parseRuleSet', () => {
  it('accepts the documented example', () => {
    const parsed = parseRuleSet(example());
    expect(parsed.ok).toBe(true);
  });

  it.each<[string, Edit, string]>([
    ['a tier price that rises', put('rules.0.tiers.1.priceMinor', 9_000), 'rules.0.tiers.1.priceMinor'],
    ['tier sizes that do not increase', put('rules.0.tiers.1.minSize', 3), 'rules.0.tiers.1.minSize'],
    ['a float in a stored price', put('rules.0.tiers.0.priceMinor', 88.5), 'rules.0.tiers.0.priceMinor'],
    ['a tier above the guardrail ceiling', put('rules.0.tiers.0.priceMinor', 20_000), 'rules.0.tiers.0.priceMinor'],
    ['an unknown rule kind', put('rules.3.kind', 'lucky_dip'), 'rules.3.kind'],
    ['an unknown field', put('rules.3.colour', 'red'), 'rules.3.colour'],
    ['a missing field', remove('rules.3.measure'), 'rules.3.measure'],
    ['steps that do not approach the deadline', put('rules.1.steps.1.withinMs', 7 * 3_600_000), 'rules.1.steps.1.withinMs'],
    ['an adjustment beyond ±100 %', put('rules.1.steps.0.adjustmentBps', -10_001), 'rules.1.steps.0.adjustmentBps'],
    ['a daily window of no length', put('rules.2.schedule.endMinute', 20 * 60), 'rules.2.schedule.endMinute'],
    ['an unknown schedule type', put('rules.2.schedule.type', 'weekly'), 'rules.2.schedule.type'],
    ['an adjustment with a field of another type', put('rules.2.adjustment', { type: 'bps', priceMinor: 5 }), 'rules.2.adjustment.bps'],
    ['scarcity thresholds that do not shrink', put('rules.3.thresholds.1', { atMostLeft: 30, adjustmentBps: 900 }), 'rules.3.thresholds.1.atMostLeft'],
    ['surge levels whose adjustment falls', put('rules.4.levels.1.adjustmentBps', 100), 'rules.4.levels.1.adjustmentBps'],
    ['a surge half-life below a second', put('rules.4.halfLifeMs', 10), 'rules.4.halfLifeMs'],
    ['a discount above 100 %', put('rules.5.discountBps', 10_001), 'rules.5.discountBps'],
    ['a rounding ending not below its unit', put('rules.6.endingMinor', 100), 'rules.6.endingMinor'],
    ['bounds with no bound', put('rules.7', { kind: 'price_bounds' }), 'rules.7.floorMinor'],
    ['bounds whose floor is above their ceiling', put('rules.7', { kind: 'price_bounds', floorMinor: 5_000, ceilingMinor: 4_000 }), 'rules.7.ceilingMinor'],
    ['a rule out of stage order', rules((list) => list.splice(0, 2, list[1], list[0])), 'rules.1.kind'],
    ['a second rule of a single kind', rules((list) => list.splice(6, 0, { kind: 'leader_discount', discountBps: 100 })), 'rules.6.kind'],
    ['a guardrail floor above the ceiling', put('guardrails.floorMinor', 20_000), 'guardrails.ceilingMinor'],
    ['a negative guardrail floor', put('guardrails.floorMinor', -1), 'guardrails.floorMinor'],
    ['a missing ceiling', remove('guardrails.ceilingMinor'), 'guardrails.ceilingMinor'],
    ['a missing change cap', remove('guardrails.maxChange'), 'guardrails.maxChange'],
    ['a missing kill switch', remove('guardrails.killSwitch'), 'guardrails.killSwitch'],
    ['a frozen price outside the guardrails', put('guardrails.killSwitch', { engaged: true, priceMinor: 50 }), 'guardrails.killSwitch.priceMinor'],
    ['a schema version from the future', put('schemaVersion', 2), 'schemaVersion'],
    ['a currency that is not ISO 4217', put('currency', 'yuan'), 'currency'],
    ['too many rules', put('rules', Array.from({ length: PRICING_LIMITS.rulesMax + 1 }, () => ({ kind: 'window', schedule: { type: 'daily', startMinute: 0, endMinute: 60 }, adjustment: { type: 'bps', bps: 0 } }))), 'rules'],
  ])('refuses %s, naming the field', (_name, edit, path) => {
    expect(refusedPaths(edit)).toContain(path);
  });

  it('reports every problem, up to a bound', () => {
    const paths = refusedPaths(put('rules.0.tiers.1.priceMinor', 9_000), put('guardrails.floorMinor', 20_000));
    expect(paths).toEqual(expect.arrayContaining(['rules.0.tiers.1.priceMinor', 'guardrails.ceilingMinor']));
    const many = parseRuleSet({ schemaVersion: 1, currency: 'CNY', version: 1, rules: Array.from({ length: 24 }, () => ({ kind: 'nope', a: 1 })), guardrails: {} });
    expect(many.ok || many.errors.length).toBeLessThanOrEqual(RULE_SET_ERRORS_MAX);
  });

  it('refuses any single corrupted field of a valid rule set at that field’s path (property)', () => {
    fc.assert(
      fc.property(ruleSetArb, fc.nat(), (ruleSet, pick) => {
        const leaves = leafPaths(ruleSet);
        const path = leaves[pick % leaves.length]!;
        const corrupted = structuredClone(ruleSet) as unknown as Json;
        const [parent, key] = locate(corrupted, path.join('.'));
        const value = parent[key];
        // Every stored number is an integer, every string has a minimum length, every flag is boolean.
        parent[key] = typeof value === 'number' ? value + 0.5 : typeof value === 'string' ? '' : 'yes';
        const parsed = parseRuleSet(corrupted);
        expect(parsed.ok).toBe(false);
        if (!parsed.ok) expect(parsed.errors.map((error) => error.path)).toContain(path.join('.'));
      }),
      { numRuns: 500 },
    );
  });
});

function leafPaths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [prefix];
  const entries = Array.isArray(value) ? value.map((item, index) => [index, item] as const) : Object.entries(value).filter(([, v]) => v !== undefined);
  return entries.flatMap(([key, item]) => leafPaths(item, [...prefix, key]));
}
