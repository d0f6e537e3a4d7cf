// The engine's in-memory market. Plain data plus derived indexes; only the engine's own modules mutate it.
// Map iteration order is insertion order, which the commands fix, so walking a map is deterministic.
import type { EngineConfig } from '../limits.ts';
import type { CommandResult } from '../results.ts';
import type { Market, MechanismGlobals } from '../registry.ts';
import { DeadlineQueue } from './deadlines.ts';
import { FifoMap } from '../fifo-map.ts';
import type { OfferPricing } from './pricing-bridge.ts';
import type { TimeZone } from './time-zone.ts';

export type OfferStatus = 'active' | 'paused' | 'closed';

export interface Offer {
  id: string;
  merchantId: string;
  title: string;
  currency: string;
  inventory: number;
  basePriceMinor: number;
  perShopperLimit: number | null;
  startMs: number | null;
  endMs: number | null;
  /** The offer's local time for daily pricing windows; null: UTC. */
  timeZone: TimeZone | null;
  status: OfferStatus;
  /** Why a closed offer closed: its merchant closed it, or its end time came. */
  closedReason: 'merchant' | 'ended' | null;
  /** When it closed; null while open. */
  closedAtMs: number | null;
  /** A closed offer: when it is next looked at for retirement (a `retire` deadline); null while open or once retired. */
  retireAtMs: number | null;
  /** Units held by the market (members of live groups, reservation holds and rentals); see `Mechanism.heldUnits`. */
  heldUnits: number;
  /** Units sold: in completed groups and closed auctions. */
  soldUnits: number;
  /** Units each shopper holds or bought here; an entry exists only while it is positive, so its size ≤ inventory. */
  unitsByShopper: Map<string, number>;
  createdSerial: number;
  /** Rule sets, pricing memory and published prices: plain data, so snapshots and hashes cover it. */
  pricing: OfferPricing;
  /** How the offer sells: one mechanism's state, discriminated by `market.type` (see registry.ts). */
  market: Market;
}

/**
 * A shopper's portfolio: the offers where it has a live stake (a seat, a bid, a place, a hold, a rental, a
 * booking), in the order it first had one there, with what it has committed in each. Kept by the kernel from
 * what the mechanisms say (`Mechanism.involvement`) for every shopper a step touched; see portfolio.ts.
 */
export interface Portfolio {
  /** Offer id → what the shopper has committed there (bids not yet settled), in minor units. */
  stakes: Map<string, number>;
  /** Σ stakes: the shopper's exposure across every open auction. */
  exposureMinor: number;
}

export interface IdempotencyEntry {
  fingerprint: string;
  result: CommandResult;
  atMs: number;
}

/** A closed offer that left memory: its id stays taken, and commands naming it are told so. */
export interface RetiredOffer {
  id: string;
  merchantId: string;
  closedAtMs: number;
}

export interface EngineState {
  config: EngineConfig;
  /** The latest time the engine has seen; never decreases. */
  nowMs: number;
  /** Counter for generated ids and creation order. */
  serial: number;
  offers: Map<string, Offer>;
  /** Offers in memory per merchant (open and closed, until they retire): the merchant's quota counts these. */
  offersByMerchant: Map<string, number>;
  /** Closed offers that left memory, oldest first, bounded by `config.retiredOffersRetained`. */
  retiredOffers: FifoMap<string, RetiredOffer>;
  /** Each mechanism's state across its offers (e.g. group-buys' groups by id). */
  mechanisms: MechanismGlobals;
  /** Per shopper with a live stake somewhere. */
  portfolios: Map<string, Portfolio>;
  /** Accepted commands by `scope + key`, oldest first, bounded by count and age. */
  idempotency: FifoMap<string, IdempotencyEntry>;
  /** Derived: every future deadline. Rebuilt on restore. */
  deadlines: DeadlineQueue;
}

export function newState(config: EngineConfig, mechanisms: MechanismGlobals): EngineState {
  return {
    config,
    nowMs: 0,
    serial: 0,
    offers: new Map(),
    offersByMerchant: new Map(),
    retiredOffers: new FifoMap(),
    mechanisms,
    portfolios: new Map(),
    idempotency: new FifoMap(),
    deadlines: new DeadlineQueue(),
  };
}
