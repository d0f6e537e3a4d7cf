// What one seed's run looks like, drawn from the seed before anything else: the engine's configuration (often
// tight, so the bounds are reached), which mechanisms it drives (one, checked by its reference model, or all of
// them mixed with rule sets), which store survives its crashes, and the mix of actions and faults. Nothing here depends on the number of steps, so a failure at step N replays with
// any step count of at least N.
import { DEFAULT_CONFIG, type EngineConfig } from '../../engine/index.ts';
import { MECHANISM_GENERATORS, type MechanismGenerator } from './generators/index.ts';
import type { Prng } from './prng.ts';

export type Mode = 'reference' | 'engine_only';

/** The simulator's actions, one per step. */
export type Action = 'client' | 'duplicate' | 'tick' | 'time_jump' | 'bad_input' | 'checkpoint' | 'crash';

export interface RunProfile {
  seed: number;
  config: EngineConfig;
  /**
   * reference: one mechanism, every delivery compared with its reference model (the market model for group-buys,
   * the per-offer models for auctions and reservations); engine_only: every mechanism and rule sets mixed, checked
   * without the market model (the per-offer models still follow the offers they can).
   */
  mode: Mode;
  store: 'memory' | 'file';
  mechanisms: readonly MechanismGenerator[];
  /** Whether test/engine/reference-model.ts runs every command of the seed (reference mode, group-buys only). */
  marketReference: boolean;
  /** Merchant rule sets (`set_rule_set`), which the reference does not model. */
  ruleSets: boolean;
  actions: readonly (readonly [Action, number])[];
  /** Share of client commands that carry an idempotency key. */
  keyedShare: number;
  /** Share of client commands held back and delivered after commands of other clients. */
  reorderShare: number;
}

/** One seed in this many mixes every mechanism and rule sets, without the market reference. */
const ENGINE_ONLY_EVERY = 8;
/** One seed in this many keeps its journal and snapshots in real files (persistence/) instead of memory. */
const FILE_STORE_EVERY = 16;

export const START_MS = 1_750_000_000_000;

/** Relative shares of reference-mode seeds per mechanism. */
const FAMILY_WEIGHTS: Readonly<Record<string, number>> = { group: 4, auction: 3, reservation: 3 };

function tightConfig(rng: Prng): EngineConfig {
  return {
    maxOffers: rng.int(2, 8),
    // Quotas and retirement are not in the reference models: out of reach here, tested on their own.
    maxOffersPerMerchant: DEFAULT_CONFIG.maxOffersPerMerchant,
    closedOfferRetentionMs: DEFAULT_CONFIG.closedOfferRetentionMs,
    retiredOffersRetained: DEFAULT_CONFIG.retiredOffersRetained,
    maxLiveGroupsPerOffer: rng.int(1, 3),
    settledGroupsRetained: rng.int(1, 4),
    idempotencyKeysMax: rng.int(1, 6),
    idempotencyTtlMs: rng.int(30, 600),
    priceEventMinGapMs: rng.int(0, 300),
  };
}

/**
 * The defaults, but keys forgotten within seconds: with a day-long memory every keyed answer of a run stays in
 * the state, and each snapshot (taken after every delivery) copies all of them, which makes long runs quadratic.
 */
function roomyConfig(rng: Prng): EngineConfig {
  return { ...DEFAULT_CONFIG, idempotencyKeysMax: rng.int(20, 200), idempotencyTtlMs: rng.int(1_000, 30_000) };
}

export function profileFor(seed: number, rng: Prng): RunProfile {
  const config = rng.weighted([
    [{ ...DEFAULT_CONFIG }, 3],
    [roomyConfig(rng), 4],
    [tightConfig(rng), 3],
  ]);
  const mode: Mode = rng.int(1, ENGINE_ONLY_EVERY) === 1 ? 'engine_only' : 'reference';
  // Reference seeds share the budget between the mechanisms; the group-buy share is larger, its market model
  // checks more per step (every offer, group and key) and it has the most rules to reach.
  const only = rng.weighted(MECHANISM_GENERATORS.map((generator) => [generator, FAMILY_WEIGHTS[generator.mechanism] ?? 1] as const));
  const mechanisms = mode === 'reference' ? [only] : MECHANISM_GENERATORS;
  const store = rng.int(1, FILE_STORE_EVERY) === 1 ? 'file' : 'memory';
  // Some seeds are mostly faults, some mostly traffic.
  const faultiness = rng.pick([0.5, 1, 2]);
  return {
    seed,
    config,
    mode,
    store,
    mechanisms,
    marketReference: mode === 'reference' && only.reference === 'market',
    ruleSets: mode === 'engine_only',
    actions: [
      ['client', 70],
      ['duplicate', 8 * faultiness],
      ['tick', 8 * faultiness],
      ['time_jump', 2 * faultiness],
      ['bad_input', 5 * faultiness],
      ['checkpoint', 3 * faultiness],
      ['crash', 2 * faultiness],
    ],
    keyedShare: rng.pick([0.15, 0.3, 0.5]),
    reorderShare: rng.pick([0.05, 0.12, 0.2]),
  };
}

export function describeProfile(profile: RunProfile): string {
  const mechanisms = profile.mechanisms.map((generator) => generator.mechanism).join('+');
  return `${profile.mode} mode, ${profile.store} store, mechanisms ${mechanisms}${profile.ruleSets ? ' + rule sets' : ''}, config ${JSON.stringify(profile.config)}`;
}
