// What both modes derive alike from a scenario: the offers' create_offer fields and how long a run should last.
import type { CreateOffer } from '../engine/index.ts';
import type { z } from 'zod';
import type { OfferSpec, Scenario } from './scenario-schema.ts';

export type CreateOfferFields = Omit<z.input<typeof CreateOffer>, 'type' | 'nowMs' | 'merchantId'>;

/** The `create_offer` fields of an offer whose scenario starts at `startMs` (times still in simulated ms). */
export function createOfferFields(spec: OfferSpec, startMs: number): CreateOfferFields {
  return {
    offerId: spec.id,
    title: spec.title ?? spec.id,
    currency: spec.currency,
    inventory: spec.inventory,
    basePriceMinor: spec.basePriceMinor,
    mechanism: spec.mechanism,
    ...(spec.perShopperLimit !== undefined ? { perShopperLimit: spec.perShopperLimit } : {}),
    ...(spec.startAfter !== undefined ? { startMs: startMs + spec.startAfter } : {}),
    ...(spec.endAfter !== undefined ? { endMs: startMs + spec.endAfter } : {}),
    ...(spec.ruleSet !== undefined ? { ruleSet: spec.ruleSet } : {}),
  };
}

/** The longest time a seat can stay open after the last arrival: the longest group window, or the drain cap. */
export function drainEstimateMs(scenario: Scenario): number {
  if (scenario.end.policy === 'close_offers') return 0;
  let longest = 0;
  for (const offer of scenario.offers) if (offer.mechanism.type === 'group') longest = Math.max(longest, offer.mechanism.windowMs);
  return Math.min(longest, scenario.end.drainMax);
}

/** Simulated time from the start to the expected end of the run (arrival window plus drain). */
export function expectedSpanMs(scenario: Scenario): number {
  return scenario.duration + drainEstimateMs(scenario);
}
