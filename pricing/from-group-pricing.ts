// The rule set that prices exactly like today's group settings (size tiers + leader discount), so offers created
// before rule sets existed can move onto `evaluate` without any price changing. The guardrails are wide open on
// purpose: the legacy price never moves without an event (a join or a leave), so no cap is needed to hold it.
import type { GroupPricing } from './group-price.ts';
import { PRICE_MINOR_MAX } from './integer-math.ts';
import { PRICING_LIMITS } from './rule-kinds.ts';
import { RULE_SET_SCHEMA_VERSION, type Rule, type RuleSet } from './rule-set.ts';

export function ruleSetFromGroupPricing(pricing: GroupPricing, currency: string, version = 1): RuleSet {
  const rules: Rule[] = [];
  if (pricing.tiers.length > 0) rules.push({ kind: 'size_tiers', tiers: pricing.tiers.map((tier) => ({ minSize: tier.minSize, priceMinor: tier.priceMinor })) });
  if (pricing.leaderDiscountBps > 0) rules.push({ kind: 'leader_discount', discountBps: pricing.leaderDiscountBps });
  return {
    schemaVersion: RULE_SET_SCHEMA_VERSION,
    currency,
    version,
    rules,
    guardrails: {
      floorMinor: 0,
      ceilingMinor: PRICE_MINOR_MAX,
      maxChange: { intervalMs: 60_000, maxRiseBps: PRICING_LIMITS.maxRiseBpsMax, maxDropBps: 10_000 },
      killSwitch: { engaged: false },
    },
  };
}
