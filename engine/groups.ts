// Shopper commands on group-buys (拼团): open, join by id, match, leave. Checks run in a fixed order, all before
// any change: offer state → group state → membership → group rules → shopper limit → inventory.
import type { CommandOf } from './commands.ts';
import type { Ctx } from './context.ts';
import { availableUnits, hold, release, unitsOf } from './inventory.ts';
import { LIMITS } from './limits.ts';
import { activityChanged, explainedPrice, unitPrice, type PricedShopper } from './offer-pricing.ts';
import { isRejection, sellableProblem } from './offers.ts';
import { reject, type CommandResult, type Quote, type Rejection } from './results.ts';
import { completeGroup, failGroup } from './settlement.ts';
import { isGroupOffer, type Group, type GroupOffer, type Offer } from './state.ts';

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
export function quoteFor(ctx: Ctx, offer: Offer, sizeAfterJoin: number, minSize: number, groupDeadlineMs: number | null, shopper: PricedShopper, details: boolean): Quote {
  return explainedPrice(offer, ctx.nowMs, boundingSize(sizeAfterJoin, minSize), minSize, groupDeadlineMs, shopper, details);
}

/** What everyone in the group would pay a unit (before their own discounts) if it ended now at `size`. */
export function currentUnitPrice(offer: Offer, group: Group, size: number, atMs: number): number {
  return unitPrice(offer, atMs, size, group.minSize, group.deadlineMs);
}

/** The group, or why it cannot be found live: settled groups answer `group_closed` (or `group_full`). */
function liveGroup(ctx: Ctx, groupId: string): Group | Rejection {
  const group = ctx.state.groups.get(groupId);
  if (group) return group;
  const settled = ctx.state.settledGroups.get(groupId);
  if (settled?.reason === 'full') return reject('group_full', `Group "${groupId}" filled up and completed.`);
  if (settled) return reject('group_closed', `Group "${groupId}" has ${settled.status}; open or match another group.`);
  return reject('unknown_group', `No group "${groupId}".`);
}

function isGroup(value: Group | Rejection): value is Group {
  return !('ok' in value);
}

/** The shopper-side checks every way of taking a seat shares: limit, then inventory. */
function seatProblem(offer: Offer, shopperId: string, qty: number): Rejection | null {
  if (offer.perShopperLimit !== null && unitsOf(offer, shopperId) + qty > offer.perShopperLimit) {
    return reject(
      'limit_exceeded',
      `A shopper may hold or buy ${offer.perShopperLimit} units of this offer; you already have ${unitsOf(offer, shopperId)}.`,
    );
  }
  if (availableUnits(offer) < qty) {
    return reject('sold_out', `Only ${availableUnits(offer)} units of offer "${offer.id}" are left; ${qty} asked.`);
  }
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

/** Seats a shopper in a group (checks done), then forms or completes the group when it reaches its sizes. */
function seat(ctx: Ctx, offer: Offer, group: Group, shopperId: string, qty: number, newcomer: boolean, isLeader: boolean): Quote {
  const sizeAfterJoin = group.members.size + 1;
  const quote = quoteFor(ctx, offer, sizeAfterJoin, group.minSize, group.deadlineMs, { newcomer, isLeader }, false);
  const chargedMinor = quote.unitPriceMinor * qty;
  group.members.set(shopperId, { shopperId, qty, quotedUnitPriceMinor: quote.unitPriceMinor, chargedMinor, newcomer });
  hold(offer, shopperId, qty);
  // Demand and stock moved: counted after the quote, so a shopper's own join never raises their own price.
  activityChanged(ctx, offer, 1);
  ctx.events.push({
    type: 'group_joined',
    offerId: offer.id,
    groupId: group.id,
    shopperId,
    qty,
    chargedMinor,
    quotedUnitPriceMinor: quote.unitPriceMinor,
    size: sizeAfterJoin,
    // A plain member's quote at a size past minSize is that same price: no need to evaluate it twice.
    unitPriceMinor: !isLeader && !newcomer && sizeAfterJoin >= group.minSize ? quote.unitPriceMinor : currentUnitPrice(offer, group, sizeAfterJoin, ctx.nowMs),
    atMs: ctx.nowMs,
  });
  if (group.status === 'open' && sizeAfterJoin >= group.minSize) {
    group.status = 'formed';
    ctx.events.push({ type: 'group_formed', offerId: offer.id, groupId: group.id, size: sizeAfterJoin, atMs: ctx.nowMs });
  }
  if (sizeAfterJoin >= capacityOf(group)) completeGroup(ctx, group, 'full', 0, ctx.nowMs);
  return quote;
}

interface OpenRequest {
  shopperId: string;
  newcomer: boolean;
  qty: number;
  groupId?: string | undefined;
}

/** Why a new group cannot be opened in this offer (beyond seat checks), or null. */
function openProblem(ctx: Ctx, offer: Offer, groupId: string | undefined): Rejection | null {
  if (groupId !== undefined && (ctx.state.groups.has(groupId) || ctx.state.settledGroups.has(groupId))) {
    return reject('group_exists', `Group "${groupId}" already exists; pick another id.`);
  }
  if (offer.liveGroups.size >= ctx.state.config.maxLiveGroupsPerOffer) {
    return reject('too_many_groups', `Offer "${offer.id}" has its maximum of ${ctx.state.config.maxLiveGroupsPerOffer} live groups; join one.`);
  }
  return null;
}

/** Opens a group with the shopper as leader (all checks done). */
function openChecked(ctx: Ctx, offer: GroupOffer, request: OpenRequest): CommandResult {
  const { state, nowMs } = ctx;
  const settings = offer.mechanism;
  const serial = ++state.serial;
  const groupId = request.groupId ?? `${offer.id}~g${serial.toString(36)}`;
  const deadlineMs = Math.min(nowMs + settings.windowMs, offer.endMs ?? Number.MAX_SAFE_INTEGER);
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
  state.groups.set(groupId, group);
  offer.liveGroups.set(groupId, group);
  state.deadlines.push({ atMs: deadlineMs, kind: 'group', id: groupId, order: serial });
  ctx.events.push({
    type: 'group_opened',
    offerId: offer.id,
    groupId,
    leaderId: request.shopperId,
    deadlineMs,
    minSize: group.minSize,
    maxSize: group.maxSize,
    newcomerOnly: group.newcomerOnly,
    atMs: nowMs,
  });
  const quote = seat(ctx, offer, group, request.shopperId, request.qty, request.newcomer, true);
  return { ok: true, offerId: offer.id, groupId, quote, chargedMinor: quote.unitPriceMinor * request.qty, opened: true };
}

function sellableOffer(ctx: Ctx, offerId: string): GroupOffer | Rejection {
  const offer = ctx.state.offers.get(offerId);
  if (!offer) return reject('unknown_offer', `No offer "${offerId}".`);
  if (!isGroupOffer(offer)) return wrongMechanism(offer);
  return sellableProblem(offer, ctx.nowMs) ?? offer;
}

function wrongMechanism(offer: Offer): Rejection {
  return reject('wrong_mechanism', `Offer "${offer.id}" is sold by ${offer.mechanism.type}, not by group-buy; use its ${offer.mechanism.type} commands.`);
}

export function openGroup(ctx: Ctx, cmd: CommandOf<'open_group'>): CommandResult {
  const offer = sellableOffer(ctx, cmd.offerId);
  if (isRejection(offer)) return offer;
  const problem = seatProblem(offer, cmd.shopperId, cmd.qty) ?? openProblem(ctx, offer, cmd.groupId);
  if (problem) return problem;
  return openChecked(ctx, offer, cmd);
}

export function joinGroup(ctx: Ctx, cmd: CommandOf<'join_group'>): CommandResult {
  const group = liveGroup(ctx, cmd.groupId);
  if (!isGroup(group)) return group;
  const offer = sellableOffer(ctx, group.offerId);
  if (isRejection(offer)) return offer;
  const problem = joinProblem(group, cmd.shopperId, cmd.newcomer) ?? seatProblem(offer, cmd.shopperId, cmd.qty);
  if (problem) return problem;
  const quote = seat(ctx, offer, group, cmd.shopperId, cmd.qty, cmd.newcomer, false);
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
export function findMatch(offer: Offer, shopperId: string, newcomer: boolean): Group | null {
  let best: Group | null = null;
  for (const group of offer.liveGroups.values()) {
    // Rank first: it is cheaper than the membership lookup and rules most groups out.
    if (best !== null && !betterMatch(group, best)) continue;
    if (mayJoin(group, shopperId, newcomer)) best = group;
  }
  return best;
}

export function matchGroup(ctx: Ctx, cmd: CommandOf<'match_group'>): CommandResult {
  const offer = sellableOffer(ctx, cmd.offerId);
  if (isRejection(offer)) return offer;
  const seatIssue = seatProblem(offer, cmd.shopperId, cmd.qty);
  if (seatIssue) return seatIssue;
  const group = findMatch(offer, cmd.shopperId, cmd.newcomer);
  if (group) {
    const quote = seat(ctx, offer, group, cmd.shopperId, cmd.qty, cmd.newcomer, false);
    return { ok: true, offerId: offer.id, groupId: group.id, quote, chargedMinor: quote.unitPriceMinor * cmd.qty, opened: false };
  }
  if (!offer.mechanism.matchOpensGroup) {
    return reject('no_joinable_group', `No group of offer "${offer.id}" can take you now, and this offer does not open groups by matching.`);
  }
  const problem = openProblem(ctx, offer, cmd.groupId);
  if (problem) return problem;
  return openChecked(ctx, offer, cmd);
}

export function leaveGroup(ctx: Ctx, cmd: CommandOf<'leave_group'>): CommandResult {
  const group = liveGroup(ctx, cmd.groupId);
  if (!isGroup(group)) return group.code === 'group_full' ? reject('group_closed', group.message) : group;
  const member = group.members.get(cmd.shopperId);
  if (!member) return reject('not_member', `You are not in group "${group.id}".`);
  if (group.status !== 'open') return reject('already_formed', `Group "${group.id}" has formed; members can no longer leave.`);

  const offer = ctx.state.offers.get(group.offerId)!;
  group.members.delete(cmd.shopperId);
  release(offer, cmd.shopperId, member.qty);
  if (group.leaderId === cmd.shopperId) {
    const next = group.members.keys().next();
    group.leaderId = next.done ? '' : next.value;
  }
  const size = group.members.size;
  activityChanged(ctx, offer, 0);
  ctx.events.push({
    type: 'group_left',
    offerId: offer.id,
    groupId: group.id,
    shopperId: cmd.shopperId,
    qty: member.qty,
    refundMinor: member.chargedMinor,
    leaderId: size > 0 ? group.leaderId : null,
    size,
    unitPriceMinor: currentUnitPrice(offer, group, size, ctx.nowMs),
    atMs: ctx.nowMs,
  });
  if (size === 0) failGroup(ctx, group, 'empty', ctx.nowMs);
  return { ok: true, offerId: offer.id, groupId: group.id, refundMinor: member.chargedMinor };
}

export function quote(ctx: Ctx, cmd: CommandOf<'quote'>): CommandResult {
  const offer = ctx.state.offers.get(cmd.offerId);
  if (!offer) return reject('unknown_offer', `No offer "${cmd.offerId}".`);
  if (cmd.groupId === undefined) {
    const shopper = { newcomer: false, isLeader: cmd.asLeader };
    // Auctions and reservations price one unit for one shopper: the rule set at size 1.
    const minSize = isGroupOffer(offer) ? offer.mechanism.minSize : 1;
    return { ok: true, offerId: offer.id, quote: quoteFor(ctx, offer, 1, minSize, null, shopper, true), availableUnits: availableUnits(offer) };
  }
  const group = liveGroup(ctx, cmd.groupId);
  if (!isGroup(group)) return group;
  if (group.offerId !== offer.id) return reject('unknown_group', `Group "${group.id}" is not a group of offer "${offer.id}".`);
  return {
    ok: true,
    offerId: offer.id,
    groupId: group.id,
    quote: quoteFor(ctx, offer, group.members.size + 1, group.minSize, group.deadlineMs, { newcomer: false, isLeader: false }, true),
    availableUnits: availableUnits(offer),
  };
}
