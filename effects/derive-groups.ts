// Group-buy events → effects: a charge per join, a refund per leave, and at settlement one order per member plus
// the refund of the difference (or of everything, when the group failed); merchant webhooks for settled groups and
// closed offers.
//
// Why these ids carry the seq: a shopper may leave an open group and join it again, so "the charge of alice in g1"
// is not unique; and the engine forgets settled groups after `settledGroupsRetained`, after which a caller may open
// a new group with an old id. A journal seq names one command forever, so `<kind>|<namespace>|<seq>|<subject>` is
// unique as long as the namespace names one journal's seq space and only durable seqs are recorded (outbox.ts).
import type { EngineEvent, MemberSettlement } from '../engine/index.ts';
import { unreachable, type OrderEffect, type RefundEffect, type RefundReason } from './effect-spec.ts';
import { paymentRef, type Derivation, type OfferInfo } from './derivation.ts';

type GroupEventType = 'group_joined' | 'group_left' | 'group_completed' | 'group_failed';
export type GroupMoneyEvent = Extract<EngineEvent, { type: GroupEventType }>;
type OfferClosedEvent = Extract<EngineEvent, { type: 'offer_closed' }>;

export function deriveGroupEvent(out: Derivation, event: GroupMoneyEvent): void {
  const { namespace: ns, seq } = out;
  switch (event.type) {
    case 'group_joined': {
      if (event.chargedMinor <= 0) return;
      const info = out.offer(event.offerId);
      out.push({
        kind: 'charge',
        effectId: out.id(['charge', ns, seq, event.groupId, event.shopperId]),
        seq,
        atMs: event.atMs,
        merchantId: info.merchantId,
        offerId: event.offerId,
        shopperId: event.shopperId,
        currency: info.currency,
        subject: { type: 'group', groupId: event.groupId },
        paymentRef: paymentRef(ns, event.groupId, event.shopperId),
        qty: event.qty,
        amountMinor: event.chargedMinor,
      });
      return;
    }
    case 'group_left': {
      if (event.refundMinor <= 0) return;
      out.push(refund(out, event, out.offer(event.offerId), event.shopperId, event.refundMinor, 'left'));
      return;
    }
    case 'group_completed': {
      const info = out.offer(event.offerId);
      for (const member of event.members) {
        out.push(order(out, event, info, member));
        if (member.refundMinor > 0) out.push(refund(out, event, info, member.shopperId, member.refundMinor, 'settled'));
      }
      const data = {
        groupId: event.groupId,
        size: event.size,
        autoFilledSeats: event.autoFilledSeats,
        reason: event.reason,
        currency: info.currency,
        members: event.members.map(({ shopperId, qty, unitPriceMinor, paidMinor, refundMinor }) => ({ shopperId, qty, unitPriceMinor, paidMinor, refundMinor })),
      };
      out.webhook(['webhook', ns, seq, 'group_completed', event.groupId], 'group_completed', event.offerId, info, event.atMs, data);
      return;
    }
    case 'group_failed': {
      const info = out.offer(event.offerId);
      for (const entry of event.refunds) {
        if (entry.refundMinor > 0) out.push(refund(out, event, info, entry.shopperId, entry.refundMinor, 'failed'));
      }
      const data = { groupId: event.groupId, size: event.size, reason: event.reason, currency: info.currency, refunds: event.refunds.map((entry) => ({ ...entry })) };
      out.webhook(['webhook', ns, seq, 'group_failed', event.groupId], 'group_failed', event.offerId, info, event.atMs, data);
      return;
    }
    default:
      return unreachable(event);
  }
}

/** Any offer's close (a group-buy, an auction, a reservation offer): a webhook, no money. */
export function deriveOfferClosed(out: Derivation, event: OfferClosedEvent): void {
  const info = out.offer(event.offerId);
  out.webhook(['webhook', out.namespace, out.seq, 'offer_closed', event.offerId], 'offer_closed', event.offerId, info, event.atMs, { reason: event.reason });
}

type GroupEvent = { offerId: string; groupId: string; atMs: number };

function refund(out: Derivation, event: GroupEvent, info: OfferInfo, shopperId: string, amountMinor: number, reason: RefundReason): RefundEffect {
  const ns = out.namespace;
  return {
    kind: 'refund',
    effectId: out.id(['refund', ns, out.seq, event.groupId, shopperId]),
    seq: out.seq,
    atMs: event.atMs,
    merchantId: info.merchantId,
    offerId: event.offerId,
    shopperId,
    currency: info.currency,
    subject: { type: 'group', groupId: event.groupId },
    paymentRef: paymentRef(ns, event.groupId, shopperId),
    reason,
    amountMinor,
  };
}

/** A member's order. The seat was charged at join (and the difference refunded here), so the order charges nothing. */
function order(out: Derivation, event: GroupEvent, info: OfferInfo, member: MemberSettlement): OrderEffect {
  const ns = out.namespace;
  return {
    kind: 'order',
    effectId: out.id(['order', ns, out.seq, event.groupId, member.shopperId]),
    seq: out.seq,
    atMs: event.atMs,
    merchantId: info.merchantId,
    offerId: event.offerId,
    shopperId: member.shopperId,
    currency: info.currency,
    subject: { type: 'group', groupId: event.groupId },
    paymentRef: paymentRef(ns, event.groupId, member.shopperId),
    qty: member.qty,
    unitPriceMinor: member.unitPriceMinor,
    totalMinor: member.paidMinor,
    chargeMinor: 0,
  };
}
