// Preview: one context is a plain evaluation; a timeline carries the memory from point to point as the engine
// would, stays within its bounds, and never changes the contexts it was given.
import { describe, expect, it } from 'vitest';
import { PREVIEW_LIMITS, evaluate, joinRateTimeline, previewTimeline, runPreviewRequest, type JoinRateScenario } from '../../pricing/index.ts';
import { EXAMPLE_GUARDRAILS, EXAMPLE_RULES, HOUR_MS, MINUTE_MS, contextWith, ruleSetOf } from './fixtures.ts';

const START = 20_000 * 24 * HOUR_MS; // a UTC midnight
const ruleSet = ruleSetOf(EXAMPLE_RULES, EXAMPLE_GUARDRAILS);

function scenario(overrides: Partial<JoinRateScenario> = {}): JoinRateScenario {
  return {
    start: contextWith({ basePriceMinor: 9_900, nowMs: START, utcOffsetMinutes: 480, groupSize: 1, seatsMissing: 2, groupDeadlineMs: START + 24 * HOUR_MS, inventoryLeft: 200, inventoryTotal: 200 }),
    durationMs: 24 * HOUR_MS,
    sampleEveryMs: 10 * MINUTE_MS,
    joinsPerHour: 30,
    unitsPerJoin: 1,
    groupSizeMax: 50,
    ...overrides,
  };
}

describe('joinRateTimeline', () => {
  it('spreads a steady rate over the samples, carrying fractions', () => {
    const contexts = [...joinRateTimeline(scenario({ sampleEveryMs: MINUTE_MS, durationMs: 10 * MINUTE_MS }))];
    expect(contexts).toHaveLength(11);
    expect(contexts.map((c) => c.demand.joinsSinceSurgeUpdate)).toEqual([0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1]);
    expect(contexts.at(-1)).toMatchObject({ nowMs: START + 10 * MINUTE_MS, groupSize: 6, seatsMissing: 0, inventoryLeft: 195 });
  });

  it('stops the group at its maximum size and the inventory at zero', () => {
    const last = [...joinRateTimeline(scenario({ joinsPerHour: 600 }))].at(-1)!;
    expect(last.groupSize).toBe(50);
    expect(last.inventoryLeft).toBe(0);
  });
});

describe('previewTimeline', () => {
  it('previews a day, explaining each point, with the memory carried along', () => {
    const preview = previewTimeline(ruleSet, joinRateTimeline(scenario({ joinsPerHour: 90 })));
    expect(preview.points).toHaveLength(145);
    expect(preview.truncated).toBe(false);
    for (const point of preview.points) expect(point.explanation!.reduce((sum, line) => sum + line.deltaMinor, 0)).toBe(point.priceMinor);
    // 90 joins an hour is above the first surge level: the carried state must have built it up.
    expect(preview.points.some((point) => point.explanation!.some((line) => line.rule === 'demand_surge'))).toBe(true);
    expect(preview.changes).toBe(preview.points.filter((point, i) => i > 0 && point.changed).length);
    expect(preview.minPriceMinor).toBe(Math.min(...preview.points.map((p) => p.priceMinor)));
  });

  it('evaluates independent what-ifs when asked not to carry state', () => {
    const contexts = [...joinRateTimeline(scenario({ joinsPerHour: 90, durationMs: 2 * HOUR_MS }))];
    const preview = previewTimeline(ruleSet, contexts, { carryState: false, explain: 'none' });
    expect(preview.points.map((p) => p.priceMinor)).toEqual(contexts.map((c) => evaluate(ruleSet, c).priceMinor));
    expect(preview.points.every((p) => p.explanation === null)).toBe(true);
  });

  it('is bounded, and says when it stopped early', () => {
    const endless = (function* () {
      for (let i = 0; ; i++) yield contextWith({ nowMs: START + i * MINUTE_MS });
    })();
    const preview = previewTimeline(ruleSet, endless, { maxPoints: 10 * PREVIEW_LIMITS.pointsMax });
    expect(preview.points).toHaveLength(PREVIEW_LIMITS.pointsMax);
    expect(preview.truncated).toBe(true);
  });

  it('keeps explanations only where the price changed, when asked', () => {
    const preview = previewTimeline(ruleSet, joinRateTimeline(scenario()), { explain: 'changes' });
    expect(preview.points.every((p) => (p.explanation !== null) === p.changed)).toBe(true);
  });
});

describe('runPreviewRequest', () => {
  it('answers a timeline request', () => {
    const answer = runPreviewRequest({ type: 'join_rate', ruleSet: { schemaVersion: 1, currency: 'CNY', version: 1, rules: EXAMPLE_RULES, guardrails: EXAMPLE_GUARDRAILS }, scenario: scenario(), explain: 'changes' });
    expect(answer.ok && answer.answer.type === 'timeline' && answer.answer.preview.points.length).toBe(145);
  });

  it('refuses bad input with the path of the field, in the rule set or the scenario', () => {
    const badRules = structuredClone(EXAMPLE_RULES) as { tiers?: { priceMinor: number }[] }[];
    badRules[0]!.tiers![1]!.priceMinor = 9_999;
    const answer = runPreviewRequest({ type: 'join_rate', ruleSet: { schemaVersion: 1, currency: 'CNY', version: 1, rules: badRules, guardrails: EXAMPLE_GUARDRAILS }, scenario: scenario({ sampleEveryMs: 1_000 }) });
    expect(answer.ok).toBe(false);
    if (!answer.ok) expect(answer.errors.map((e) => e.path)).toEqual(expect.arrayContaining(['ruleSet.rules.0.tiers.1.priceMinor', 'scenario.sampleEveryMs']));
  });
});
