// Invariants of evaluation over random valid rule sets and contexts: the explanation adds up, evaluation is
// deterministic, the fast path and a separately written naive evaluator agree, guardrails hold, prices never rise
// as a group grows, and the change cap holds over a stream of evaluations.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluate, evaluatePrice, evaluateWithState, type PricingContext, type RuleSet } from '../../pricing/index.ts';
import { contextArb, ruleSetArb, T0 } from './arbitraries.ts';
import { referenceEvaluate } from './reference-evaluator.ts';

const RUNS = 600;

describe('evaluate (properties)', () => {
  it('explains every minor unit: the deltas sum from the base to the price', () => {
    fc.assert(
      fc.property(ruleSetArb, contextArb, (ruleSet, ctx) => {
        const result = evaluate(ruleSet, ctx);
        expect(result.explanation[0]).toMatchObject({ rule: 'base', deltaMinor: result.basePriceMinor });
        expect(result.explanation.reduce((sum, line) => sum + line.deltaMinor, 0)).toBe(result.priceMinor);
        expect(Number.isSafeInteger(result.priceMinor) && result.priceMinor >= 0).toBe(true);
        for (const line of result.explanation) {
          if (line.ruleIndex !== null) expect(ruleSet.rules[line.ruleIndex]!.kind).toBe(line.rule);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('is deterministic and does not touch its inputs', () => {
    fc.assert(
      fc.property(ruleSetArb, contextArb, (ruleSet, ctx) => {
        const ruleSetCopy = structuredClone(ruleSet);
        const ctxCopy = structuredClone(ctx);
        const first = evaluate(ruleSet, ctx);
        expect(evaluate(ruleSetCopy, ctxCopy)).toEqual(first);
        expect(ruleSet).toEqual(ruleSetCopy);
        expect(ctx).toEqual(ctxCopy);
      }),
      { numRuns: Math.ceil(RUNS / 3) },
    );
  });

  it('gives the same price, market price and state as evaluatePrice, evaluateWithState and the reference evaluator', () => {
    fc.assert(
      fc.property(ruleSetArb, contextArb, (ruleSet, ctx) => {
        const full = evaluate(ruleSet, ctx);
        expect(evaluatePrice(ruleSet, ctx)).toBe(full.priceMinor);
        expect(evaluate(ruleSet, ctx, { details: false })).toEqual({ ...full, explanation: full.explanation.map((line) => ({ ...line, detail: '' })) });
        expect(evaluateWithState(ruleSet, ctx)).toEqual({ priceMinor: full.priceMinor, marketPriceMinor: full.marketPriceMinor, nextState: full.nextState, wakeAtMs: full.wakeAtMs });
        const reference = referenceEvaluate(ruleSet, ctx);
        expect({ price: full.priceMinor, market: full.marketPriceMinor, surge: full.nextState.surge, window: full.nextState.priceWindow }).toEqual({
          price: reference.priceMinor,
          market: reference.marketPriceMinor,
          surge: reference.surge,
          window: reference.priceWindow,
        });
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it('keeps every price within the guardrail floor and ceiling', () => {
    fc.assert(
      fc.property(ruleSetArb, contextArb, (ruleSet, ctx) => {
        const { priceMinor } = evaluate(ruleSet, ctx);
        expect(priceMinor).toBeGreaterThanOrEqual(ruleSet.guardrails.floorMinor);
        expect(priceMinor).toBeLessThanOrEqual(ruleSet.guardrails.ceilingMinor);
      }),
      { numRuns: RUNS },
    );
  });

  it('never raises the price as the group grows, whatever else the rule set does', () => {
    fc.assert(
      fc.property(ruleSetArb, contextArb, fc.integer({ min: 1, max: 10 }), (ruleSet, ctx, growth) => {
        const smaller = evaluatePrice(ruleSet, ctx);
        const larger = evaluatePrice(ruleSet, { ...ctx, groupSize: ctx.groupSize + growth });
        expect(larger).toBeLessThanOrEqual(smaller);
      }),
      { numRuns: RUNS },
    );
  });

  it('holds the market price within the change cap of each interval’s reference over a stream', () => {
    const stepsArb = fc.array(
      fc.record({ gapMs: fc.integer({ min: 0, max: 45 * 60_000 }), joins: fc.integer({ min: 0, max: 40 }), inventoryDrop: fc.integer({ min: 0, max: 5 }) }),
      { minLength: 2, maxLength: 40 },
    );
    const unfrozen = ruleSetArb.map((ruleSet): RuleSet => ({ ...ruleSet, guardrails: { ...ruleSet.guardrails, killSwitch: { engaged: false } } }));
    fc.assert(
      fc.property(unfrozen, contextArb, stepsArb, (ruleSet, start, steps) => {
        const { intervalMs, maxRiseBps, maxDropBps } = ruleSet.guardrails.maxChange;
        let ctx: PricingContext = { ...start, surge: null, priceWindow: null };
        let intervalStartMs = ctx.nowMs;
        let previousMarket = evaluate(ruleSet, ctx);
        let reference = previousMarket.marketPriceMinor;
        ctx = { ...ctx, ...previousMarket.nextState };
        for (const step of steps) {
          const nowMs = ctx.nowMs + step.gapMs;
          ctx = { ...ctx, nowMs, demand: { ...ctx.demand, joinsSinceSurgeUpdate: step.joins }, inventoryLeft: Math.max(0, ctx.inventoryLeft - step.inventoryDrop) };
          if (nowMs - intervalStartMs >= intervalMs) {
            intervalStartMs = nowMs;
            reference = previousMarket.marketPriceMinor;
          }
          const result = evaluate(ruleSet, ctx);
          // The group size is fixed in this stream, so the tier price does not move and no rescaling applies.
          if (reference > 0) {
            expect(result.marketPriceMinor).toBeLessThanOrEqual(reference + Math.floor((reference * maxRiseBps) / 10_000));
            expect(result.marketPriceMinor).toBeGreaterThanOrEqual(reference - Math.floor((reference * maxDropBps) / 10_000));
          }
          previousMarket = result;
          ctx = { ...ctx, ...result.nextState };
        }
      }),
      { numRuns: Math.ceil(RUNS / 3) },
    );
  });

  it('starts from a fixed epoch far from zero (generator sanity)', () => {
    expect(T0).toBeGreaterThan(0);
  });
});
