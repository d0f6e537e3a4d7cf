// How an event states its audiences. Every event type has one `EventSpec` in its mechanism's catalog (the core's
// own events are below), and the compiler checks that each type has one:
// - `public`: the fields anyone watching the offer (and the group, when the event names one) may see. An
//   allowlist: a field added to an event later stays private until it is listed here.
// - `publicExtra`: values computed for watchers from private fields (member ids from a group's settlements).
// - `private`: who else hears of it, each with their own form (a bidder its bid, the shopper it outbid, every
//   member its settlement, every waiter a closing line dropped). Recipients are named by the event itself, so
//   nothing downstream needs a copy of the market to know them. Private forms are allowlisted too (`pick`).
// - `effects`: the money and merchant notifications that leave the engine (effect-facts.ts).
// Fan-out (gateway/), effects (effects/), the console and the simulator read events through these, never the
// engine's state.
import type { EffectFact } from './effect-facts.ts';
import type { OfferView } from '../views.ts';
import type { ExplanationLine } from '../../pricing/index.ts';

export type Deliver = (shopperId: string, form: object) => void;

export interface EventSpec<E> {
  readonly public: readonly (keyof E & string)[];
  readonly publicExtra?: (event: E) => Record<string, unknown>;
  /** Hands each private recipient its form; `publicForm` is the event's public form, made once on first use. */
  readonly private?: (event: E, deliver: Deliver, publicForm: () => Record<string, unknown>) => void;
  readonly effects?: (event: E) => readonly EffectFact[];
}

export type EventCatalog<E extends { type: string }> = { readonly [K in E['type']]: EventSpec<Extract<E, { type: K }>> };

/** The listed fields of `value`, in list order (a field the value lacks is left out). */
export function pick<E, K extends keyof E & string>(value: E, fields: readonly K[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) if (value[field] !== undefined) out[field] = value[field];
  return out;
}

/** The event's public form under its spec. */
export function publicFormOf<E>(spec: EventSpec<E>, event: E): Record<string, unknown> {
  const form = pick(event, spec.public);
  if (spec.publicExtra) Object.assign(form, spec.publicExtra(event));
  return form;
}

/** Who an event is about, on every event: the offer, its merchant and currency, and when it happened. */
export interface EventFacts {
  offerId: string;
  merchantId: string;
  currency: string;
  atMs: number;
}

/** The offer facts of an event (all but `atMs`, which the emitter knows). */
export function factsOf(offer: { id: string; merchantId: string; currency: string }): Omit<EventFacts, 'atMs'> {
  return { offerId: offer.id, merchantId: offer.merchantId, currency: offer.currency };
}

/** Events of the offer itself, whatever sells it. Amounts are integer minor units in the offer's currency. */
export type CoreEvent =
  | ({ type: 'offer_created' } & EventFacts)
  /** The merchant changed the listed fields; `offer` is the offer as anyone may see it now. */
  | ({ type: 'offer_edited'; fields: string[]; offer: OfferView } & EventFacts)
  | ({ type: 'offer_paused' } & EventFacts)
  | ({ type: 'offer_resumed' } & EventFacts)
  | ({ type: 'offer_closed'; reason: 'merchant' | 'ended' } & EventFacts)
  /** A closed offer left memory after its retention; commands naming it get `offer_retired`. */
  | ({ type: 'offer_retired'; closedAtMs: number } & EventFacts)
  /** A rule set version is in force from `atMs` (set by its merchant, or derived again after a tier edit). */
  | ({ type: 'rule_set_activated'; version: number } & EventFacts)
  /**
   * The offer's headline price (what a new shopper with no discount pays a unit) moved. Coalesced: at most one per
   * offer per `priceEventMinGapMs`; `previousPriceMinor` is the price of the event before.
   */
  | ({ type: 'price_changed'; priceMinor: number; previousPriceMinor: number; explanation: ExplanationLine[]; ruleSetVersion: number } & EventFacts)
  /** The offer's units moved (held, sold or in total); one per offer per command, after its other events. */
  | ({ type: 'stock_changed'; inventory: number; heldUnits: number; soldUnits: number; availableUnits: number } & EventFacts);

const OFFER_WEBHOOK_KEY = 'offer_closed';

export const CORE_EVENTS: EventCatalog<CoreEvent> = {
  offer_created: { public: ['type', 'offerId', 'merchantId', 'atMs'] },
  offer_edited: { public: ['type', 'offerId', 'fields', 'offer', 'atMs'] },
  offer_paused: { public: ['type', 'offerId', 'atMs'] },
  offer_resumed: { public: ['type', 'offerId', 'atMs'] },
  offer_closed: {
    public: ['type', 'offerId', 'reason', 'atMs'],
    // Any offer's close, whatever sells it: a webhook, no money.
    effects: (e) => [{ kind: 'webhook', type: 'offer_closed', key: [OFFER_WEBHOOK_KEY, e.offerId], perCommand: true, data: { reason: e.reason } }],
  },
  offer_retired: { public: ['type', 'offerId', 'closedAtMs', 'atMs'] },
  rule_set_activated: { public: ['type', 'offerId', 'version', 'atMs'] },
  // The price and its explanation are public: every watcher sees the same price.
  price_changed: { public: ['type', 'offerId', 'priceMinor', 'previousPriceMinor', 'explanation', 'ruleSetVersion', 'atMs'] },
  stock_changed: { public: ['type', 'offerId', 'inventory', 'heldUnits', 'soldUnits', 'availableUnits', 'atMs'] },
};
