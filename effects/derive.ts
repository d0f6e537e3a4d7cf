// Events → effect specs. Pure and deterministic: the same seq and events give the same effects with the same
// ids, which is what makes a journal replay after a crash harmless (BullMQ ignores a jobId it still holds, the
// receiver ignores an idempotency key it has seen).
//
// Why the ids are keyed by seq and not only by what they are about (group + shopper): a shopper may leave an
// open group and join it again, so "the charge of alice in g1" is not unique; and the engine forgets settled
// groups after `settledGroupsRetained`, after which a caller may open a new group with an old id. A journal
// seq names one command forever, so `<kind>|<namespace>|<seq>|<subject>` is unique as long as (a) the
// namespace names one journal's seq space and (b) effects are recorded only for durable seqs (see outbox.ts).
import type { EngineEvent, MemberSettlement } from '../engine/index.ts';
import { effectKey, NAMESPACE_PATTERN, type EffectSpec, type PaymentEffect, type WebhookEffect, type WebhookEventType } from './effect-spec.ts';

export interface OfferInfo {
  merchantId: string;
  currency: string;
}

/** What derivation needs from outside the events. Every function must be synchronous and cheap. */
export interface DeriveContext {
  /** Names the journal's seq space: an engine partition and its journal generation (`[A-Za-z0-9_.-]`, ≤ 64). */
  namespace: string;
  /** The offer's merchant and currency (events carry neither); the gateway reads them from the engine. */
  offerInfo(offerId: string): OfferInfo | null;
  /** Whether a merchant has a webhook endpoint; no webhook job is made for merchants without one. */
  wantsWebhooks(merchantId: string): boolean;
}

/** An event names an offer the context does not know: an integration bug, never a business outcome. */
export class UnknownOfferError extends Error {
  override name = 'UnknownOfferError';
}

export function checkNamespace(namespace: string): void {
  if (!NAMESPACE_PATTERN.test(namespace)) throw new RangeError(`effects namespace must match ${NAMESPACE_PATTERN}, got ${JSON.stringify(namespace)}`);
}

/**
 * The effects of one applied command, in event order. Within one event: per member the order before its
 * refund. Throws `UnknownOfferError` when `offerInfo` does not know an offer that a money event names.
 */
export function deriveEffects(seq: number, events: readonly EngineEvent[], context: DeriveContext): EffectSpec[] {
  const effects: EffectSpec[] = [];
  const used = new Set<string>();
  // One command cannot produce two effects of the same kind for the same subject, but if an engine change ever
  // made it so, a counter keeps the ids distinct and still deterministic under replay.
  const uniqueId = (parts: (string | number)[]): string => {
    const base = effectKey(parts);
    let id = base;
    for (let n = 2; used.has(id); n++) id = `${base}|${n}`;
    used.add(id);
    return id;
  };
  const ns = context.namespace;

  for (const event of events) {
    switch (event.type) {
      case 'group_joined': {
        if (event.chargedMinor <= 0) break;
        const info = offerInfoOf(context, event.offerId);
        effects.push({
          kind: 'charge',
          effectId: uniqueId(['charge', ns, seq, event.groupId, event.shopperId]),
          seq,
          atMs: event.atMs,
          merchantId: info.merchantId,
          offerId: event.offerId,
          groupId: event.groupId,
          shopperId: event.shopperId,
          currency: info.currency,
          paymentRef: paymentRef(ns, event.groupId, event.shopperId),
          qty: event.qty,
          amountMinor: event.chargedMinor,
        });
        break;
      }
      case 'group_left': {
        if (event.refundMinor <= 0) break;
        const info = offerInfoOf(context, event.offerId);
        effects.push(refund(uniqueId(['refund', ns, seq, event.groupId, event.shopperId]), seq, event, info, event.shopperId, event.refundMinor, 'left', ns));
        break;
      }
      case 'group_completed': {
        const info = offerInfoOf(context, event.offerId);
        for (const member of event.members) {
          effects.push(order(uniqueId(['order', ns, seq, event.groupId, member.shopperId]), seq, event, info, member, ns));
          if (member.refundMinor > 0) {
            effects.push(refund(uniqueId(['refund', ns, seq, event.groupId, member.shopperId]), seq, event, info, member.shopperId, member.refundMinor, 'settled', ns));
          }
        }
        const data = {
          groupId: event.groupId,
          size: event.size,
          autoFilledSeats: event.autoFilledSeats,
          reason: event.reason,
          currency: info.currency,
          members: event.members.map(({ shopperId, qty, unitPriceMinor, paidMinor, refundMinor }) => ({ shopperId, qty, unitPriceMinor, paidMinor, refundMinor })),
        };
        pushWebhook(effects, context, uniqueId(['webhook', ns, seq, 'group_completed', event.groupId]), seq, 'group_completed', event.offerId, info, event.atMs, data);
        break;
      }
      case 'group_failed': {
        const info = offerInfoOf(context, event.offerId);
        for (const entry of event.refunds) {
          if (entry.refundMinor <= 0) continue;
          effects.push(refund(uniqueId(['refund', ns, seq, event.groupId, entry.shopperId]), seq, event, info, entry.shopperId, entry.refundMinor, 'failed', ns));
        }
        const data = { groupId: event.groupId, size: event.size, reason: event.reason, currency: info.currency, refunds: event.refunds.map((entry) => ({ ...entry })) };
        pushWebhook(effects, context, uniqueId(['webhook', ns, seq, 'group_failed', event.groupId]), seq, 'group_failed', event.offerId, info, event.atMs, data);
        break;
      }
      case 'offer_closed': {
        const info = offerInfoOf(context, event.offerId);
        pushWebhook(effects, context, uniqueId(['webhook', ns, seq, 'offer_closed', event.offerId]), seq, 'offer_closed', event.offerId, info, event.atMs, { reason: event.reason });
        break;
      }
      case 'offer_created':
      case 'offer_edited':
      case 'offer_paused':
      case 'offer_resumed':
      case 'group_opened':
      case 'group_formed':
      case 'rule_set_activated':
      case 'price_changed':
      case 'auction_placeholder':
      case 'reservation_placeholder':
        break;
      default:
        // A new event type must be looked at here: it may carry money.
        return unknownEvent(event);
    }
  }
  return effects;
}

/**
 * Wraps an offer lookup (e.g. `engine.offer`, which builds a whole view) in a bounded cache. An offer's merchant
 * and currency never change (edit_offer cannot touch them), so a cached answer never goes stale; only misses
 * (null) are not cached, since the offer may be created later.
 */
export function cachedOfferInfo(lookup: (offerId: string) => OfferInfo | null, maxEntries = 100_000): (offerId: string) => OfferInfo | null {
  const cache = new Map<string, OfferInfo>();
  return (offerId) => {
    const hit = cache.get(offerId);
    if (hit !== undefined) return hit;
    const info = lookup(offerId);
    if (info === null) return null;
    // Oldest first out: a bound on memory, never on correctness (a miss just asks the lookup again).
    if (cache.size >= maxEntries) cache.delete(cache.keys().next().value!);
    cache.set(offerId, { merchantId: info.merchantId, currency: info.currency });
    return info;
  };
}

export function paymentRef(namespace: string, groupId: string, shopperId: string): string {
  return effectKey([namespace, groupId, shopperId]);
}

function offerInfoOf(context: DeriveContext, offerId: string): OfferInfo {
  const info = context.offerInfo(offerId);
  if (info === null) throw new UnknownOfferError(`effects: offer "${offerId}" is unknown to offerInfo(); its effects cannot be derived`);
  return info;
}

type GroupEvent = { offerId: string; groupId: string; atMs: number };

function refund(effectId: string, seq: number, event: GroupEvent, info: OfferInfo, shopperId: string, amountMinor: number, reason: 'left' | 'settled' | 'failed', ns: string): PaymentEffect {
  return {
    kind: 'refund',
    effectId,
    seq,
    atMs: event.atMs,
    merchantId: info.merchantId,
    offerId: event.offerId,
    groupId: event.groupId,
    shopperId,
    currency: info.currency,
    paymentRef: paymentRef(ns, event.groupId, shopperId),
    reason,
    amountMinor,
  };
}

function order(effectId: string, seq: number, event: GroupEvent, info: OfferInfo, member: MemberSettlement, ns: string): PaymentEffect {
  return {
    kind: 'order',
    effectId,
    seq,
    atMs: event.atMs,
    merchantId: info.merchantId,
    offerId: event.offerId,
    groupId: event.groupId,
    shopperId: member.shopperId,
    currency: info.currency,
    paymentRef: paymentRef(ns, event.groupId, member.shopperId),
    qty: member.qty,
    unitPriceMinor: member.unitPriceMinor,
    totalMinor: member.paidMinor,
  };
}

function pushWebhook(
  effects: EffectSpec[],
  context: DeriveContext,
  effectId: string,
  seq: number,
  type: WebhookEventType,
  offerId: string,
  info: OfferInfo,
  atMs: number,
  data: Record<string, unknown>,
): void {
  if (!context.wantsWebhooks(info.merchantId)) return;
  const effect: WebhookEffect = {
    kind: 'webhook',
    effectId,
    seq,
    atMs,
    merchantId: info.merchantId,
    payload: { id: effectId, type, merchantId: info.merchantId, offerId, occurredAtMs: atMs, data },
  };
  effects.push(effect);
}

function unknownEvent(event: never): never {
  throw new Error(`effects: unhandled event type ${JSON.stringify((event as { type?: unknown }).type)}`);
}
