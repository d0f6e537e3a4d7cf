// Events → effect specs. Pure and deterministic: the same seq and events give the same effects with the same ids,
// which is what makes a journal replay after a crash harmless (BullMQ ignores a jobId it still holds, the receiver
// ignores an idempotency key it has seen).
//
// Nothing here knows a mechanism: every event says which money moves and which merchant notification it sends
// (`eventEffects`, from the event catalog each mechanism keeps in engine/), and every event carries its offer's
// merchant and currency. Ids follow the rule in engine/kernel/effect-facts.ts: `<kind>|<namespace>|<seq>|<key…>`
// when the subject can recur, `<kind>|<namespace>|<key…>` when the engine names it once forever. Both stay unique
// only while (a) the namespace names one journal's seq space and engine lifetime and (b) effects are recorded only
// for durable seqs (see outbox.ts).
import { eventEffects, type EffectFact, type EngineEvent } from '../engine/index.ts';
import { effectKey, NAMESPACE_PATTERN, type EffectSpec, type PaymentEffect, type WebhookEventType } from './effect-spec.ts';

/** What derivation needs from outside the events. Every function must be synchronous and cheap. */
export interface DeriveContext {
  /** Names the journal's seq space: an engine partition and its journal generation (`[A-Za-z0-9_.-]`, ≤ 64). */
  namespace: string;
  /** Whether a merchant has a webhook endpoint; no webhook job is made for merchants without one. */
  wantsWebhooks(merchantId: string): boolean;
}

export function checkNamespace(namespace: string): void {
  if (!NAMESPACE_PATTERN.test(namespace)) throw new RangeError(`effects namespace must match ${NAMESPACE_PATTERN}, got ${JSON.stringify(namespace)}`);
}

/**
 * The effects of one applied command, in event order; within one event, in the order its facts list them (per
 * member the order before its refund, a deposit hold after its charge, the merchant's webhook last).
 */
export function deriveEffects(seq: number, events: readonly EngineEvent[], context: DeriveContext): EffectSpec[] {
  const ns = context.namespace;
  const effects: EffectSpec[] = [];
  // One command never makes two effects of one kind for one subject; if an engine change ever made it so, a counter
  // keeps the ids apart, still deterministic under replay.
  const used = new Set<string>();
  const idOf = (parts: readonly (string | number)[]): string => {
    const base = effectKey(parts);
    let id = base;
    for (let n = 2; used.has(id); n++) id = `${base}|${n}`;
    used.add(id);
    return id;
  };
  for (const event of events) {
    for (const fact of eventEffects(event)) {
      const effectId = idOf([fact.kind, ns, ...(fact.perCommand ? [seq] : []), ...fact.key]);
      if (fact.kind === 'webhook') {
        // The id is taken either way, so the other ids of the command never depend on who has an endpoint now.
        if (!context.wantsWebhooks(event.merchantId)) continue;
        const type = fact.type as WebhookEventType;
        effects.push({
          kind: 'webhook',
          effectId,
          seq,
          atMs: event.atMs,
          merchantId: event.merchantId,
          payload: { id: effectId, type, merchantId: event.merchantId, offerId: event.offerId, occurredAtMs: event.atMs, data: fact.data },
        });
        continue;
      }
      effects.push(moneyEffect(fact, effectId, seq, event, ns));
    }
  }
  return effects;
}

function moneyEffect(fact: Exclude<EffectFact, { kind: 'webhook' }>, effectId: string, seq: number, event: EngineEvent, ns: string): PaymentEffect {
  const { kind: _kind, key: _key, perCommand: _perCommand, payment, ...money } = fact;
  return {
    ...money,
    effectId,
    seq,
    atMs: event.atMs,
    merchantId: event.merchantId,
    offerId: event.offerId,
    currency: event.currency,
    paymentRef: effectKey([ns, ...payment]),
    kind: fact.kind,
  } as PaymentEffect;
}
