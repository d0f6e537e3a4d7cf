// Snapshots: the whole state as plain JSON-able data, in a fixed order, so that `restore(snapshot())` behaves
// exactly like the engine it came from and hashing the snapshot identifies the state.
//
// The format is declared here, field by field (`EngineSnapshot`), not derived from the in-memory types, so a change
// to the state is a visible change to this file and its `SNAPSHOT_FORMAT`. Every older format this code can read
// has a migration to the current one (`migrateSnapshot`); an unknown format is refused by name.
//   3: offers carried `mechanism` settings beside nullable `auction` and `reservation` states; groups lived at the
//      top level. (1 and 2 predate the journals this code was released with.)
//   4: an offer's `market` is one mechanism's state, discriminated by `type`; each mechanism's state across offers
//      is under `mechanisms`; shoppers' portfolios, offer quotas, retired offers, time zones and bid demand are new.
import { canonicalJson } from './hash.ts';
import { DeadlineQueue } from './kernel/deadlines.ts';
import { FifoMap } from './fifo-map.ts';
import { mechanismOf } from './kernel/context.ts';
import { recomputePortfolios } from './kernel/portfolio.ts';
import type { OfferPricing } from './kernel/pricing-bridge.ts';
import type { EngineState, IdempotencyEntry, Offer, Portfolio, RetiredOffer } from './kernel/state.ts';
import type { TimeZone } from './kernel/time-zone.ts';
import { DEFAULT_CONFIG, type EngineConfig } from './limits.ts';
import { MECHANISM_LIST, type MarketData, type MechanismGlobals, type MechanismGlobalsData, type Registry } from './registry.ts';
import { VOUCHED_FACT_FIELDS } from './schema-primitives.ts';

export const SNAPSHOT_FORMAT = 'tuan-engine/4';

/** One offer: its core fields, pricing and per-shopper units, and its mechanism's market (`Mechanism.toData`). */
export interface OfferData {
  id: string;
  merchantId: string;
  title: string;
  currency: string;
  inventory: number;
  basePriceMinor: number;
  perShopperLimit: number | null;
  startMs: number | null;
  endMs: number | null;
  timeZone: TimeZone | null;
  status: Offer['status'];
  closedReason: Offer['closedReason'];
  closedAtMs: number | null;
  retireAtMs: number | null;
  heldUnits: number;
  soldUnits: number;
  unitsByShopper: [string, number][];
  createdSerial: number;
  pricing: OfferPricing;
  market: MarketData;
}

export interface EngineSnapshot {
  format: typeof SNAPSHOT_FORMAT;
  config: EngineConfig;
  nowMs: number;
  serial: number;
  offers: OfferData[];
  /** Each mechanism's state across its offers (`Mechanism.global`), by type; null for those that keep none. */
  mechanisms: MechanismGlobalsData;
  retiredOffers: RetiredOffer[];
  /** Shopper → [offer id, committed minor units][], in the order each shopper first had a stake in each offer. */
  portfolios: [string, [string, number][]][];
  idempotency: [string, IdempotencyEntry][];
}

export function toSnapshot(state: EngineState, mechanisms: Registry): EngineSnapshot {
  const globals = {} as Record<string, unknown>;
  for (const mechanism of MECHANISM_LIST) globals[mechanism.type] = mechanism.global === null ? null : mechanism.global.toData(state.mechanisms[mechanism.type] as never);
  return {
    format: SNAPSHOT_FORMAT,
    config: { ...state.config },
    nowMs: state.nowMs,
    serial: state.serial,
    offers: [...state.offers.values()].map((offer) => offerToData(offer, mechanisms)),
    mechanisms: globals as MechanismGlobalsData,
    retiredOffers: state.retiredOffers.values().map((retired) => ({ ...retired })),
    portfolios: [...state.portfolios].map(([shopperId, portfolio]) => [shopperId, [...portfolio.stakes]]),
    idempotency: state.idempotency.entries().map(([key, entry]) => [key, structuredClone(entry)]),
  };
}

function offerToData(offer: Offer, mechanisms: Registry): OfferData {
  return {
    id: offer.id,
    merchantId: offer.merchantId,
    title: offer.title,
    currency: offer.currency,
    inventory: offer.inventory,
    basePriceMinor: offer.basePriceMinor,
    perShopperLimit: offer.perShopperLimit,
    startMs: offer.startMs,
    endMs: offer.endMs,
    timeZone: offer.timeZone && structuredClone(offer.timeZone),
    status: offer.status,
    closedReason: offer.closedReason,
    closedAtMs: offer.closedAtMs,
    retireAtMs: offer.retireAtMs,
    heldUnits: offer.heldUnits,
    soldUnits: offer.soldUnits,
    unitsByShopper: [...offer.unitsByShopper],
    createdSerial: offer.createdSerial,
    pricing: structuredClone(offer.pricing),
    market: mechanismOf(mechanisms, offer).toData(offer.market) as MarketData,
  };
}

/** Restores a snapshot of any format this code reads (older ones migrated first). Throws naming what is wrong. */
export function fromSnapshot(input: { format: unknown }, mechanisms: Registry): EngineState {
  const snapshot = migrateSnapshot(structuredClone(input));
  const state: EngineState = {
    config: snapshot.config,
    nowMs: snapshot.nowMs,
    serial: snapshot.serial,
    offers: new Map(),
    offersByMerchant: new Map(),
    retiredOffers: new FifoMap(),
    mechanisms: {} as MechanismGlobals,
    portfolios: new Map(),
    idempotency: new FifoMap(),
    deadlines: new DeadlineQueue(),
  };
  const globals = state.mechanisms as Record<string, unknown>;
  for (const mechanism of MECHANISM_LIST) {
    globals[mechanism.type] = mechanism.global === null ? null : mechanism.global.fromData((snapshot.mechanisms as Record<string, unknown>)[mechanism.type] as never, state);
  }
  for (const data of snapshot.offers) {
    const { unitsByShopper, market, ...core } = data;
    const mechanism = mechanisms[market.type];
    if (mechanism === undefined) throw new Error(`snapshot offer ${data.id} is sold by "${String(market.type)}", which this engine does not know`);
    const offer: Offer = { ...core, unitsByShopper: new Map(unitsByShopper), market: mechanism.fromData(market as never, state, data.id) };
    state.offers.set(offer.id, offer);
    state.offersByMerchant.set(offer.merchantId, (state.offersByMerchant.get(offer.merchantId) ?? 0) + 1);
  }
  for (const retired of snapshot.retiredOffers) state.retiredOffers.push(retired.id, retired);
  for (const [shopperId, stakes] of snapshot.portfolios) {
    const portfolio: Portfolio = { stakes: new Map(stakes), exposureMinor: 0 };
    for (const [, exposureMinor] of stakes) portfolio.exposureMinor += exposureMinor;
    state.portfolios.set(shopperId, portfolio);
  }
  for (const [slot, entry] of snapshot.idempotency) state.idempotency.push(slot, entry);
  // A migrated snapshot carries no portfolios: they follow from the markets.
  if (snapshot.portfolios.length === 0) state.portfolios = recomputePortfolios(state, mechanisms);
  rebuildDeadlines(state, mechanisms);
  return state;
}

/**
 * Deadlines are derived data: per open offer its end, its waiting rule set and its next reprice; per closed offer its
 * retirement; and every mechanism's own (a closed offer's confirmed bookings still end at their time).
 */
export function rebuildDeadlines(state: EngineState, mechanisms: Registry): void {
  state.deadlines = new DeadlineQueue();
  for (const offer of state.offers.values()) {
    mechanismOf(mechanisms, offer).pushDeadlines(offer, state.deadlines);
    const order = offer.createdSerial;
    if (offer.status === 'closed') {
      if (offer.retireAtMs !== null) state.deadlines.push({ atMs: offer.retireAtMs, kind: 'retire', id: offer.id, order });
      continue;
    }
    if (offer.endMs !== null) state.deadlines.push({ atMs: offer.endMs, kind: 'offer_end', id: offer.id, order });
    const pending = offer.pricing.pending;
    if (pending !== null) state.deadlines.push({ atMs: pending.effectiveAtMs, kind: 'rule_set', id: offer.id, order });
    if (offer.pricing.repriceAtMs !== null) state.deadlines.push({ atMs: offer.pricing.repriceAtMs, kind: 'reprice', id: offer.id, order });
  }
}

/** A snapshot in the current format, from any format this code reads. */
export function migrateSnapshot(snapshot: { format: unknown }): EngineSnapshot {
  switch (snapshot.format) {
    case SNAPSHOT_FORMAT:
      return snapshot as EngineSnapshot;
    case 'tuan-engine/3':
      return fromV3(snapshot as unknown as SnapshotV3);
    default:
      throw new Error(`cannot restore snapshot format "${String(snapshot.format)}"; this engine reads "${SNAPSHOT_FORMAT}" and "tuan-engine/3"`);
  }
}

// ---- tuan-engine/3, as the code before the mechanism registry wrote it (only the fields that changed are typed).

interface MemberV3 {
  shopperId: string;
  qty: number;
  quotedUnitPriceMinor: number;
  chargedMinor: number;
  newcomer: boolean;
}

interface GroupV3 {
  id: string;
  offerId: string;
  openedAtMs: number;
  members: MemberV3[];
  [field: string]: unknown;
}

interface OfferV3 {
  id: string;
  mechanism: { type: string };
  auction: Record<string, unknown> | null;
  reservation: ReservationV3 | null;
  liveGroupIds: string[];
  pricing: Omit<OfferPricing, 'bidsSinceSurgeUpdate'>;
  [field: string]: unknown;
}

interface ReservationV3 {
  waiting: Record<string, unknown>[][];
  turns: Record<string, unknown>[];
  bookings: Record<string, unknown>[];
  [field: string]: unknown;
}

interface SnapshotV3 {
  format: 'tuan-engine/3';
  config: Partial<EngineConfig>;
  nowMs: number;
  serial: number;
  offers: OfferV3[];
  groups: GroupV3[];
  settledGroups: unknown[];
  idempotency: [string, IdempotencyEntry][];
}

/** Version 3 → 4: markets from the mechanism fields, groups under their mechanism, the new fields at their defaults. */
function fromV3(v3: SnapshotV3): EngineSnapshot {
  const withoutTier = (facts: Record<string, unknown>) => ({ ...facts, memberTier: null });
  const offers: OfferData[] = v3.offers.map((old) => {
    const { mechanism: settings, auction, reservation, liveGroupIds, pricing, ...core } = old;
    let market: unknown;
    if (settings.type === 'group') market = { type: 'group', settings, liveGroupIds };
    else if (settings.type === 'auction') market = { type: 'auction', settings, ...auction };
    else {
      const r = reservation!;
      market = {
        type: 'reservation',
        settings,
        ...r,
        waiting: r.waiting.map((lane) => lane.map(withoutTier)),
        turns: r.turns.map(withoutTier),
        bookings: r.bookings.map(withoutTier),
      };
    }
    const status = core.status as Offer['status'];
    return {
      ...(core as unknown as Omit<OfferData, 'market' | 'pricing' | 'timeZone' | 'closedAtMs' | 'retireAtMs'>),
      timeZone: null,
      // Version 3 did not record when an offer closed: its retention counts from the restore's clock.
      closedAtMs: status === 'closed' ? v3.nowMs : null,
      retireAtMs: status === 'closed' ? v3.nowMs + (v3.config.closedOfferRetentionMs ?? DEFAULT_CONFIG.closedOfferRetentionMs) : null,
      pricing: { ...pricing, bidsSinceSurgeUpdate: 0 },
      market: market as MarketData,
    };
  });
  const groups = v3.groups.map((group) => ({
    ...group,
    // Version 3 kept no join time per member: the group's opening is the earliest it can have been.
    members: group.members.map((member) => ({ ...member, memberTier: null, joinedAtMs: group.openedAtMs })),
  }));
  return {
    format: SNAPSHOT_FORMAT,
    config: { ...DEFAULT_CONFIG, ...v3.config },
    nowMs: v3.nowMs,
    serial: v3.serial,
    offers,
    mechanisms: { group: { groups, settled: v3.settledGroups }, auction: null, reservation: null } as unknown as MechanismGlobalsData,
    retiredOffers: [],
    portfolios: [],
    idempotency: v3.idempotency.map(([slot, entry]) => [slot, { ...entry, fingerprint: withoutVouchedFacts(entry.fingerprint) }]),
  };
}

/** Version 3 fingerprinted the vouched facts too; today's fingerprint is of what the client asked (idempotency.ts). */
function withoutVouchedFacts(fingerprint: string): string {
  const asked = JSON.parse(fingerprint) as Record<string, unknown>;
  for (const field of VOUCHED_FACT_FIELDS) delete asked[field];
  return canonicalJson(asked);
}
