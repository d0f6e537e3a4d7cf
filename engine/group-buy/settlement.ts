// How a live group ends: completed (everyone pays the rule set's price at the final size, capped by their quote)
// or failed (every hold released, every charge refunded). Both retire the group into the bounded list of settled
// groups.
import type { Ctx } from '../kernel/context.ts';
import { factsOf } from '../kernel/events.ts';
import { commitSale, release } from '../kernel/inventory.ts';
import { activityChanged, unitPrice } from '../kernel/pricing-bridge.ts';
import type { MemberSettlement } from './events.ts';
import { unseat } from './seats.ts';
import { GROUP_PRICING, type GroupOffer } from './pricing.ts';
import type { Group, SettledGroup } from './state.ts';

export type CompletionReason = 'full' | 'deadline' | 'offer_closed';
export type FailureReason = 'deadline' | 'offer_closed' | 'empty';

export function completeGroup(ctx: Ctx, offer: GroupOffer, group: Group, reason: CompletionReason, autoFilledSeats: number, atMs: number): void {
  const finalSize = group.members.size + autoFilledSeats;
  // Few distinct prices (newcomer or not, leader or not, member tier), each evaluated once.
  const prices = new Map<string, number>();
  const members: MemberSettlement[] = [];
  for (const member of [...group.members.values()]) {
    const isLeader = member.shopperId === group.leaderId;
    const segment = `${member.newcomer ? 'n' : '-'}${isLeader ? 'l' : '-'}${member.memberTier ?? ''}`;
    let price = prices.get(segment);
    if (price === undefined) {
      price = unitPrice(offer, GROUP_PRICING, atMs, finalSize, group.minSize, group.deadlineMs, { newcomer: member.newcomer, isLeader, memberTier: member.memberTier });
      prices.set(segment, price);
    }
    const unitPriceMinor = Math.min(price, member.quotedUnitPriceMinor);
    const paidMinor = unitPriceMinor * member.qty;
    members.push({ shopperId: member.shopperId, qty: member.qty, unitPriceMinor, paidMinor, refundMinor: member.chargedMinor - paidMinor });
    commitSale(ctx, offer, member.qty);
    unseat(ctx, offer, group, member.shopperId);
  }
  ctx.events.push({ type: 'group_completed', ...factsOf(offer), groupId: group.id, size: finalSize, autoFilledSeats, reason, members, atMs });
  retire(ctx, offer, group, { status: 'completed', reason, size: finalSize, atMs });
}

export function failGroup(ctx: Ctx, offer: GroupOffer, group: Group, reason: FailureReason, atMs: number): void {
  const size = group.members.size;
  const refunds = [];
  for (const member of [...group.members.values()]) {
    release(ctx, offer, member.shopperId, member.qty);
    unseat(ctx, offer, group, member.shopperId);
    refunds.push({ shopperId: member.shopperId, qty: member.qty, refundMinor: member.chargedMinor });
  }
  ctx.events.push({ type: 'group_failed', ...factsOf(offer), groupId: group.id, size, reason, refunds, atMs });
  retire(ctx, offer, group, { status: 'failed', reason, size, atMs });
}

/** A group at its deadline: formed → completed; open → auto-filled if close enough, else failed. */
export function settleAtDeadline(ctx: Ctx, offer: GroupOffer, group: Group, atMs: number): void {
  if (group.status === 'formed') return completeGroup(ctx, offer, group, 'deadline', 0, atMs);
  const missingSeats = group.minSize - group.members.size;
  if (missingSeats <= group.autoFillMaxSeats) return completeGroup(ctx, offer, group, 'deadline', missingSeats, atMs);
  failGroup(ctx, offer, group, 'deadline', atMs);
}

/** A group whose offer closes early: what has formed completes, what has not fails. */
export function settleOnOfferClose(ctx: Ctx, offer: GroupOffer, group: Group, atMs: number): void {
  if (group.status === 'formed') completeGroup(ctx, offer, group, 'offer_closed', 0, atMs);
  else failGroup(ctx, offer, group, 'offer_closed', atMs);
}

interface Outcome {
  status: SettledGroup['status'];
  reason: SettledGroup['reason'];
  size: number;
  atMs: number;
}

function retire(ctx: Ctx, offer: GroupOffer, group: Group, outcome: Outcome): void {
  const { config } = ctx.state;
  const { groups, settled } = ctx.state.mechanisms.group;
  activityChanged(ctx, offer, 0);
  groups.delete(group.id);
  offer.market.liveGroups.delete(group.id);
  settled.push(group.id, { id: group.id, offerId: offer.id, status: outcome.status, reason: outcome.reason, size: outcome.size, settledAtMs: outcome.atMs });
  while (settled.size > config.settledGroupsRetained) settled.dropOldest();
}
