// Merchant commands on offers: create, edit, pause, resume, close, and the retirement of closed offers. Every
// check runs before any change, so a refused command leaves the state exactly as it was. What depends on how the
// offer sells is asked of its mechanism (settings, the start of its market, edits, the close).
import type { CommandOf } from '../commands.ts';
import { CORE_PATCH_SHAPE } from './offer-fields.ts';
import { isRejection, reject, type CommandResult, type Rejection } from '../results.ts';
import { publicOfferView } from '../views.ts';
import { mechanismOf, pricingInputsChanged, stockChanged, type Ctx } from './context.ts';
import { factsOf } from './events.ts';
import { derivedRuleSet, newOfferPricing, startPricing } from './pricing-bridge.ts';
import { parseOfferRuleSet } from './rule-sets.ts';
import { missingOffer, ownedOffer } from './sellable.ts';
import type { Offer } from './state.ts';

function settingsProblem(ctx: Ctx, cmd: CommandOf<'create_offer'>): string | null {
  const { nowMs } = ctx;
  if (cmd.endMs !== undefined && cmd.endMs <= nowMs) return 'endMs is not in the future';
  if (cmd.endMs !== undefined && cmd.startMs !== undefined && cmd.endMs <= cmd.startMs) return 'endMs must be after startMs';
  return ctx.mechanisms[cmd.mechanism.type].settingsProblem(cmd, cmd.mechanism as never, nowMs);
}

/** Why a new offer cannot be listed under this id or for this merchant now (capacity, quota), or null. */
function listingProblem(ctx: Ctx, offerId: string, merchantId: string): Rejection | null {
  const { state } = ctx;
  if (state.offers.has(offerId)) return reject('offer_exists', `Offer "${offerId}" already exists; pick another id.`);
  if (state.retiredOffers.has(offerId)) return reject('offer_exists', `Offer id "${offerId}" was used by an offer that has retired; ids are never reused, pick another.`);
  const quota = state.config.maxOffersPerMerchant;
  const held = state.offersByMerchant.get(merchantId) ?? 0;
  if (held >= quota) {
    return reject('quota_exceeded', `Merchant "${merchantId}" has ${held} offers in memory, its quota of ${quota} (closed offers count until they retire); close or wait for closed offers to retire.`);
  }
  if (state.offers.size >= state.config.maxOffers) return reject('capacity_exceeded', `This engine holds its maximum of ${state.config.maxOffers} offers.`);
  return null;
}

export function createOffer(ctx: Ctx, cmd: CommandOf<'create_offer'>): CommandResult {
  const { state, nowMs } = ctx;
  const offerId = cmd.offerId ?? `${cmd.merchantId}~o${(state.serial + 1).toString(36)}`;
  const refused = listingProblem(ctx, offerId, cmd.merchantId);
  if (refused) return refused;
  const problem = settingsProblem(ctx, cmd);
  if (problem) return reject('invalid_settings', problem);
  const merchantRuleSet = cmd.ruleSet === undefined ? null : parseOfferRuleSet(cmd.ruleSet, cmd.currency);
  if (merchantRuleSet !== null && isRejection(merchantRuleSet)) return merchantRuleSet;

  const mechanism = ctx.mechanisms[cmd.mechanism.type];
  // Copied: the engine owns its state; the caller may reuse or change its command object afterwards.
  const market = mechanism.newMarket(structuredClone(cmd.mechanism) as never, ctx);
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
    timeZone: cmd.timeZone ? structuredClone(cmd.timeZone) : null,
    status: 'active',
    closedReason: null,
    closedAtMs: null,
    retireAtMs: null,
    heldUnits: 0,
    soldUnits: 0,
    unitsByShopper: new Map(),
    createdSerial: ++state.serial,
    // Set right below: the derived rule set reads the offer's own settings.
    pricing: undefined!,
    market,
  };
  const ruleSet = merchantRuleSet ?? derivedRuleSet(offer.basePriceMinor, offer.currency, mechanismOf(ctx.mechanisms, offer).pricing.derived(offer), 1);
  offer.pricing = newOfferPricing(ruleSet, merchantRuleSet === null ? 'group_settings' : 'merchant', nowMs);
  state.offers.set(offerId, offer);
  state.offersByMerchant.set(offer.merchantId, (state.offersByMerchant.get(offer.merchantId) ?? 0) + 1);
  if (offer.endMs !== null) state.deadlines.push({ atMs: offer.endMs, kind: 'offer_end', id: offerId, order: offer.createdSerial });
  ctx.events.push({ type: 'offer_created', ...factsOf(offer), atMs: nowMs });
  mechanismOf(ctx.mechanisms, offer).started(ctx, offer);
  startPricing(ctx, offer);
  return { ok: true, offerId };
}

/** The core's edit fields; the others belong to a mechanism. */
const CORE_PATCH_FIELDS: ReadonlySet<string> = new Set(Object.keys(CORE_PATCH_SHAPE));

function patchProblem(ctx: Ctx, offer: Offer, cmd: CommandOf<'edit_offer'>): Rejection | null {
  const { patch } = cmd;
  const mechanism = mechanismOf(ctx.mechanisms, offer);
  const foreign = Object.keys(patch).filter((field) => patch[field as keyof typeof patch] !== undefined && !CORE_PATCH_FIELDS.has(field) && !(field in mechanism.patchShape));
  if (foreign.length > 0) {
    return reject('invalid_settings', `${foreign.join(' and ')} ${foreign.length === 1 ? 'is a setting' : 'are settings'} of another mechanism; offer "${offer.id}" is sold by ${offer.market.type}.`);
  }
  if (patch.inventory !== undefined && patch.inventory < offer.heldUnits + offer.soldUnits) {
    return reject('edit_breaks_promise', `inventory ${patch.inventory} is below the ${offer.heldUnits} units held and ${offer.soldUnits} sold.`);
  }
  if (patch.endMs !== undefined && patch.endMs !== null) {
    if (patch.endMs <= ctx.nowMs) return reject('invalid_settings', 'endMs is not in the future.');
    if (offer.startMs !== null && patch.endMs <= offer.startMs) return reject('invalid_settings', 'endMs must be after startMs.');
  }
  return mechanism.patchProblem(ctx, offer, patch);
}

export function editOffer(ctx: Ctx, cmd: CommandOf<'edit_offer'>): CommandResult {
  const offer = ownedOffer(ctx, cmd.merchantId, cmd.offerId);
  if (isRejection(offer)) return offer;
  if (offer.status === 'closed') return reject('offer_closed', `Offer "${offer.id}" is closed; closed offers cannot change.`);
  const problem = patchProblem(ctx, offer, cmd);
  if (problem) return problem;

  const { patch } = cmd;
  const fields = Object.keys(patch).filter((key) => patch[key as keyof typeof patch] !== undefined).sort();
  if (fields.length === 0) return { ok: true, offerId: offer.id };
  if (patch.title !== undefined) offer.title = patch.title;
  if (patch.inventory !== undefined && patch.inventory !== offer.inventory) {
    offer.inventory = patch.inventory;
    stockChanged(ctx, offer);
  }
  if (patch.basePriceMinor !== undefined) offer.basePriceMinor = patch.basePriceMinor;
  if (patch.perShopperLimit !== undefined) offer.perShopperLimit = patch.perShopperLimit;
  if (patch.timeZone !== undefined) offer.timeZone = patch.timeZone === null ? null : structuredClone(patch.timeZone);
  // A new base price is the merchant's decision, not a runaway rule: it starts a new stream for the change cap.
  if (patch.basePriceMinor !== undefined) offer.pricing.priceWindow = null;
  if (patch.endMs !== undefined && patch.endMs !== offer.endMs) {
    offer.endMs = patch.endMs;
    // The old end's queue entry goes stale on its own: it no longer matches `offer.endMs`.
    if (patch.endMs !== null) ctx.state.deadlines.push({ atMs: patch.endMs, kind: 'offer_end', id: offer.id, order: offer.createdSerial });
  }
  mechanismOf(ctx.mechanisms, offer).edited(ctx, offer, patch);
  ctx.events.push({ type: 'offer_edited', ...factsOf(offer), fields, offer: publicOfferView(ctx.mechanisms, offer, ctx.nowMs), atMs: ctx.nowMs });
  pricingInputsChanged(ctx, offer);
  return { ok: true, offerId: offer.id };
}

export function pauseOffer(ctx: Ctx, cmd: CommandOf<'pause_offer'>): CommandResult {
  const offer = ownedOffer(ctx, cmd.merchantId, cmd.offerId);
  if (isRejection(offer)) return offer;
  if (offer.status === 'closed') return reject('offer_closed', `Offer "${offer.id}" is closed.`);
  if (offer.status === 'active') {
    offer.status = 'paused';
    ctx.events.push({ type: 'offer_paused', ...factsOf(offer), atMs: ctx.nowMs });
  }
  return { ok: true, offerId: offer.id };
}

export function resumeOffer(ctx: Ctx, cmd: CommandOf<'resume_offer'>): CommandResult {
  const offer = ownedOffer(ctx, cmd.merchantId, cmd.offerId);
  if (isRejection(offer)) return offer;
  if (offer.status === 'closed') return reject('offer_closed', `Offer "${offer.id}" is closed.`);
  if (offer.status === 'paused') {
    offer.status = 'active';
    ctx.events.push({ type: 'offer_resumed', ...factsOf(offer), atMs: ctx.nowMs });
  }
  return { ok: true, offerId: offer.id };
}

/**
 * Closes an offer now: its mechanism settles what the close decides (live groups complete or fail, an open
 * auction settles by its bids, waiting shoppers are dropped), then the offer reads as closed. It retires (leaves
 * memory) once its retention has passed and nothing of it lives on.
 */
export function closeOfferNow(ctx: Ctx, offer: Offer, reason: 'merchant' | 'ended', atMs: number): void {
  mechanismOf(ctx.mechanisms, offer).closeWithOffer(ctx, offer, reason, atMs);
  offer.status = 'closed';
  offer.closedReason = reason;
  offer.closedAtMs = atMs;
  offer.pricing.pending = null;
  pricingInputsChanged(ctx, offer);
  ctx.events.push({ type: 'offer_closed', ...factsOf(offer), reason, atMs });
  scheduleRetirement(ctx, offer, atMs);
}

export function closeOffer(ctx: Ctx, cmd: CommandOf<'close_offer'>): CommandResult {
  const offer = ownedOffer(ctx, cmd.merchantId, cmd.offerId);
  if (isRejection(offer)) return offer;
  if (offer.status === 'closed') return reject('offer_closed', `Offer "${offer.id}" is already closed.`);
  closeOfferNow(ctx, offer, 'merchant', ctx.nowMs);
  return { ok: true, offerId: offer.id };
}

function scheduleRetirement(ctx: Ctx, offer: Offer, fromMs: number): void {
  offer.retireAtMs = fromMs + ctx.state.config.closedOfferRetentionMs;
  ctx.state.deadlines.push({ atMs: offer.retireAtMs, kind: 'retire', id: offer.id, order: offer.createdSerial });
}

/**
 * A closed offer's retention has passed: it leaves memory, unless something of it lives on (a rental not yet
 * returned, a booking not yet over), in which case it is looked at again one retention later. Its id stays taken.
 */
export function retireOffer(ctx: Ctx, offer: Offer, atMs: number): void {
  const { state } = ctx;
  if (offer.heldUnits > 0 || !mechanismOf(ctx.mechanisms, offer).idle(offer)) {
    scheduleRetirement(ctx, offer, atMs);
    return;
  }
  offer.retireAtMs = null;
  state.offers.delete(offer.id);
  const left = (state.offersByMerchant.get(offer.merchantId) ?? 1) - 1;
  if (left > 0) state.offersByMerchant.set(offer.merchantId, left);
  else state.offersByMerchant.delete(offer.merchantId);
  state.retiredOffers.push(offer.id, { id: offer.id, merchantId: offer.merchantId, closedAtMs: offer.closedAtMs ?? atMs });
  while (state.retiredOffers.size > state.config.retiredOffersRetained) state.retiredOffers.dropOldest();
  ctx.events.push({ type: 'offer_retired', ...factsOf(offer), closedAtMs: offer.closedAtMs ?? atMs, atMs });
}

export { missingOffer };
