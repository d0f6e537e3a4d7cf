// What deriving one command's effects shares across mechanisms: the context the gateway supplies, the ids (unique
// within the command, deterministic under replay), offer lookups, and merchant webhooks. derive.ts dispatches each
// event to its mechanism (derive-groups.ts, derive-auctions.ts, derive-reservations.ts).
import { effectKey, type EffectSpec, type WebhookEffect, type WebhookEventType } from './effect-spec.ts';

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

/** The payment reference of a shopper's seat in a group: `<namespace>|<groupId>|<shopperId>`. */
export function paymentRef(namespace: string, groupId: string, shopperId: string): string {
  return effectKey([namespace, groupId, shopperId]);
}

/** The effects of one command, collected in event order. */
export class Derivation {
  readonly effects: EffectSpec[] = [];
  private readonly used = new Set<string>();

  constructor(
    readonly seq: number,
    private readonly context: DeriveContext,
  ) {}

  get namespace(): string {
    return this.context.namespace;
  }

  /**
   * `effectKey(parts)`, kept distinct within the command. One command cannot produce two effects of the same kind
   * for the same subject, but if an engine change ever made it so, a counter keeps the ids apart and still
   * deterministic under replay.
   */
  id(parts: readonly (string | number)[]): string {
    const base = effectKey(parts);
    let id = base;
    for (let n = 2; this.used.has(id); n++) id = `${base}|${n}`;
    this.used.add(id);
    return id;
  }

  /** The offer's merchant and currency; throws `UnknownOfferError` when the context does not know it. */
  offer(offerId: string): OfferInfo {
    const info = this.context.offerInfo(offerId);
    if (info === null) throw new UnknownOfferError(`effects: offer "${offerId}" is unknown to offerInfo(); its effects cannot be derived`);
    return info;
  }

  push(effect: EffectSpec): void {
    this.effects.push(effect);
  }

  /**
   * A merchant webhook, only for a merchant that has an endpoint now. The id is taken either way, so the other
   * ids of the command do not depend on whether the merchant had an endpoint when it was derived.
   */
  webhook(idParts: readonly (string | number)[], type: WebhookEventType, offerId: string, info: OfferInfo, atMs: number, data: Record<string, unknown>): void {
    const effectId = this.id(idParts);
    if (!this.context.wantsWebhooks(info.merchantId)) return;
    const effect: WebhookEffect = {
      kind: 'webhook',
      effectId,
      seq: this.seq,
      atMs,
      merchantId: info.merchantId,
      payload: { id: effectId, type, merchantId: info.merchantId, offerId, occurredAtMs: atMs, data },
    };
    this.effects.push(effect);
  }
}
