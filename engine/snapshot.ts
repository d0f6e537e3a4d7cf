// Snapshots: the whole state as plain JSON-able data, in a fixed order, so that `restore(snapshot())` behaves
// exactly like the engine it came from and hashing the snapshot identifies the state.
import { auctionFromData, auctionToData, pushAuctionDeadlines, type AuctionData } from './auctions/index.ts';
import { DeadlineQueue } from './deadlines.ts';
import { FifoMap } from './fifo-map.ts';
import type { EngineConfig } from './limits.ts';
import { pushReservationDeadlines, reservationFromData, reservationToData, type ReservationData } from './reservations/index.ts';
import type { EngineState, Group, IdempotencyEntry, Member, Offer, SettledGroup } from './state.ts';

/**
 * 2: offers carry their pricing (rule set versions, pricing memory, price history) and members their segment.
 * 3: offers carry their auction or reservation state.
 */
export const SNAPSHOT_FORMAT = 'tuan-engine/3';

type OfferData = Omit<Offer, 'unitsByShopper' | 'liveGroups' | 'auction' | 'reservation'> & {
  unitsByShopper: [string, number][];
  liveGroupIds: string[];
  auction: AuctionData | null;
  reservation: ReservationData | null;
};
type GroupData = Omit<Group, 'members'> & { members: Member[] };

export interface EngineSnapshot {
  format: typeof SNAPSHOT_FORMAT;
  config: EngineConfig;
  nowMs: number;
  serial: number;
  offers: OfferData[];
  groups: GroupData[];
  settledGroups: SettledGroup[];
  idempotency: [string, IdempotencyEntry][];
}

export function toSnapshot(state: EngineState): EngineSnapshot {
  return {
    format: SNAPSHOT_FORMAT,
    config: { ...state.config },
    nowMs: state.nowMs,
    serial: state.serial,
    offers: [...state.offers.values()].map(({ liveGroups, ...offer }) => ({
      ...offer,
      mechanism: structuredClone(offer.mechanism),
      pricing: structuredClone(offer.pricing),
      auction: offer.auction && auctionToData(offer.auction),
      reservation: offer.reservation && reservationToData(offer.reservation),
      unitsByShopper: [...offer.unitsByShopper],
      liveGroupIds: [...liveGroups.keys()],
    })),
    groups: [...state.groups.values()].map((group) => ({ ...group, members: [...group.members.values()].map((m) => ({ ...m })) })),
    settledGroups: state.settledGroups.values().map((settled) => ({ ...settled })),
    idempotency: state.idempotency.entries().map(([key, entry]) => [key, structuredClone(entry)]),
  };
}

export function fromSnapshot(snapshot: EngineSnapshot): EngineState {
  if (snapshot.format !== SNAPSHOT_FORMAT) {
    throw new Error(`cannot restore snapshot format "${String(snapshot.format)}"; this engine reads "${SNAPSHOT_FORMAT}"`);
  }
  const copy = structuredClone(snapshot);
  const groups = new Map<string, Group>(
    copy.groups.map((group) => [group.id, { ...group, members: new Map(group.members.map((m) => [m.shopperId, m])) }]),
  );
  const offers = new Map<string, Offer>(
    copy.offers.map(({ liveGroupIds, ...offer }) => [
      offer.id,
      {
        ...offer,
        auction: offer.auction && auctionFromData(offer.auction),
        reservation: offer.reservation && reservationFromData(offer.reservation),
        unitsByShopper: new Map(offer.unitsByShopper),
        liveGroups: new Map(liveGroupIds.map((groupId) => [groupId, liveGroupOf(groups, groupId, offer.id)])),
      },
    ]),
  );
  const settledGroups = new FifoMap<string, SettledGroup>();
  for (const settled of copy.settledGroups) settledGroups.push(settled.id, settled);
  const idempotency = new FifoMap<string, IdempotencyEntry>();
  for (const [slot, entry] of copy.idempotency) idempotency.push(slot, entry);
  const state: EngineState = {
    config: copy.config,
    nowMs: copy.nowMs,
    serial: copy.serial,
    offers,
    groups,
    settledGroups,
    idempotency,
    deadlines: new DeadlineQueue(),
  };
  rebuildDeadlines(state);
  return state;
}

function liveGroupOf(groups: Map<string, Group>, groupId: string, offerId: string): Group {
  const group = groups.get(groupId);
  if (!group || group.offerId !== offerId) throw new Error(`snapshot is inconsistent: offer ${offerId} lists live group ${groupId} it does not have`);
  return group;
}

/**
 * Deadlines are derived data: one entry per live group, and per open offer one for its end, its waiting rule set
 * and its next reprice, when it has them.
 */
export function rebuildDeadlines(state: EngineState): void {
  state.deadlines = new DeadlineQueue();
  for (const group of state.groups.values()) {
    state.deadlines.push({ atMs: group.deadlineMs, kind: 'group', id: group.id, order: group.createdSerial });
  }
  for (const offer of state.offers.values()) {
    // Before the closed check: a closed offer's confirmed bookings still end at their time.
    if (offer.reservation) pushReservationDeadlines(offer, state.deadlines);
    if (offer.status === 'closed') continue;
    const order = offer.createdSerial;
    if (offer.endMs !== null) state.deadlines.push({ atMs: offer.endMs, kind: 'offer_end', id: offer.id, order });
    const pending = offer.pricing.pending;
    if (pending !== null) state.deadlines.push({ atMs: pending.effectiveAtMs, kind: 'rule_set', id: offer.id, order });
    if (offer.pricing.repriceAtMs !== null) state.deadlines.push({ atMs: offer.pricing.repriceAtMs, kind: 'reprice', id: offer.id, order });
    if (offer.auction) pushAuctionDeadlines(offer, state.deadlines);
  }
}
