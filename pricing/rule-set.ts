// A rule set: the data a merchant saves to say how an offer's price moves. It is validated when saved
// (`parseRuleSet`), versioned (`version` goes up on every save; `schemaVersion` is the shape of this file),
// and evaluated by evaluate.ts. Every error names the field it is about, e.g. `rules.2.tiers.1.priceMinor`.
//
// ORDER OF APPLICATION. Rules apply stage by stage, in this order, and the list must be written in it (a rule
// out of order is refused, so the list a merchant reads is the order the engine applies):
//
//   base price
//   → tiers      size_tiers             an absolute price by group size: the group-buy promise. It comes first
//                                       because it SETS the price; anything before it would be overwritten.
//   → time       time_decay_*           the slow trend toward a deadline, a ratio of the tier price.
//   → windows    window                 scheduled promotions (flash sale, early bird, last minute) on top of the
//                                       trend; a window may set a price, which the live stages then adjust.
//   → scarcity   scarcity               how much stock is left: a level, changing only as units sell.
//   → surge      demand_surge           live demand, smoothed and rate-limited: the only stage with memory, last
//                                       of the market stages so its rate limit acts on everything before it.
//   ═ market price: guardrail change cap (and kill switch) ═
//                                       everything above is "the market" — the same for every shopper. The cap
//                                       limits how fast it moves; segment discounts below are promises to a
//                                       shopper and must not be eaten by it.
//   → segment    newcomer_discount, member_tier_discount, leader_discount
//                                       a shopper's own discounts, taken off the market price they would pay now.
//   → rounding   rounding               after discounts, so the price a shopper sees really ends in …9.
//   → bounds     price_bounds           the merchant's floor and ceiling, after rounding so nothing escapes them.
//   → guardrail floor and ceiling       last of all: no rule, rounding or bound can leave them.
//
// Within a stage, rules apply in list order. Kinds that would contradict themselves if repeated (tiers, surge,
// each discount, rounding, bounds) may appear once.
import { z } from 'zod';
import { PRICING_LIMITS, Money, DurationMs, Rule, type RuleKind } from './rule-kinds.ts';

export * from './rule-kinds.ts';

export const STAGES = ['tiers', 'time', 'windows', 'scarcity', 'surge', 'segment', 'rounding', 'bounds'] as const;
export type Stage = (typeof STAGES)[number];

/**
 * The stage number of a rule kind; a rule set's rules must be in non-decreasing stage order. A switch rather than a
 * lookup table because evaluation calls it for every rule: V8 compares interned strings by identity, which is
 * cheaper than a property load with a varying key.
 */
export function stageOf(kind: RuleKind): number {
  switch (kind) {
    case 'size_tiers':
      return 0;
    case 'time_decay_linear':
    case 'time_decay_stepped':
      return 1;
    case 'window':
      return 2;
    case 'scarcity':
      return 3;
    case 'demand_surge':
      return 4;
    case 'newcomer_discount':
    case 'member_tier_discount':
    case 'leader_discount':
      return 5;
    case 'rounding':
      return 6;
    case 'price_bounds':
      return 7;
  }
}

/** The first stage after the market price is closed (the change cap and kill switch act just before it). */
export const FIRST_SHOPPER_STAGE = 5;

const SINGLE_KINDS: ReadonlySet<RuleKind> = new Set(['size_tiers', 'demand_surge', 'newcomer_discount', 'member_tier_discount', 'leader_discount', 'rounding', 'price_bounds']);

/**
 * Limits every rule set carries and no rule can escape. Every field is required, so a merchant cannot switch one
 * off by leaving it out: disabling the change cap means writing a 100 % drop and a large rise on purpose.
 */
export const Guardrails = z
  .strictObject({
    /** The final price is never below this (≥ 0 by type) … */
    floorMinor: Money,
    /** … nor above this. */
    ceilingMinor: Money,
    /**
     * The market price (before shopper discounts) stays within −maxDropBps … +maxRiseBps of the price in force when
     * the current interval began. Intervals are fixed: one starts at the first evaluation after the last one ended.
     */
    maxChange: z.strictObject({
      intervalMs: DurationMs.min(1_000),
      maxRiseBps: z.number().int().min(0).max(PRICING_LIMITS.maxRiseBpsMax),
      maxDropBps: z.number().int().min(0).max(10_000),
    }),
    /**
     * Engaged: the market price is frozen (dynamic rules and the change cap stop; shopper discounts, rounding and
     * bounds still apply). Frozen at `priceMinor` when given, else at the last market price of the stream.
     */
    killSwitch: z.strictObject({ engaged: z.boolean(), priceMinor: Money.optional() }),
  })
  .superRefine((g, ctx) => {
    if (g.floorMinor > g.ceilingMinor) ctx.addIssue({ code: 'custom', path: ['ceilingMinor'], message: 'must not be below floorMinor' });
    const frozen = g.killSwitch.priceMinor;
    if (frozen !== undefined && (frozen < g.floorMinor || frozen > g.ceilingMinor)) {
      ctx.addIssue({ code: 'custom', path: ['killSwitch', 'priceMinor'], message: 'must be between floorMinor and ceilingMinor' });
    }
  });

export const RULE_SET_SCHEMA_VERSION = 1;

export const RuleSet = z
  .strictObject({
    schemaVersion: z.literal(RULE_SET_SCHEMA_VERSION),
    currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as CNY or USD'),
    /** Increments on every save; quotes and price events carry it. */
    version: z.number().int().min(1).max(2_147_483_647),
    rules: z.array(Rule).max(PRICING_LIMITS.rulesMax),
    guardrails: Guardrails,
  })
  .superRefine((set, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    const seen = new Set<RuleKind>();
    let highestStage = 0;
    let highestKind: RuleKind | null = null;
    set.rules.forEach((rule, index) => {
      const stage = stageOf(rule.kind);
      if (stage < highestStage && highestKind !== null) {
        issue(['rules', index, 'kind'], `a ${rule.kind} rule (stage ${STAGES[stage]}) must come before the ${highestKind} rule; stages apply in the order ${STAGES.join(' → ')}`);
      } else {
        highestStage = stage;
        highestKind = rule.kind;
      }
      if (SINGLE_KINDS.has(rule.kind) && seen.has(rule.kind)) issue(['rules', index, 'kind'], `only one ${rule.kind} rule per rule set`);
      seen.add(rule.kind);
      checkAgainstGuardrails(set.guardrails, rule, index, issue);
    });
  });

/** Settings that the guardrails would always override are mistakes worth refusing, not silently clamping. */
function checkAgainstGuardrails(g: z.output<typeof Guardrails>, rule: Rule, index: number, issue: (path: (string | number)[], message: string) => void): void {
  if (rule.kind === 'size_tiers') {
    rule.tiers.forEach((tier, tierIndex) => {
      if (tier.priceMinor > g.ceilingMinor) issue(['rules', index, 'tiers', tierIndex, 'priceMinor'], 'is above guardrails.ceilingMinor');
      if (tier.priceMinor < g.floorMinor) issue(['rules', index, 'tiers', tierIndex, 'priceMinor'], 'is below guardrails.floorMinor');
    });
  }
  if (rule.kind === 'price_bounds') {
    if (rule.floorMinor !== undefined && rule.floorMinor > g.ceilingMinor) issue(['rules', index, 'floorMinor'], 'is above guardrails.ceilingMinor');
    if (rule.ceilingMinor !== undefined && rule.ceilingMinor < g.floorMinor) issue(['rules', index, 'ceilingMinor'], 'is below guardrails.floorMinor');
  }
  if (rule.kind === 'window' && rule.adjustment.type === 'price') {
    const price = rule.adjustment.priceMinor;
    if (price > g.ceilingMinor || price < g.floorMinor) issue(['rules', index, 'adjustment', 'priceMinor'], 'is outside guardrails.floorMinor … guardrails.ceilingMinor');
  }
}

export type Guardrails = z.output<typeof Guardrails>;
export type RuleSet = z.output<typeof RuleSet>;

export interface RuleSetError {
  /** Dotted path to the field, e.g. `rules.2.tiers.1.priceMinor`; `` for the whole input. */
  path: string;
  message: string;
}

export type RuleSetParse = { ok: true; ruleSet: RuleSet } | { ok: false; errors: RuleSetError[] };

/** At most this many errors are reported for one input; a broken rule set does not need a thousand lines. */
export const RULE_SET_ERRORS_MAX = 50;

/** Validates untrusted input (a merchant's save, a preview request). Never throws for bad input. */
export function parseRuleSet(input: unknown): RuleSetParse {
  const parsed = RuleSet.safeParse(input);
  if (parsed.success) return { ok: true, ruleSet: parsed.data };
  return { ok: false, errors: describeRuleSetIssues(parsed.error.issues) };
}

interface ZodIssueLike {
  code: string;
  path: PropertyKey[];
  message: string;
  keys?: string[];
}

/** Zod issues as `{path, message}`; an unknown field's name is put into the path so it points at the field itself. */
export function describeRuleSetIssues(issues: readonly ZodIssueLike[]): RuleSetError[] {
  const errors: RuleSetError[] = [];
  for (const issue of issues) {
    const path = issue.path.map(String);
    if (issue.code === 'unrecognized_keys' && issue.keys) {
      for (const key of issue.keys) errors.push({ path: [...path, key].join('.'), message: 'is not a field of this object' });
    } else {
      errors.push({ path: path.join('.'), message: issue.message });
    }
    if (errors.length >= RULE_SET_ERRORS_MAX) break;
  }
  return errors.slice(0, RULE_SET_ERRORS_MAX);
}
