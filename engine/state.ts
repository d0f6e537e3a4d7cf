// The engine's in-memory market. Plain data plus derived indexes; only the engine's own modules mutate it.
// Map iteration order is insertion order, which the commands fix, so walking a map is deterministic.
import type { AuctionState } from './auctions/index.ts';
import type { GroupSettings, MechanismSettings } from './commands.ts';
import type { ReservationState } from './reservations/index.ts';
import type { CommandResult } from './results.ts';
import type { EngineConfig } from './limits.ts';
import { DeadlineQueue } from './deadlines.ts';
import { FifoMap } from './fifo-map.ts';
import type { OfferPricing } from './offer-pricing.ts';

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
  status: OfferStatus;
  /** Why a closed offer closed: its merchant closed it, or its end time came. */
  closedReason: 'merchant' | 'ended' | null;
  mechanism: MechanismSettings;
  /** The live auction of an `auction` offer; null for other mechanisms. */
  auction: AuctionState | null;
  /** The queue or slots of a `reservation` offer; null for other mechanisms. */
  reservation: ReservationState | null;
  /** Units held: by members of live groups, by an auction's winners-to-be, by reservation holds and rentals. */
  heldUnits: number;
  /** Units sold: in completed groups and closed auctions. */
  soldUnits: number;
  /** Units each shopper holds or bought here; an entry exists only while it is positive, so its size ≤ inventory. */
  unitsByShopper: Map<string, number>;
  /** This offer's live (open or formed) groups by id, oldest first (the same objects as `EngineState.groups`). */
  liveGroups: Map<string, Group>;
  createdSerial: number;
  /** Rule sets, pricing memory and published prices: plain data, so snapshots and hashes cover it. */
  pricing: OfferPricing;
}

/** An offer sold by group-buy, as group code sees it once `isGroupOffer` has said so. */
export type GroupOffer = Offer & { mechanism: GroupSettings };

export function isGroupOffer(offer: Offer): offer is GroupOffer {
  return offer.mechanism.type === 'group';
}

export interface Member {
  shopperId: string;
  qty: number;
  /** The unit price quoted at join: the most this member pays a unit. */
  quotedUnitPriceMinor: number;
  chargedMinor: number;
  /** Priced as a newcomer at join; settlement prices the member the same way. */
  newcomer: boolean;
}

export type GroupStatus = 'open' | 'formed';

export interface Group {
  id: string;
  offerId: string;
  leaderId: string;
  status: GroupStatus;
  createdSerial: number;
  openedAtMs: number;
  deadlineMs: number;
  /** Settings fixed when the group opened, so later edits of the offer never change a promise made. */
  minSize: number;
  maxSize: number | null;
  newcomerOnly: boolean;
  autoFillMaxSeats: number;
  /** Members in join order; the leader is the first. */
  members: Map<string, Member>;
}

export interface SettledGroup {
  id: string;
  offerId: string;
  status: 'completed' | 'failed';
  reason: 'full' | 'deadline' | 'offer_closed' | 'empty';
  size: number;
  settledAtMs: number;
}

export interface IdempotencyEntry {
  fingerprint: string;
  result: CommandResult;
  atMs: number;
}

export interface EngineState {
  config: EngineConfig;
  /** The latest time the engine has seen; never decreases. */
  nowMs: number;
  /** Counter for generated ids and creation order. */
  serial: number;
  offers: Map<string, Offer>;
  /** Live groups only; settled ones move to `settledGroups`. */
  groups: Map<string, Group>;
  /** The most recently settled groups, oldest first, bounded by `config.settledGroupsRetained`. */
  settledGroups: FifoMap<string, SettledGroup>;
  /** Accepted commands by `scope + key`, oldest first, bounded by count and age. */
  idempotency: FifoMap<string, IdempotencyEntry>;
  /** Derived: every future deadline (group windows, offer ends). Rebuilt on restore. */
  deadlines: DeadlineQueue;
}

export function emptyState(config: EngineConfig): EngineState {
  return {
    config,
    nowMs: 0,
    serial: 0,
    offers: new Map(),
    groups: new Map(),
    settledGroups: new FifoMap(),
    idempotency: new FifoMap(),
    deadlines: new DeadlineQueue(),
  };
}
