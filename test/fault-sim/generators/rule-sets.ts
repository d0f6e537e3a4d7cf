// Merchant rule sets (`set_rule_set`): dynamic pricing with tiers, a time ramp, scarcity, demand surge, discounts,
// rounding and the guardrails, some in force at once and some scheduled. The reference model prices by group
// settings only, so these run in engine-only seeds (docs/simulation-testing.md says which checks apply there).
import type { Prng } from '../prng.ts';
import type { Draft, GenContext } from './generator.ts';
import { merchantTarget } from './merchant.ts';

function sizeTiers(rng: Prng): object {
  const tiers: { minSize: number; priceMinor: number }[] = [];
  let size = rng.int(1, 3);
  let price = rng.int(500, 1_000);
  for (let i = rng.int(1, 3); i > 0; i--) {
    tiers.push({ minSize: size, priceMinor: price });
    size += rng.int(1, 2);
    price -= rng.int(0, 150);
  }
  return { kind: 'size_tiers', tiers };
}

/**
 * A rule set that validates: stages in order, each single kind at most once, within the guardrails. `groupDeadline`
 * false: a time decay counts down to the offer's end only.
 */
export function randomRuleSet(rng: Prng, version: number, groupDeadline = true): object {
  const rules: object[] = [];
  if (rng.chance(0.6)) rules.push(sizeTiers(rng));
  if (rng.chance(0.3)) {
    const until = rng.int(0, 500);
    const deadline = rng.pick(['group', 'offer']);
    rules.push({ kind: 'time_decay_linear', deadline: groupDeadline ? deadline : 'offer', fromBeforeDeadlineMs: until + rng.int(1, 3_000), untilBeforeDeadlineMs: until, adjustmentBps: rng.int(-3_000, 0), stepMs: 1_000 });
  }
  if (rng.chance(0.4)) rules.push({ kind: 'scarcity', measure: 'units_left', thresholds: [{ atMostLeft: rng.int(0, 4), adjustmentBps: rng.int(0, 2_000) }] });
  if (rng.chance(0.4)) {
    rules.push({
      kind: 'demand_surge',
      signal: rng.pick(['joins_per_hour', 'utilization_bps']),
      halfLifeMs: rng.int(1_000, 60_000),
      levels: [{ atLeast: rng.int(1, 50), adjustmentBps: rng.int(0, 1_500) }],
      hysteresisBps: rng.int(0, 3_000),
      minDwellMs: rng.int(0, 5_000),
      maxStepBps: rng.int(1, 1_000),
      stepIntervalMs: rng.int(1_000, 5_000),
    });
  }
  if (rng.chance(0.3)) rules.push({ kind: 'newcomer_discount', discountBps: rng.int(0, 3_000) });
  if (rng.chance(0.4)) rules.push({ kind: 'leader_discount', discountBps: rng.int(0, 3_000) });
  if (rng.chance(0.3)) rules.push({ kind: 'rounding', unitMinor: 10, endingMinor: 9, direction: rng.pick(['down', 'up', 'nearest']) });
  return {
    schemaVersion: 1,
    currency: 'CNY',
    version,
    rules,
    guardrails: {
      floorMinor: 0,
      ceilingMinor: 100_000,
      maxChange: { intervalMs: rng.int(1_000, 10_000), maxRiseBps: rng.int(0, 5_000), maxDropBps: rng.int(0, 10_000) },
      killSwitch: { engaged: rng.chance(0.1) },
    },
  };
}

export function ruleSetCommand(ctx: GenContext): Draft {
  const { rng, nowMs } = ctx;
  const { offerId, merchantId } = merchantTarget(ctx);
  const mechanism = ctx.knowledge.allOffers().find((offer) => offer.offerId === offerId)?.mechanism;
  // Group-anchored decays on offers without groups are generated too: they once scheduled an untickable deadline.
  const groupDeadline = mechanism !== undefined;
  // Versions must rise: one drawn from the simulated time mostly does; a small one now and then is refused.
  const version = rng.chance(0.9) ? 2 + Math.floor(nowMs / 50) % 1_000_000_000 : rng.int(1, 3);
  return {
    type: 'set_rule_set',
    merchantId,
    offerId,
    ruleSet: randomRuleSet(rng, version, groupDeadline),
    ...(rng.chance(0.4) ? { effectiveAtMs: nowMs + rng.int(-50, 2_000) } : {}),
  };
}
