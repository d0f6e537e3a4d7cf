// Small scenarios for the simulation tests, and the paths of the shipped ones.
import { fileURLToPath } from 'node:url';

export const SCENARIO_DIR = fileURLToPath(new URL('../../simulations/scenarios/', import.meta.url));
export const SHIPPED_SCENARIOS = ['flash-sale.yaml', 'viral-cascade.yaml', 'pricing-ab.yaml'] as const;

/** A valid group-buy scenario as a scenario file would parse to; tests change what they need. */
export function smallScenario(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'small',
    seed: 3,
    duration: '2h',
    offers: [
      {
        id: 'tea',
        inventory: 400,
        basePriceMinor: 1_000,
        mechanism: { type: 'group', minSize: 3, maxSize: 5, windowMs: 1_800_000, tiers: [{ minSize: 3, priceMinor: 800 }] },
      },
    ],
    shoppers: { arrival: { type: 'poisson', rate: 2, per: 'minute' } },
    behaviour: {
      mechanism: 'group',
      valueMinor: { type: 'normal', mean: 900, sd: 150 },
      patience: { type: 'exponential', mean: '20m' },
      invites: { count: 1, acceptProbability: 0.5, delay: '5m' },
    },
    ...overrides,
  };
}

/** Shipped scenarios of the auction and reservation mechanisms (the ones above are group-buys). */
export const MECHANISM_SCENARIOS = ['bidding-war.yaml', 'uniform-sale.yaml', 'rental-queue.yaml'] as const;
