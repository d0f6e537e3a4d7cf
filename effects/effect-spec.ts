// What an effect is: one call to the outside world (a charge, a refund, an order, a deposit hold or release, a
// merchant webhook) derived from the engine's events, as plain JSON data so it can sit in a BullMQ job and be
// replayed byte for byte.
//
// Every effect carries an `effectId`. It is the BullMQ jobId (so adding the same effect twice while the job is
// still in Redis is a no-op) and the idempotency key the receiver sees (so running it twice takes effect once).

import type { MoneySubject } from '../engine/index.ts';

/**
 * What a money effect is for, named by the engine id that makes it unique (`{ type: 'group', groupId }` for a
 * shopper's seat in a group, `{ type: 'auction', orderId }`, `{ type: 'rental', rentalId }`,
 * `{ type: 'booking', bookingId }`: each mechanism names its own). Providers can show it on the payment; the ids
 * never depend on it.
 */
export type { MoneySubject };

/** Who a money effect is about, shared by every payment-queue effect. */
interface MoneyEffectBase {
  effectId: string;
  /** The journal seq of the command whose events produced this effect. */
  seq: number;
  /** When the engine decided it (the event's `atMs`). */
  atMs: number;
  merchantId: string;
  offerId: string;
  shopperId: string;
  currency: string;
  subject: MoneySubject;
  /**
   * Ties the money effects of one payment together (a charge, its refunds, its order; a deposit hold and its
   * release): `<namespace>|<groupId>|<shopperId>` for a group seat (a shopper holds at most one charge in a group
   * at a time: leaving refunds it in full before any rejoin), `<namespace>|<orderId>`, `<namespace>|<rentalId>`,
   * `<namespace>|<bookingId>` otherwise. A provider adapter maps it to the payment a refund or release applies to.
   */
  paymentRef: string;
}

export interface ChargeEffect extends MoneyEffectBase {
  kind: 'charge';
  qty: number;
  amountMinor: number;
}

/**
 * `left`: the shopper left an open group; `settled`: the difference to the group's final price; `failed`: the
 * group failed; `cancelled`: a confirmed booking was cancelled before its start.
 */
export type RefundReason = 'left' | 'settled' | 'failed' | 'cancelled';

export interface RefundEffect extends MoneyEffectBase {
  kind: 'refund';
  reason: RefundReason;
  amountMinor: number;
}

export interface OrderEffect extends MoneyEffectBase {
  kind: 'order';
  qty: number;
  unitPriceMinor: number;
  totalMinor: number;
  /**
   * What the order itself charges. 0 for a group order: the seat was charged at join and the difference refunded.
   * `totalMinor` for an auction order: nothing is charged while bidding, so the order is the payment.
   */
  chargeMinor: number;
}

/** A deposit held (authorised, not captured) when a rental starts or a booking is confirmed. */
export interface DepositHoldEffect extends MoneyEffectBase {
  kind: 'deposit_hold';
  amountMinor: number;
}

/** `returned`: the rented unit came back; `cancelled`: the booking was cancelled; `completed`: the booking is over. */
export type DepositReleaseReason = 'returned' | 'cancelled' | 'completed';

/** A held deposit given back, on the same `paymentRef` as its hold. */
export interface DepositReleaseEffect extends MoneyEffectBase {
  kind: 'deposit_release';
  reason: DepositReleaseReason;
  amountMinor: number;
}

export type PaymentEffect = ChargeEffect | RefundEffect | OrderEffect | DepositHoldEffect | DepositReleaseEffect;

/** The event a webhook tells of: `offer_closed`, `group_completed`, `auction_closed`, `rental_started`, … (each mechanism's). */
export type WebhookEventType = string;

/** The JSON body a merchant receives. `id` equals the effect id and stays the same across retries and redeliveries. */
export interface WebhookPayload {
  id: string;
  type: WebhookEventType;
  merchantId: string;
  offerId: string;
  occurredAtMs: number;
  data: Record<string, unknown>;
}

export interface WebhookEffect {
  kind: 'webhook';
  effectId: string;
  seq: number;
  atMs: number;
  merchantId: string;
  payload: WebhookPayload;
}

export type EffectSpec = PaymentEffect | WebhookEffect;
export type EffectKind = EffectSpec['kind'];

/** The two BullMQ queues: payments and webhooks retry on different schedules and must not starve each other. */
export type EffectQueueName = 'payments' | 'webhooks';

export function queueOf(effect: EffectSpec): EffectQueueName {
  return effect.kind === 'webhook' ? 'webhooks' : 'payments';
}

/** A namespace names one journal's seq space (an engine partition and its journal generation). */
export const NAMESPACE_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * Joins id parts with `|`. Engine ids use letters, digits and `_ . : - ~`, never `|` or `%`, so `|` separates
 * unambiguously; `:` is written `%3A` because BullMQ refuses custom jobIds that contain `:`.
 */
export function effectKey(parts: readonly (string | number)[]): string {
  return parts.map((part) => String(part).replaceAll(':', '%3A')).join('|');
}

export { unreachable } from '../engine/index.ts';
