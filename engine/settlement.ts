// How a live group ends: completed (everyone pays the rule set's price at the final size, capped by their quote)
// or failed (every hold released, every charge refunded). Both retire the group into the bounded list of settled
// groups.
import type { Ctx } from './context.ts';
import type { MemberSettlement } from './events.ts';
import { commitSale, release } from './inventory.ts';
import { activityChanged, unitPrice } from './offer-pricing.ts';
import type { Group, Offer, SettledGroup } from './state.ts';

export type CompletionReason = 'full' | 'deadline' | 'offer_closed';
export type FailureReason = 'deadline' | 'offer_closed' | 'empty';

function offerOf(ctx: Ctx, group: Group): Offer {
  const offer = ctx.state.offers.get(group.offerId);
  if (!offer) throw new Error(`invariant: group ${group.id} has no offer ${group.offerId}`);
  return offer;
}

export function completeGroup(ctx: Ctx, group: Group, reason: CompletionReason, autoFilledSeats: number, atMs: number): void {
  const offer = offerOf(ctx, group);
  const finalSize = group.members.size + autoFilledSeats;
  // At most four distinct prices (newcomer or not, leader or not), each evaluated once.
  const prices: (number | undefined)[] = [];
  const members: MemberSettlement[] = [];
  for (const member of group.members.values()) {
    const isLeader = member.shopperId === group.leaderId;
    const slot = (member.newcomer ? 2 : 0) + (isLeader ? 1 : 0);
    const price = (prices[slot] ??= unitPrice(offer, atMs, finalSize, group.minSize, group.deadlineMs, { newcomer: member.newcomer, isLeader }));
    const unitPriceMinor = Math.min(price, member.quotedUnitPriceMinor);
    const paidMinor = unitPriceMinor * member.qty;
    members.push({ shopperId: member.shopperId, qty: member.qty, unitPriceMinor, paidMinor, refundMinor: member.chargedMinor - paidMinor });
    commitSale(offer, member.qty);
  }
  ctx.events.push({
    type: 'group_completed',
    offerId: offer.id,
    groupId: group.id,
    size: finalSize,
    autoFilledSeats,
    reason,
    members,
    atMs,
  });
  retire(ctx, group, offer, { status: 'completed', reason, size: finalSize, atMs });
}

export function failGroup(ctx: Ctx, group: Group, reason: FailureReason, atMs: number): void {
  const offer = offerOf(ctx, group);
  const refunds = [];
  for (const member of group.members.values()) {
    release(offer, member.shopperId, member.qty);
    refunds.push({ shopperId: member.shopperId, qty: member.qty, refundMinor: member.chargedMinor });
  }
  ctx.events.push({ type: 'group_failed', offerId: offer.id, groupId: group.id, size: group.members.size, reason, refunds, atMs });
  retire(ctx, group, offer, { status: 'failed', reason, size: group.members.size, atMs });
}

/** A group at its deadline: formed → completed; open → auto-filled if close enough, else failed. */
export function settleAtDeadline(ctx: Ctx, group: Group, atMs: number): void {
  if (group.status === 'formed') return completeGroup(ctx, group, 'deadline', 0, atMs);
  const missingSeats = group.minSize - group.members.size;
  if (missingSeats <= group.autoFillMaxSeats) return completeGroup(ctx, group, 'deadline', missingSeats, atMs);
  failGroup(ctx, group, 'deadline', atMs);
}

/** A group whose offer closes early: what has formed completes, what has not fails. */
export function settleOnOfferClose(ctx: Ctx, group: Group, atMs: number): void {
  if (group.status === 'formed') completeGroup(ctx, group, 'offer_closed', 0, atMs);
  else failGroup(ctx, group, 'offer_closed', atMs);
}

interface Outcome {
  status: SettledGroup['status'];
  reason: SettledGroup['reason'];
  size: number;
  atMs: number;
}

function retire(ctx: Ctx, group: Group, offer: Offer, outcome: Outcome): void {
  const { groups, settledGroups, config } = ctx.state;
  activityChanged(ctx, offer, 0);
  groups.delete(group.id);
  offer.liveGroups.delete(group.id);
  settledGroups.push(group.id, { id: group.id, offerId: offer.id, status: outcome.status, reason: outcome.reason, size: outcome.size, settledAtMs: outcome.atMs });
  while (settledGroups.size > config.settledGroupsRetained) settledGroups.dropOldest();
}
