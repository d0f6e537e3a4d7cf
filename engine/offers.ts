// Merchant commands on offers: create, edit, pause, resume, close. Every check runs before any change, so a
// refused command leaves the state exactly as it was.
import { tierTableProblem } from '../pricing/index.ts';
import { auctionPatchProblem, auctionSettingsProblem, closeAuctionWithOffer, startAuction } from './auctions/index.ts';
import type { CommandOf, GroupSettings, PriceTier } from './commands.ts';
import { pricingInputsChanged, unreachable, type Ctx } from './context.ts';
import { derivedRuleSet, newOfferPricing, putInForce, startPricing, versionInForce } from './offer-pricing.ts';
import { reject, type CommandResult, type Rejection } from './results.ts';
import { closeReservationWithOffer, reservationOfferEdited, reservationPatchProblem, reservationSettingsProblem, startReservation } from './reservations/index.ts';
import { parseOfferRuleSet } from './rule-sets.ts';
import { settleOnOfferClose } from './settlement.ts';
import type { Offer } from './state.ts';

/** The offer, or the rejection a merchant gets when it is missing or belongs to someone else. */
export function ownedOffer(ctx: Ctx, merchantId: string, offerId: string): Offer | Rejection {
  const offer = ctx.state.offers.get(offerId);
  if (!offer) return reject('unknown_offer', `No offer "${offerId}".`);
  if (offer.merchantId !== merchantId) return reject('not_owner', `Offer "${offerId}" belongs to another merchant.`);
  return offer;
}

/** Whether shoppers may hold units of this offer now; the rejection says why not. */
export function sellableProblem(offer: Offer, nowMs: number): Rejection | null {
  if (offer.closedReason === 'ended') return reject('offer_ended', `Offer "${offer.id}" has ended.`);
  if (offer.status === 'closed') return reject('offer_closed', `Offer "${offer.id}" is closed by its merchant.`);
  if (offer.startMs !== null && nowMs < offer.startMs) {
    return reject('offer_not_started', `Offer "${offer.id}" starts at ${offer.startMs} (ms since the epoch); try again then.`);
  }
  if (offer.status === 'paused') return reject('offer_paused', `Offer "${offer.id}" is paused by its merchant.`);
  return null;
}

function copyTiers(tiers: readonly PriceTier[]): PriceTier[] {
  return tiers.map((tier) => ({ ...tier }));
}

function isRejection(value: Offer | Rejection): value is Rejection {
  return 'ok' in value;
}

function settingsProblem(cmd: CommandOf<'create_offer'>, nowMs: number): string | null {
  if (cmd.endMs !== undefined && cmd.endMs <= nowMs) return 'endMs is not in the future';
  if (cmd.endMs !== undefined && cmd.startMs !== undefined && cmd.endMs <= cmd.startMs) return 'endMs must be after startMs';
  const { mechanism } = cmd;
  switch (mechanism.type) {
    case 'group':
      return groupSettingsProblem(cmd, mechanism);
    case 'auction':
      return auctionSettingsProblem(cmd, nowMs);
    case 'reservation':
      return reservationSettingsProblem(cmd, nowMs);
    default:
      return unreachable(mechanism);
  }
}

function groupSettingsProblem(cmd: CommandOf<'create_offer'>, mechanism: GroupSettings): string | null {
  if (mechanism.maxSize !== undefined && mechanism.maxSize < mechanism.minSize) return 'mechanism.maxSize must be at least minSize';
  if (mechanism.autoFillMaxSeats >= mechanism.minSize) return 'mechanism.autoFillMaxSeats must be below minSize (a group needs one real member)';
  const tiers = tierTableProblem(cmd.basePriceMinor, mechanism.tiers);
  if (tiers) return `mechanism.${tiers}`;
  // One pricing mechanism, not two: with a rule set, its own size_tiers and leader_discount rules price groups.
  if (cmd.ruleSet !== undefined && (mechanism.tiers.length > 0 || mechanism.leaderDiscountBps > 0)) {
    return 'mechanism.tiers and mechanism.leaderDiscountBps must be left out when a ruleSet is given (put them in the rule set)';
  }
  return null;
}

export function createOffer(ctx: Ctx, cmd: CommandOf<'create_offer'>): CommandResult {
  const { state, nowMs } = ctx;
  const offerId = cmd.offerId ?? `${cmd.merchantId}~o${(state.serial + 1).toString(36)}`;
  if (state.offers.has(offerId)) return reject('offer_exists', `Offer "${offerId}" already exists; pick another id.`);
  if (state.offers.size >= state.config.maxOffers) {
    return reject('capacity_exceeded', `This engine holds its maximum of ${state.config.maxOffers} offers.`);
  }
  const problem = settingsProblem(cmd, nowMs);
  if (problem) return reject('invalid_settings', problem);
  const merchantRuleSet = cmd.ruleSet === undefined ? null : parseOfferRuleSet(cmd.ruleSet, cmd.currency);
  if (merchantRuleSet !== null && 'ok' in merchantRuleSet) return merchantRuleSet;

  // Copied: the engine owns its state; the caller may reuse or change its command object afterwards.
  const mechanism = structuredClone(cmd.mechanism);
  const ruleSet = merchantRuleSet ?? derivedRuleSet({ basePriceMinor: cmd.basePriceMinor, currency: cmd.currency, mechanism }, 1);
  const offer: Offer = {
    id: offerId,
    merchantId: cmd.merchantId,
    title: cmd.title,
    currency: cmd.currency,
    inventory: cmd.inventory,
    basePriceMinor: cmd.basePriceMinor,
    perShopperLimit: cmd.perShopperLimit ?? null,
    startMs: cmd.startMs ?? null,
    endMs: cmd.endMs ?? null,
    status: 'active',
    closedReason: null,
    mechanism,
    auction: null,
    reservation: null,
    heldUnits: 0,
    soldUnits: 0,
    unitsByShopper: new Map(),
    liveGroups: new Map(),
    createdSerial: ++state.serial,
    pricing: newOfferPricing(ruleSet, merchantRuleSet === null ? 'group_settings' : 'merchant', nowMs),
  };
  state.offers.set(offerId, offer);
  if (offer.endMs !== null) state.deadlines.push({ atMs: offer.endMs, kind: 'offer_end', id: offerId, order: offer.createdSerial });
  ctx.events.push({ type: 'offer_created', offerId, merchantId: offer.merchantId, atMs: nowMs });
  if (mechanism.type === 'auction') offer.auction = startAuction(ctx, offer);
  if (mechanism.type === 'reservation') offer.reservation = startReservation(ctx, offer);
  startPricing(ctx, offer);
  return { ok: true, offerId };
}

function latestGroupDeadline(ctx: Ctx, offer: Offer): number {
  let latest = -1;
  for (const group of offer.liveGroups.values()) latest = Math.max(latest, group.deadlineMs);
  return latest;
}

function patchProblem(ctx: Ctx, offer: Offer, cmd: CommandOf<'edit_offer'>): Rejection | null {
  const { patch } = cmd;
  if (patch.inventory !== undefined && patch.inventory < offer.heldUnits + offer.soldUnits) {
    return reject(
      'edit_breaks_promise',
      `inventory ${patch.inventory} is below the ${offer.heldUnits} units held and ${offer.soldUnits} sold.`,
    );
  }
  if (patch.endMs !== undefined && patch.endMs !== null) {
    if (patch.endMs <= ctx.nowMs) return reject('invalid_settings', 'endMs is not in the future.');
    if (offer.startMs !== null && patch.endMs <= offer.startMs) return reject('invalid_settings', 'endMs must be after startMs.');
    const latest = latestGroupDeadline(ctx, offer);
    if (patch.endMs < latest) {
      return reject('edit_breaks_promise', `endMs is before the deadline ${latest} promised to a live group.`);
    }
  }
  if (offer.mechanism.type !== 'group') {
    if (patch.tiers !== undefined || patch.leaderDiscountBps !== undefined) {
      return reject('invalid_settings', `tiers and leaderDiscountBps are group-buy settings; offer "${offer.id}" is a ${offer.mechanism.type}.`);
    }
    return offer.mechanism.type === 'auction' ? auctionPatchProblem(offer, patch) : reservationPatchProblem(offer, patch);
  }
  const tiers = tierTableProblem(patch.basePriceMinor ?? offer.basePriceMinor, patch.tiers ?? offer.mechanism.tiers);
  if (tiers) return reject('invalid_settings', tiers);
  if ((patch.tiers !== undefined || patch.leaderDiscountBps !== undefined) && !pricedByGroupSettings(offer)) {
    return reject('invalid_settings', `tiers and leaderDiscountBps do not price offer "${offer.id}": its rule set does; change it with set_rule_set.`);
  }
  return null;
}

/** Whether the offer's prices follow its tiers and leader discount: a derived rule set, with no merchant's waiting. */
function pricedByGroupSettings(offer: Offer): boolean {
  return versionInForce(offer).source === 'group_settings' && offer.pricing.pending === null;
}

export function editOffer(ctx: Ctx, cmd: CommandOf<'edit_offer'>): CommandResult {
  const offer = ownedOffer(ctx, cmd.merchantId, cmd.offerId);
  if (isRejection(offer)) return offer;
  if (offer.status === 'closed') return reject('offer_closed', `Offer "${offer.id}" is closed; closed offers cannot change.`);
  const problem = patchProblem(ctx, offer, cmd);
  if (problem) return problem;

  const { patch } = cmd;
  const fields = Object.keys(patch).filter((key) => patch[key as keyof typeof patch] !== undefined).sort();
  if (patch.title !== undefined) offer.title = patch.title;
  if (patch.inventory !== undefined) offer.inventory = patch.inventory;
  if (patch.basePriceMinor !== undefined) offer.basePriceMinor = patch.basePriceMinor;
  if (patch.perShopperLimit !== undefined) offer.perShopperLimit = patch.perShopperLimit;
  if (offer.mechanism.type === 'group' && (patch.tiers !== undefined || patch.leaderDiscountBps !== undefined)) {
    offer.mechanism = {
      ...offer.mechanism,
      tiers: patch.tiers ? copyTiers(patch.tiers) : offer.mechanism.tiers,
      leaderDiscountBps: patch.leaderDiscountBps ?? offer.mechanism.leaderDiscountBps,
    };
  }
  // A new base price is the merchant's decision, not a runaway rule: it starts a new stream for the change cap.
  if (patch.basePriceMinor !== undefined) offer.pricing.priceWindow = null;
  if (patch.endMs !== undefined && patch.endMs !== offer.endMs) {
    offer.endMs = patch.endMs;
    // The old end's queue entry goes stale on its own: it no longer matches `offer.endMs`.
    if (patch.endMs !== null) ctx.state.deadlines.push({ atMs: patch.endMs, kind: 'offer_end', id: offer.id, order: offer.createdSerial });
  }
  if (fields.length > 0) ctx.events.push({ type: 'offer_edited', offerId: offer.id, fields, atMs: ctx.nowMs });
  if (patch.tiers !== undefined || patch.leaderDiscountBps !== undefined) {
    // The derived rule set follows the group settings: derived again, as the next version, in force now.
    putInForce(ctx, offer, derivedRuleSet(offer, versionInForce(offer).version + 1), 'group_settings', ctx.nowMs);
  }
  // More units may have freed room for shoppers waiting in a reservation queue or on a slot's waitlist.
  if (offer.reservation) reservationOfferEdited(ctx, offer);
  pricingInputsChanged(ctx, offer);
  return { ok: true, offerId: offer.id };
}

export function pauseOffer(ctx: Ctx, cmd: CommandOf<'pause_offer'>): CommandResult {
  const offer = ownedOffer(ctx, cmd.merchantId, cmd.offerId);
  if (isRejection(offer)) return offer;
  if (offer.status === 'closed') return reject('offer_closed', `Offer "${offer.id}" is closed.`);
  if (offer.status === 'active') {
    offer.status = 'paused';
    ctx.events.push({ type: 'offer_paused', offerId: offer.id, atMs: ctx.nowMs });
  }
  return { ok: true, offerId: offer.id };
}

export function resumeOffer(ctx: Ctx, cmd: CommandOf<'resume_offer'>): CommandResult {
  const offer = ownedOffer(ctx, cmd.merchantId, cmd.offerId);
  if (isRejection(offer)) return offer;
  if (offer.status === 'closed') return reject('offer_closed', `Offer "${offer.id}" is closed.`);
  if (offer.status === 'paused') {
    offer.status = 'active';
    ctx.events.push({ type: 'offer_resumed', offerId: offer.id, atMs: ctx.nowMs });
  }
  return { ok: true, offerId: offer.id };
}

/** Closes an offer now: its live groups settle as the offer closes (formed ones complete, the rest fail). */
export function closeOfferNow(ctx: Ctx, offer: Offer, reason: 'merchant' | 'ended', atMs: number): void {
  for (const group of [...offer.liveGroups.values()]) settleOnOfferClose(ctx, group, atMs);
  if (offer.auction) closeAuctionWithOffer(ctx, offer, reason, atMs);
  if (offer.reservation) closeReservationWithOffer(ctx, offer, reason, atMs);
  offer.status = 'closed';
  offer.closedReason = reason;
  offer.pricing.pending = null;
  pricingInputsChanged(ctx, offer);
  ctx.events.push({ type: 'offer_closed', offerId: offer.id, reason, atMs });
}

export function closeOffer(ctx: Ctx, cmd: CommandOf<'close_offer'>): CommandResult {
  const offer = ownedOffer(ctx, cmd.merchantId, cmd.offerId);
  if (isRejection(offer)) return offer;
  if (offer.status === 'closed') return reject('offer_closed', `Offer "${offer.id}" is already closed.`);
  closeOfferNow(ctx, offer, 'merchant', ctx.nowMs);
  return { ok: true, offerId: offer.id };
}

export { isRejection };
