// What both modes derive alike from a scenario: the offers' create_offer fields and how long a run should last.
import type { CreateOffer } from '../engine/index.ts';
import type { z } from 'zod';
import { theoreticalMean } from './distributions.ts';
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

/** Soft-close extensions counted on when sizing a run: a few, not the worst case of up to 1 000. */
const EXTENSIONS_EXPECTED = 5;

/**
 * How long the market keeps settling after the last arrival, at a guess (it sizes time series and the progress
 * bar, nothing else): the longest group window; an auction's end past the window (plus a few soft-close
 * extensions); a rental's mean length plus a hold; at most the drain cap.
 */
export function drainEstimateMs(scenario: Scenario): number {
  if (scenario.end.policy === 'close_offers') return 0;
  let longest = 0;
  for (const offer of scenario.offers) {
    const m = offer.mechanism;
    if (m.type === 'group') longest = Math.max(longest, m.windowMs);
    else if (m.type === 'auction' && offer.endAfter !== undefined) {
      const extensions = m.softClose ? m.softClose.extendMs * Math.min(m.softClose.maxExtensions, EXTENSIONS_EXPECTED) : 0;
      longest = Math.max(longest, offer.endAfter + extensions - scenario.duration);
    } else if (m.type === 'reservation' && scenario.behaviour.mechanism === 'reservation') {
      longest = Math.max(longest, theoreticalMean(scenario.behaviour.rentalDuration) + m.holdMs);
    }
  }
  return Math.min(Math.max(0, Math.round(longest)), scenario.end.drainMax);
}

/** Simulated time from the start to the expected end of the run (arrival window plus drain). */
export function expectedSpanMs(scenario: Scenario): number {
  return scenario.duration + drainEstimateMs(scenario);
}
