// The scenario file, as a zod schema: offers (with the engine's own mechanism settings and an optional pricing rule
// set), the shopper population and its behaviour, the time window, the seed, variants to compare, and the limits of
// a live run. Parsed once at the edge; everything after works on the typed result. Error paths name the field as
// it is written in the file (`shoppers.arrival.rate: must be > 0`).
import { z } from 'zod';
import { Currency, MechanismSettings, Money, NewId } from '../engine/index.ts';
import { parseRuleSet } from '../pricing/index.ts';
import { ArrivalProcess } from './arrivals.ts';
import { AuctionBehaviour } from './behaviours/auction-schema.ts';
import { GroupBehaviour } from './behaviours/group-schema.ts';
import { ReservationBehaviour } from './behaviours/reservation-schema.ts';
import { Duration, PositiveDuration } from './durations.ts';

export const SCENARIO_LIMITS = {
  offersMax: 16,
  variantsMax: 8,
  arrivalProcessesMax: 16,
  /** Every shopper a run creates, invited friends included. */
  shoppersMax: 2_000_000,
} as const;

/** 2026-01-01T00:00:00Z: a fixed default start, so a report does not depend on the day it was made. */
export const DEFAULT_START_MS = 1_767_225_600_000;

const StartAt = z.union([
  z.number().int().min(0),
  z.string().transform((text, ctx) => {
    const ms = Date.parse(text);
    if (Number.isNaN(ms)) {
      ctx.addIssue({ code: 'custom', message: `"${text}" is not an ISO date such as 2026-01-01T00:00:00Z` });
      return z.NEVER;
    }
    return ms;
  }),
]);

export const OfferSpec = z.strictObject({
  /** The offer's id in the engine (in a live run a per-run suffix is added so runs do not collide). */
  id: NewId,
  title: z.string().min(1).max(200).optional(),
  currency: Currency.default('CNY'),
  inventory: z.number().int().min(0).max(100_000_000),
  basePriceMinor: Money,
  perShopperLimit: z.number().int().min(1).optional(),
  /** The offer opens this long after the scenario's start (default: at once). */
  startAfter: Duration.optional(),
  /** The offer ends this long after the scenario's start (default: no end). */
  endAfter: PositiveDuration.optional(),
  /** The engine's mechanism settings, exactly as `create_offer` takes them (docs/engine.md). */
  mechanism: MechanismSettings,
  /** A pricing rule set (docs/pricing.md); absent: the mechanism's tiers price the offer. */
  ruleSet: z.unknown().optional(),
});

export const EndOptions = z.strictObject({
  /**
   * After the arrival window: `settle` keeps the clock running until every group has settled at its deadline
   * (at most `drainMax` longer); `close_offers` closes the offers at once (formed groups complete, open ones fail).
   */
  policy: z.enum(['settle', 'close_offers']).default('settle'),
  drainMax: Duration.default(7 * 86_400_000),
});

export const LiveOptions = z.strictObject({
  /** Simulated milliseconds per real millisecond: 60 plays a simulated minute in a real second. */
  timeScale: z.number().refine((x) => x > 0 && x <= 1_000_000, { message: 'must be > 0 and ≤ 1000000' }).default(60),
  /** Open WebSocket connections at most (shoppers plus watchers plus the merchant). */
  maxConnections: z.number().int().min(3, 'must be ≥ 3').max(50_000).default(500),
  /** Shopper commands sent per real second at most; more wait in a bounded queue. */
  maxCommandsPerS: z.number().refine((x) => x > 0, { message: 'must be > 0' }).default(500),
  /** The run stops by itself after this much real time, whatever the scenario says. */
  maxWall: PositiveDuration.default(120_000),
  /** Connections watching each offer's channel, measuring delivery latency. */
  watchers: z.number().int().min(1, 'must be ≥ 1').max(1_000).default(1),
  /** Real time an answer may take before it counts as `client_timeout`. */
  requestTimeout: PositiveDuration.default(10_000),
  /** Real time to wait for settlements after the offers close. */
  settleGrace: PositiveDuration.default(5_000),
});

export const ReportOptions = z.strictObject({
  /** Groups whose fill curve (members over time) is drawn: the first ones opened. */
  fillCurves: z.number().int().min(0).max(200).default(20),
  /** Points per time series at most (older points are merged pairwise as the run grows). */
  seriesPoints: z.number().int().min(16).max(4_000).default(240),
});

export const Variant = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9_.-]{1,40}$/, 'use 1–40 letters, digits, _ . -'),
  description: z.string().max(2_000).optional(),
  /** Overrides applied to the scenario for this variant, as `--set` takes them: `{ "offers.0.ruleSet": {…} }`. */
  set: z.record(z.string(), z.unknown()).default({}),
});

export const Behaviour = z.discriminatedUnion('mechanism', [GroupBehaviour, AuctionBehaviour, ReservationBehaviour]);

export const Scenario = z
  .strictObject({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'use lowercase letters, digits and -'),
    description: z.string().max(4_000).optional(),
    seed: z.number().int().min(0).max(0xffff_ffff).default(1),
    startAt: StartAt.default(DEFAULT_START_MS),
    /** How long fresh shoppers keep arriving. */
    duration: PositiveDuration,
    end: EndOptions.prefault({}),
    offers: z.array(OfferSpec).min(1, 'name at least one offer').max(SCENARIO_LIMITS.offersMax),
    shoppers: z.strictObject({
      arrival: z.union([ArrivalProcess, z.array(ArrivalProcess).min(1).max(SCENARIO_LIMITS.arrivalProcessesMax)]),
      /** Shoppers at most, invited friends included; arrivals and invites past it are counted, not simulated. */
      max: z.number().int().min(1).max(SCENARIO_LIMITS.shoppersMax).default(100_000),
      /** Probability that an arriving shopper is a newcomer (new to the platform: 老带新 groups want them). */
      newcomerShare: z.number().min(0, 'must be ≥ 0').max(1, 'must be ≤ 1').default(0),
    }),
    behaviour: Behaviour,
    variants: z.array(Variant).min(1).max(SCENARIO_LIMITS.variantsMax).optional(),
    live: LiveOptions.prefault({}),
    report: ReportOptions.prefault({}),
  })
  .superRefine((scenario, ctx) => {
    const ids = new Set<string>();
    const currency = scenario.offers[0]?.currency;
    scenario.offers.forEach((offer, i) => {
      // Revenue is summed across offers, which only means something in one currency.
      if (offer.currency !== currency) ctx.addIssue({ code: 'custom', path: ['offers', i, 'currency'], message: `every offer of a scenario uses one currency (${currency})` });
      if (ids.has(offer.id)) ctx.addIssue({ code: 'custom', path: ['offers', i, 'id'], message: `"${offer.id}" is used by another offer` });
      ids.add(offer.id);
      if (offer.mechanism.type !== scenario.behaviour.mechanism) {
        ctx.addIssue({ code: 'custom', path: ['offers', i, 'mechanism', 'type'], message: `must be "${scenario.behaviour.mechanism}", the mechanism of behaviour.mechanism` });
      } else if (offer.mechanism.type === 'reservation' && offer.mechanism.mode !== 'queue') {
        // Renters join queues; booking slots needs another behaviour (which slot, how far ahead), not written yet.
        ctx.addIssue({ code: 'custom', path: ['offers', i, 'mechanism', 'mode'], message: 'the reservation behaviour simulates queues (mode: queue); slot bookings are not simulated' });
      }
      if (offer.ruleSet !== undefined) {
        const parsed = parseRuleSet(offer.ruleSet);
        if (!parsed.ok) {
          for (const error of parsed.errors) ctx.addIssue({ code: 'custom', path: ['offers', i, 'ruleSet', ...(error.path ? error.path.split('.') : [])], message: error.message });
        } else if (parsed.ruleSet.currency !== offer.currency) {
          ctx.addIssue({ code: 'custom', path: ['offers', i, 'ruleSet', 'currency'], message: `must be the offer's currency (${offer.currency})` });
        }
      }
    });
    const weights = scenario.behaviour.offerWeights;
    if (weights) {
      for (const id of Object.keys(weights)) if (!ids.has(id)) ctx.addIssue({ code: 'custom', path: ['behaviour', 'offerWeights', id], message: 'is not the id of an offer' });
      if (![...ids].some((id) => (weights[id] ?? 0) > 0)) ctx.addIssue({ code: 'custom', path: ['behaviour', 'offerWeights'], message: 'give at least one offer a weight above 0' });
    }
    const names = new Set<string>();
    scenario.variants?.forEach((variant, i) => {
      if (names.has(variant.name)) ctx.addIssue({ code: 'custom', path: ['variants', i, 'name'], message: `"${variant.name}" is used by another variant` });
      names.add(variant.name);
    });
  });

export type Scenario = z.output<typeof Scenario>;
export type ScenarioInput = z.input<typeof Scenario>;
export type OfferSpec = z.output<typeof OfferSpec>;
export type Behaviour = z.output<typeof Behaviour>;
export type LiveOptions = z.output<typeof LiveOptions>;
