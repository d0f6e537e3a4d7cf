// What an effect is: one call to the outside world (a charge, a refund, an order, a merchant webhook) derived
// from the engine's events, as plain JSON data so it can sit in a BullMQ job and be replayed byte for byte.
//
// Every effect carries an `effectId`. It is the BullMQ jobId (so adding the same effect twice while the job is
// still in Redis is a no-op) and the idempotency key the receiver sees (so running it twice takes effect once).

/** Who a money effect is about, shared by charges, refunds and orders. */
interface MoneyEffectBase {
  effectId: string;
  /** The journal seq of the command whose events produced this effect. */
  seq: number;
  /** When the engine decided it (the event's `atMs`). */
  atMs: number;
  merchantId: string;
  offerId: string;
  groupId: string;
  shopperId: string;
  currency: string;
  /**
   * Ties a shopper's charge in one group to its refunds and its order: `<namespace>|<groupId>|<shopperId>`.
   * A shopper holds at most one charge in a group at a time (leaving refunds it in full before any rejoin),
   * so a provider adapter can map this reference to the payment a refund applies to.
   */
  paymentRef: string;
}

export interface ChargeEffect extends MoneyEffectBase {
  kind: 'charge';
  qty: number;
  amountMinor: number;
}

export interface RefundEffect extends MoneyEffectBase {
  kind: 'refund';
  /** `left`: the shopper left an open group; `settled`: the difference to the final price; `failed`: the group failed. */
  reason: 'left' | 'settled' | 'failed';
  amountMinor: number;
}

export interface OrderEffect extends MoneyEffectBase {
  kind: 'order';
  qty: number;
  unitPriceMinor: number;
  totalMinor: number;
}

export type PaymentEffect = ChargeEffect | RefundEffect | OrderEffect;

export type WebhookEventType = 'group_completed' | 'group_failed' | 'offer_closed';

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

export function unreachable(value: never): never {
  throw new Error(`unhandled case: ${JSON.stringify(value)}`);
}
