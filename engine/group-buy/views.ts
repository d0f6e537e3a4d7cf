// Read models of group-buys: a group as its watchers see it (member ids, never amounts), a group summary for an
// offer's watchers, and a shopper's own memberships (amounts included: the shopper's own view).
import { currentUnitPrice } from './groups.ts';
import type { GroupOffer } from './pricing.ts';
import type { Group } from './state.ts';

export interface GroupView {
  groupId: string;
  offerId: string;
  status: Group['status'];
  leaderId: string;
  size: number;
  minSize: number;
  maxSize: number | null;
  seatsMissing: number;
  newcomerOnly: boolean;
  openedAtMs: number;
  deadlineMs: number;
  /** The unit price at the current size: what everyone would pay (before their own discounts) if it ended now. */
  unitPriceMinor: number;
  /** Member ids in join order. Shopper ids only, never amounts: one shopper's charges are private. */
  members: string[];
}

/** A group without its member list: what an offer's watchers see of each of its groups. */
export type GroupSummary = Omit<GroupView, 'members'>;

/** A shopper's seat in a live group, as that shopper's own view lists it. */
export interface MembershipView {
  offerId: string;
  groupId: string;
  qty: number;
  chargedMinor: number;
  quotedUnitPriceMinor: number;
  joinedAtMs: number;
  group: GroupSummary;
}

export function groupView(offer: GroupOffer, group: Group, nowMs: number): GroupView {
  const size = group.members.size;
  return {
    groupId: group.id,
    offerId: group.offerId,
    status: group.status,
    leaderId: group.leaderId,
    size,
    minSize: group.minSize,
    maxSize: group.maxSize,
    seatsMissing: Math.max(0, group.minSize - size),
    newcomerOnly: group.newcomerOnly,
    openedAtMs: group.openedAtMs,
    deadlineMs: group.deadlineMs,
    unitPriceMinor: currentUnitPrice(offer, group, size, nowMs),
    members: [...group.members.keys()],
  };
}

export function groupSummary(group: GroupView): GroupSummary {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { members, ...summary } = group;
  return summary;
}

/** The shopper's seats in the offer's live groups, oldest group first. */
export function membershipsOf(offer: GroupOffer, shopperId: string, nowMs: number): MembershipView[] {
  const out: MembershipView[] = [];
  if (!offer.market.seats.has(shopperId)) return out;
  for (const group of offer.market.liveGroups.values()) {
    const member = group.members.get(shopperId);
    if (!member) continue;
    const { qty, chargedMinor, quotedUnitPriceMinor, joinedAtMs } = member;
    out.push({ offerId: offer.id, groupId: group.id, qty, chargedMinor, quotedUnitPriceMinor, joinedAtMs, group: groupSummary(groupView(offer, group, nowMs)) });
  }
  return out;
}
