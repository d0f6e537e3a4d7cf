// Preview: what a rule set would do, without touching any live market. Over one context it is simply
// `evaluate`; over a timeline it evaluates a sequence of contexts, carrying the surge and change-cap memory
// from each point to the next exactly as the engine would, and returns a bounded price series.
//
// `joinRateTimeline` builds such a sequence from a start context and a steady join rate ("24 h at 30 joins an
// hour, sampled every 10 minutes"): the group grows, inventory shrinks and demand counts arrive at that rate.
import { z } from 'zod';
import { PricingContextSchema, type PricingContext } from './context.ts';
import { evaluate, type Evaluation, type ExplanationLine } from './evaluate.ts';
import { floorDiv } from './integer-math.ts';
import { PRICING_LIMITS } from './rule-kinds.ts';
import { RuleSet, describeRuleSetIssues, type RuleSetError } from './rule-set.ts';

export const PREVIEW_LIMITS = {
  /** Points in one preview: 24 h at one a minute fits. */
  pointsMax: 2_000,
  durationMsMax: 7 * 24 * 3_600_000,
  sampleEveryMsMin: 1_000,
} as const;

export interface PreviewPoint {
  atMs: number;
  priceMinor: number;
  marketPriceMinor: number;
  /** The price differs from the point before (the first point counts as a change). */
  changed: boolean;
  frozen: boolean;
  /** The explanation, unless the options asked for it only at changes (or never). */
  explanation: ExplanationLine[] | null;
}

export interface Preview {
  currency: string;
  ruleSetVersion: number;
  points: PreviewPoint[];
  /** More contexts were offered than `maxPoints`; the rest were not evaluated. */
  truncated: boolean;
  minPriceMinor: number | null;
  maxPriceMinor: number | null;
  /** Points whose price differs from the one before. */
  changes: number;
}

export interface TimelineOptions {
  /** At most this many points (capped at PREVIEW_LIMITS.pointsMax). */
  maxPoints?: number;
  /** Which points carry their explanation: all (default), only those where the price changed, or none. */
  explain?: 'all' | 'changes' | 'none';
  /**
   * Carry `nextState` from each point into the next context (default), as the engine does. Off: every context is
   * evaluated with the memory it brings, as independent what-ifs.
   */
  carryState?: boolean;
}

export function previewContext(ruleSet: RuleSet, ctx: PricingContext): Evaluation {
  return evaluate(ruleSet, ctx);
}

export function previewTimeline(ruleSet: RuleSet, contexts: Iterable<PricingContext>, options: TimelineOptions = {}): Preview {
  const maxPoints = Math.max(0, Math.min(options.maxPoints ?? PREVIEW_LIMITS.pointsMax, PREVIEW_LIMITS.pointsMax));
  const explain = options.explain ?? 'all';
  const carryState = options.carryState ?? true;
  const points: PreviewPoint[] = [];
  let truncated = false;
  let previous: Evaluation | null = null;
  let changes = 0;
  let minPriceMinor: number | null = null;
  let maxPriceMinor: number | null = null;
  for (const given of contexts) {
    if (points.length >= maxPoints) {
      truncated = true;
      break;
    }
    const ctx: PricingContext = previous !== null && carryState ? { ...given, surge: previous.nextState.surge, priceWindow: previous.nextState.priceWindow } : given;
    const evaluation = evaluate(ruleSet, ctx);
    const changed = previous === null || evaluation.priceMinor !== previous.priceMinor;
    if (changed) changes += previous === null ? 0 : 1;
    const keepExplanation = explain === 'all' || (explain === 'changes' && changed);
    points.push({
      atMs: ctx.nowMs,
      priceMinor: evaluation.priceMinor,
      marketPriceMinor: evaluation.marketPriceMinor,
      changed,
      frozen: evaluation.frozen,
      explanation: keepExplanation ? evaluation.explanation : null,
    });
    minPriceMinor = minPriceMinor === null ? evaluation.priceMinor : Math.min(minPriceMinor, evaluation.priceMinor);
    maxPriceMinor = maxPriceMinor === null ? evaluation.priceMinor : Math.max(maxPriceMinor, evaluation.priceMinor);
    previous = evaluation;
  }
  return { currency: ruleSet.currency, ruleSetVersion: ruleSet.version, points, truncated, minPriceMinor, maxPriceMinor, changes };
}

const MS_PER_HOUR = 3_600_000;

export const JoinRateScenario = z
  .strictObject({
    /** The first point; later points advance its clock and apply the joins. */
    start: PricingContextSchema,
    durationMs: z.number().int().min(0).max(PREVIEW_LIMITS.durationMsMax),
    sampleEveryMs: z.number().int().min(PREVIEW_LIMITS.sampleEveryMsMin).max(PREVIEW_LIMITS.durationMsMax),
    joinsPerHour: z.number().int().min(0).max(PRICING_LIMITS.signalMax),
    /** Units each join takes from the inventory. */
    unitsPerJoin: z.number().int().min(1).max(10_000),
    /** The group stops growing here (e.g. its maxSize); absent: it keeps growing. */
    groupSizeMax: z.number().int().min(1).max(PRICING_LIMITS.groupSizeMax).optional(),
  })
  .superRefine((s, ctx) => {
    if (floorDiv(s.durationMs, s.sampleEveryMs) + 1 > PREVIEW_LIMITS.pointsMax) {
      ctx.addIssue({ code: 'custom', path: ['sampleEveryMs'], message: `gives more than ${PREVIEW_LIMITS.pointsMax} points over durationMs; sample less often` });
    }
  });

export type JoinRateScenario = z.output<typeof JoinRateScenario>;

/**
 * Contexts every `sampleEveryMs` from `start.nowMs` to `start.nowMs + durationMs`, with joins arriving at a steady
 * rate (whole joins only; the fraction carries to the next sample, so 30 an hour sampled every minute gives a join
 * every other minute). Each join adds a member, fills a missing seat and takes `unitsPerJoin` units.
 */
export function* joinRateTimeline(scenario: JoinRateScenario): Generator<PricingContext> {
  const { start } = scenario;
  const samples = Math.min(floorDiv(scenario.durationMs, scenario.sampleEveryMs) + 1, PREVIEW_LIMITS.pointsMax);
  const sizeMax = scenario.groupSizeMax ?? PRICING_LIMITS.groupSizeMax;
  let joinMsCarry = 0;
  let totalJoins = 0;
  for (let sample = 0; sample < samples; sample++) {
    let joins = 0;
    if (sample > 0) {
      joinMsCarry += scenario.joinsPerHour * scenario.sampleEveryMs;
      joins = floorDiv(joinMsCarry, MS_PER_HOUR);
      joinMsCarry -= joins * MS_PER_HOUR;
      totalJoins += joins;
    }
    yield {
      ...start,
      nowMs: start.nowMs + sample * scenario.sampleEveryMs,
      groupSize: Math.min(start.groupSize + totalJoins, sizeMax),
      seatsMissing: Math.max(0, start.seatsMissing - totalJoins),
      inventoryLeft: Math.max(0, start.inventoryLeft - totalJoins * scenario.unitsPerJoin),
      demand: { ...start.demand, joinsSinceSurgeUpdate: sample === 0 ? start.demand.joinsSinceSurgeUpdate : Math.min(joins, PRICING_LIMITS.signalMax) },
    };
  }
}

/** A preview request as a merchant sends it: one context, or a join-rate timeline. */
export const PreviewRequest = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('context'), ruleSet: RuleSet, context: PricingContextSchema }),
  z.strictObject({
    type: z.literal('join_rate'),
    ruleSet: RuleSet,
    scenario: JoinRateScenario,
    explain: z.enum(['all', 'changes', 'none']).optional(),
  }),
]);

export type PreviewRequest = z.output<typeof PreviewRequest>;

export type PreviewAnswer = { type: 'context'; evaluation: Evaluation } | { type: 'timeline'; preview: Preview };

/** Validates and runs a preview request; bad input comes back as errors with field paths, never as a throw. */
export function runPreviewRequest(input: unknown): { ok: true; answer: PreviewAnswer } | { ok: false; errors: RuleSetError[] } {
  const parsed = PreviewRequest.safeParse(input);
  if (!parsed.success) return { ok: false, errors: describeRuleSetIssues(parsed.error.issues) };
  const request = parsed.data;
  if (request.type === 'context') return { ok: true, answer: { type: 'context', evaluation: previewContext(request.ruleSet, request.context) } };
  const options: TimelineOptions = request.explain === undefined ? {} : { explain: request.explain };
  return { ok: true, answer: { type: 'timeline', preview: previewTimeline(request.ruleSet, joinRateTimeline(request.scenario), options) } };
}
