// Shopper commands on group-buys (拼团): open, join by id, match, leave, and quotes. Checks run in a fixed order, all
// before any change: offer state → group state → membership → group rules → shopper limit → inventory.
import type { QuoteCommand } from '../mechanism.ts';
import { touch, type Ctx } from '../kernel/context.ts';
import { factsOf } from '../kernel/events.ts';
import { availableUnits, hold, release, unitsOf } from '../kernel/inventory.ts';
import { activityChanged, explainedPrice, shopperOf, unitPrice, type PricedShopper } from '../kernel/pricing-bridge.ts';
import { offerSoldBy, sellableProblem } from '../kernel/sellable.ts';
import { LIMITS } from '../limits.ts';
import { isRejection, reject, type CommandResult, type Quote, type Rejection } from '../results.ts';
import type { GroupCommandOf } from './commands.ts';
import { GROUP_PRICING, newGroupDeadline, type GroupOffer } from './pricing.ts';
import { unseat } from './seats.ts';
import { completeGroup, failGroup } from './settlement.ts';
import type { Group, Member } from './state.ts';

/** A group takes members up to its `maxSize`, or up to the engine's hard cap when it has none. */
export function capacityOf(group: Group): number {
  return group.maxSize ?? LIMITS.groupSizeMax;
}

/**
 * The size whose price bounds what a joiner pays: a group completes with at least `minSize` members (auto-filled
 * seats count) and never shrinks once formed, so its final price is at most the price at this size.
 */
function boundingSize(sizeAfterJoin: number, minSize: number): number {
  return Math.max(sizeAfterJoin, minSize);
}

/**
 * The quote for a seat: the price at the bounding size, from the offer's rule set, now. `groupDeadlineMs` is the
 * group's (null: a group that would open now). `details`: explanation lines with their text (see explainedPrice).
 */
export function quoteFor(ctx: Ctx, offer: GroupOffer, sizeAfterJoin: number, minSize: number, groupDeadlineMs: number | null, shopper: PricedShopper, details: boolean): Quote {
  return explainedPrice(offer, GROUP_PRICING, ctx.nowMs, boundingSize(sizeAfterJoin, minSize), minSize, groupDeadlineMs, shopper, details);
}

/** What everyone in the group would pay a unit (before their own discounts) if it ended now at `size`. */
export function currentUnitPrice(offer: GroupOffer, group: Group, size: number, atMs: number): number {
  return unitPrice(offer, GROUP_PRICING, atMs, size, group.minSize, group.deadlineMs);
}

/** The group, or why it cannot be found live: settled groups answer `group_closed` (or `group_full`). */
function liveGroup(ctx: Ctx, groupId: string): Group | Rejection {
  const { groups, settled } = ctx.state.mechanisms.group;
  const group = groups.get(groupId);
  if (group) return group;
  const over = settled.get(groupId);
  if (over?.reason === 'full') return reject('group_full', `Group "${groupId}" filled up and completed.`);
  if (over) return reject('group_closed', `Group "${groupId}" has ${over.status}; open or match another group.`);
  return reject('unknown_group', `No group "${groupId}".`);
}

/** The shopper-side checks every way of taking a seat shares: limit, then inventory. */
function seatProblem(offer: GroupOffer, shopperId: string, qty: number): Rejection | null {
  if (offer.perShopperLimit !== null && unitsOf(offer, shopperId) + qty > offer.perShopperLimit) {
    return reject('limit_exceeded', `A shopper may hold or buy ${offer.perShopperLimit} units of this offer; you already have ${unitsOf(offer, shopperId)}.`);
  }
  if (availableUnits(offer) < qty) return reject('sold_out', `Only ${availableUnits(offer)} units of offer "${offer.id}" are left; ${qty} asked.`);
  return null;
}

/** Whether this shopper may take a seat in this live group; `joinProblem` says why not. */
function mayJoin(group: Group, shopperId: string, newcomer: boolean): boolean {
  return !group.members.has(shopperId) && group.members.size < capacityOf(group) && (newcomer || !group.newcomerOnly);
}

/** Why this shopper may not join this live group, or null. */
function joinProblem(group: Group, shopperId: string, newcomer: boolean): Rejection | null {
  if (mayJoin(group, shopperId, newcomer)) return null;
  if (group.members.has(shopperId)) return reject('already_member', `You are already in group "${group.id}".`);
  if (group.members.size >= capacityOf(group)) return reject('group_full', `Group "${group.id}" is full.`);
  return reject('not_newcomer', `Group "${group.id}" is for newcomers only.`);
}

interface SeatRequest {
  shopperId: string;
  qty: number;
  newcomer: boolean;
  memberTier?: string | undefined;
}

/** Seats a shopper in a group (checks done), then forms or completes the group when it reaches its sizes. */
function seat(ctx: Ctx, offer: GroupOffer, group: Group, request: SeatRequest, isLeader: boolean): Quote {
  const { shopperId, qty } = request;
  const shopper = shopperOf(request, isLeader);
  const sizeAfterJoin = group.members.size + 1;
  const quote = quoteFor(ctx, offer, sizeAfterJoin, group.minSize, group.deadlineMs, shopper, false);
  const chargedMinor = quote.unitPriceMinor * qty;
  const member: Member = {
    shopperId,
    qty,
    quotedUnitPriceMinor: quote.unitPriceMinor,
    chargedMinor,
    newcomer: shopper.newcomer,
    memberTier: shopper.memberTier,
    joinedAtMs: ctx.nowMs,
  };
  group.members.set(shopperId, member);
  const seats = offer.market.seats;
  seats.set(shopperId, (seats.get(shopperId) ?? 0) + 1);
  hold(ctx, offer, shopperId, qty);
  touch(ctx, offer, shopperId);
  // Demand and stock moved: counted after the quote, so a shopper's own join never raises their own price.
  activityChanged(ctx, offer, 1);
  // A plain member's quote at a size past minSize is that same price: no need to evaluate it twice.
  const plain = !isLeader && !shopper.newcomer && shopper.memberTier === null && sizeAfterJoin >= group.minSize;
  ctx.events.push({
    type: 'group_joined',
    ...factsOf(offer),
    groupId: group.id,
    shopperId,
    qty,
    chargedMinor,
    quotedUnitPriceMinor: quote.unitPriceMinor,
    size: sizeAfterJoin,
    unitPriceMinor: plain ? quote.unitPriceMinor : currentUnitPrice(offer, group, sizeAfterJoin, ctx.nowMs),
    atMs: ctx.nowMs,
  });
  if (group.status === 'open' && sizeAfterJoin >= group.minSize) {
    group.status = 'formed';
    ctx.events.push({ type: 'group_formed', ...factsOf(offer), groupId: group.id, size: sizeAfterJoin, atMs: ctx.nowMs });
  }
  if (sizeAfterJoin >= capacityOf(group)) completeGroup(ctx, offer, group, 'full', 0, ctx.nowMs);
  return quote;
}

/** Why a new group cannot be opened in this offer (beyond seat checks), or null. */
function openProblem(ctx: Ctx, offer: GroupOffer, groupId: string | undefined): Rejection | null {
  const { groups, settled } = ctx.state.mechanisms.group;
  if (groupId !== undefined && (groups.has(groupId) || settled.has(groupId))) return reject('group_exists', `Group "${groupId}" already exists; pick another id.`);
  if (offer.market.liveGroups.size >= ctx.state.config.maxLiveGroupsPerOffer) {
    return reject('too_many_groups', `Offer "${offer.id}" has its maximum of ${ctx.state.config.maxLiveGroupsPerOffer} live groups; join one.`);
  }
  return null;
}

/** Opens a group with the shopper as leader (all checks done). */
function openChecked(ctx: Ctx, offer: GroupOffer, request: SeatRequest & { groupId?: string | undefined }): CommandResult {
  const { state, nowMs } = ctx;
  const settings = offer.market.settings;
  const serial = ++state.serial;
  const groupId = request.groupId ?? `${offer.id}~g${serial.toString(36)}`;
  const deadlineMs = newGroupDeadline(offer, nowMs);
  const group: Group = {
    id: groupId,
    offerId: offer.id,
    leaderId: request.shopperId,
    status: 'open',
    createdSerial: serial,
    openedAtMs: nowMs,
    deadlineMs,
    minSize: settings.minSize,
    maxSize: settings.maxSize ?? null,
    newcomerOnly: settings.newcomerOnly,
    autoFillMaxSeats: settings.autoFillMaxSeats,
    members: new Map(),
  };
  state.mechanisms.group.groups.set(groupId, group);
  offer.market.liveGroups.set(groupId, group);
  state.deadlines.push({ atMs: deadlineMs, kind: 'group', id: offer.id, ref: groupId, order: serial });
  ctx.events.push({
    type: 'group_opened',
    ...factsOf(offer),
    groupId,
    leaderId: request.shopperId,
    deadlineMs,
    minSize: group.minSize,
    maxSize: group.maxSize,
    newcomerOnly: group.newcomerOnly,
    atMs: nowMs,
  });
  const quote = seat(ctx, offer, group, request, true);
  return { ok: true, offerId: offer.id, groupId, quote, chargedMinor: quote.unitPriceMinor * request.qty, opened: true };
}

function sellableOffer(ctx: Ctx, offerId: string): GroupOffer | Rejection {
  const offer = offerSoldBy(ctx, offerId, 'group');
  if (isRejection(offer)) return offer;
  return sellableProblem(offer, ctx.nowMs) ?? offer;
}

export function openGroup(ctx: Ctx, cmd: GroupCommandOf<'open_group'>): CommandResult {
  const offer = sellableOffer(ctx, cmd.offerId);
  if (isRejection(offer)) return offer;
  const problem = seatProblem(offer, cmd.shopperId, cmd.qty) ?? openProblem(ctx, offer, cmd.groupId);
  if (problem) return problem;
  return openChecked(ctx, offer, cmd);
}

export function joinGroup(ctx: Ctx, cmd: GroupCommandOf<'join_group'>): CommandResult {
  const group = liveGroup(ctx, cmd.groupId);
  if (isRejection(group)) return group;
  const offer = sellableOffer(ctx, group.offerId);
  if (isRejection(offer)) return offer;
  const problem = joinProblem(group, cmd.shopperId, cmd.newcomer) ?? seatProblem(offer, cmd.shopperId, cmd.qty);
  if (problem) return problem;
  const quote = seat(ctx, offer, group, cmd, false);
  return { ok: true, offerId: offer.id, groupId: group.id, quote, chargedMinor: quote.unitPriceMinor * cmd.qty, opened: false };
}

/**
 * How likely a group is to complete, lower is better: seats still missing to `minSize`; a formed group misses
 * none but is already safe, so it ranks after every group that still needs people.
 */
function missingRank(group: Group): number {
  const missing = group.minSize - group.members.size;
  return missing > 0 ? missing : Number.MAX_SAFE_INTEGER;
}

/** Fewest seats missing, then nearest deadline, then oldest. */
function betterMatch(a: Group, b: Group): boolean {
  const rankA = missingRank(a);
  const rankB = missingRank(b);
  if (rankA !== rankB) return rankA < rankB;
  if (a.deadlineMs !== b.deadlineMs) return a.deadlineMs < b.deadlineMs;
  return a.createdSerial < b.createdSerial;
}

/** The best live group of the offer this shopper may join; a scan bounded by `maxLiveGroupsPerOffer`. */
export function findMatch(offer: GroupOffer, shopperId: string, newcomer: boolean): Group | null {
  let best: Group | null = null;
  for (const group of offer.market.liveGroups.values()) {
    // Rank first: it is cheaper than the membership lookup and rules most groups out.
    if (best !== null && !betterMatch(group, best)) continue;
    if (mayJoin(group, shopperId, newcomer)) best = group;
  }
  return best;
}

export function matchGroup(ctx: Ctx, cmd: GroupCommandOf<'match_group'>): CommandResult {
  const offer = sellableOffer(ctx, cmd.offerId);
  if (isRejection(offer)) return offer;
  const seatIssue = seatProblem(offer, cmd.shopperId, cmd.qty);
  if (seatIssue) return seatIssue;
  const group = findMatch(offer, cmd.shopperId, cmd.newcomer);
  if (group) {
    const quote = seat(ctx, offer, group, cmd, false);
    return { ok: true, offerId: offer.id, groupId: group.id, quote, chargedMinor: quote.unitPriceMinor * cmd.qty, opened: false };
  }
  if (!offer.market.settings.matchOpensGroup) {
    return reject('no_joinable_group', `No group of offer "${offer.id}" can take you now, and this offer does not open groups by matching.`);
  }
  const problem = openProblem(ctx, offer, cmd.groupId);
  if (problem) return problem;
  return openChecked(ctx, offer, cmd);
}

export function leaveGroup(ctx: Ctx, cmd: GroupCommandOf<'leave_group'>): CommandResult {
  const group = liveGroup(ctx, cmd.groupId);
  if (isRejection(group)) return group.code === 'group_full' ? reject('group_closed', group.message) : group;
  const member = group.members.get(cmd.shopperId);
  if (!member) return reject('not_member', `You are not in group "${group.id}".`);
  if (group.status !== 'open') return reject('already_formed', `Group "${group.id}" has formed; members can no longer leave.`);

  const offer = ctx.state.offers.get(group.offerId) as GroupOffer;
  unseat(ctx, offer, group, cmd.shopperId);
  release(ctx, offer, cmd.shopperId, member.qty);
  if (group.leaderId === cmd.shopperId) {
    const next = group.members.keys().next();
    group.leaderId = next.done ? '' : next.value;
  }
  const size = group.members.size;
  activityChanged(ctx, offer, 0);
  ctx.events.push({
    type: 'group_left',
    ...factsOf(offer),
    groupId: group.id,
    shopperId: cmd.shopperId,
    qty: member.qty,
    refundMinor: member.chargedMinor,
    leaderId: size > 0 ? group.leaderId : null,
    size,
    unitPriceMinor: currentUnitPrice(offer, group, size, ctx.nowMs),
    atMs: ctx.nowMs,
  });
  if (size === 0) failGroup(ctx, offer, group, 'empty', ctx.nowMs);
  return { ok: true, offerId: offer.id, groupId: group.id, refundMinor: member.chargedMinor };
}

/** A read-only quote: a new group's seat, or a seat in `groupId`, for the shopper the command speaks for. */
export function quoteGroupOffer(ctx: Ctx, offer: GroupOffer, cmd: QuoteCommand, shopper: PricedShopper): CommandResult {
  if (cmd.groupId === undefined) {
    return { ok: true, offerId: offer.id, quote: quoteFor(ctx, offer, 1, offer.market.settings.minSize, null, shopper, true), availableUnits: availableUnits(offer) };
  }
  const group = liveGroup(ctx, cmd.groupId);
  if (isRejection(group)) return group;
  if (group.offerId !== offer.id) return reject('unknown_group', `Group "${group.id}" is not a group of offer "${offer.id}".`);
  return {
    ok: true,
    offerId: offer.id,
    groupId: group.id,
    quote: quoteFor(ctx, offer, group.members.size + 1, group.minSize, group.deadlineMs, { ...shopper, isLeader: false }, true),
    availableUnits: availableUnits(offer),
  };
}
