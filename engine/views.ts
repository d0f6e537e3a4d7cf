// Read models: what clients and merchants may see of the market, as plain data. Views never expose internal maps
// and never change state. An offer's view is its core fields plus what its mechanism shows (`viewFields`); a
// shopper's view is its portfolio, each stake listed by the mechanism that holds it (`portfolioItems`).
import type { RuleSet } from '../pricing/index.ts';
import type { AuctionView, OwnBidView } from './auctions/index.ts';
import type { MembershipView } from './group-buy/index.ts';
import { mechanismOf } from './kernel/context.ts';
import { availableUnits } from './kernel/inventory.ts';
import { versionInForce, type PricePoint, type RuleSetVersion } from './kernel/pricing-bridge.ts';
import type { EngineState, Offer } from './kernel/state.ts';
import type { MechanismSettings, Registry } from './registry.ts';
import type { ReservationPlacesView, ReservationView } from './reservations/index.ts';

/** What each mechanism adds to an offer's view; an offer of another mechanism shows its default (0 or null). */
export interface MechanismViewFields {
  /** Group-buys: live (open or formed) groups. */
  liveGroups?: number;
  /** Auctions: the public state (sealed bids stay sealed, the reserve hidden). */
  auction?: AuctionView;
  /** Reservations: the queue or slots (queue length, units, holds). */
  reservation?: ReservationView;
}

export interface OfferView {
  offerId: string;
  merchantId: string;
  title: string;
  currency: string;
  status: Offer['status'];
  inventory: number;
  heldUnits: number;
  soldUnits: number;
  availableUnits: number;
  basePriceMinor: number;
  perShopperLimit: number | null;
  startMs: number | null;
  endMs: number | null;
  /** The IANA name of the offer's time zone (daily pricing windows follow it); null: UTC. */
  timeZone: string | null;
  /** Its mechanism's settings (an auction's reserve price left out of what anyone may see). */
  mechanism: MechanismSettings;
  liveGroups: number;
  auction: AuctionView | null;
  reservation: ReservationView | null;
  /** The headline price: what a new shopper with no discount pays a unit now (as last repriced). */
  priceMinor: number;
  ruleSetVersion: number;
  /** A merchant's rule set waiting for its time, if any. */
  pendingRuleSet: { version: number; effectiveAtMs: number } | null;
}

export type PricePointView = PricePoint;

export interface RuleSetVersionView {
  version: number;
  source: RuleSetVersion['source'];
  activeFromMs: number;
  ruleSet: RuleSet;
}

/** Where a mechanism's stakes go in the shopper view. */
export type PortfolioKey = 'memberships' | 'bids' | 'reservations';

/** A shopper's own view: every live stake, amounts included (the gateway shows it to that shopper only). */
export interface ShopperView {
  shopperId: string;
  /** Seats in live groups. */
  memberships: MembershipView[];
  /** Bids in open auctions. */
  bids: OwnBidView[];
  /** Per reservation offer: the place in the line (with position and estimated wait), holds, rentals, bookings. */
  reservations: ReservationPlacesView[];
  /** What the shopper has committed in open auctions at once (its exposure). */
  exposureMinor: number;
}

function viewOf(mechanisms: Registry, offer: Offer, nowMs: number, publicOnly: boolean): OfferView {
  const mechanism = mechanismOf(mechanisms, offer);
  const settings = offer.market.settings;
  const fields = mechanism.viewFields(offer, nowMs) as MechanismViewFields;
  return {
    offerId: offer.id,
    merchantId: offer.merchantId,
    title: offer.title,
    currency: offer.currency,
    status: offer.status,
    inventory: offer.inventory,
    heldUnits: offer.heldUnits,
    soldUnits: offer.soldUnits,
    availableUnits: availableUnits(offer),
    basePriceMinor: offer.basePriceMinor,
    perShopperLimit: offer.perShopperLimit,
    startMs: offer.startMs,
    endMs: offer.endMs,
    timeZone: offer.timeZone?.name ?? null,
    mechanism: structuredClone(publicOnly ? mechanism.publicSettings(settings) : settings) as MechanismSettings,
    liveGroups: fields.liveGroups ?? 0,
    auction: fields.auction ?? null,
    reservation: fields.reservation ?? null,
    priceMinor: offer.pricing.headlinePriceMinor,
    ruleSetVersion: versionInForce(offer).version,
    pendingRuleSet: offer.pricing.pending && { version: offer.pricing.pending.ruleSet.version, effectiveAtMs: offer.pricing.pending.effectiveAtMs },
  };
}

/** The offer as its merchant sees it (every setting). */
export function offerView(mechanisms: Registry, offer: Offer, nowMs: number): OfferView {
  return viewOf(mechanisms, offer, nowMs, false);
}

/** The offer as anyone may see it: settings a merchant keeps to itself (an auction's reserve) left out. */
export function publicOfferView(mechanisms: Registry, offer: Offer, nowMs: number): OfferView {
  return viewOf(mechanisms, offer, nowMs, true);
}

export function priceHistoryView(offer: Offer): PricePointView[] {
  return offer.pricing.priceHistory.map((point) => ({ ...point }));
}

export function ruleSetHistoryView(offer: Offer): RuleSetVersionView[] {
  return offer.pricing.versions.map((entry) => ({ version: entry.version, source: entry.source, activeFromMs: entry.activeFromMs, ruleSet: structuredClone(entry.ruleSet) }));
}

/** The shopper's portfolio, offer by offer in the order it first had a stake in each. */
export function shopperView(state: EngineState, mechanisms: Registry, shopperId: string): ShopperView {
  const view: ShopperView = { shopperId, memberships: [], bids: [], reservations: [], exposureMinor: 0 };
  const portfolio = state.portfolios.get(shopperId);
  if (portfolio === undefined) return view;
  view.exposureMinor = portfolio.exposureMinor;
  for (const offerId of portfolio.stakes.keys()) {
    const offer = state.offers.get(offerId);
    if (offer === undefined) continue;
    const mechanism = mechanismOf(mechanisms, offer);
    const list = view[mechanism.portfolioKey as PortfolioKey] as unknown[];
    for (const item of mechanism.portfolioItems(offer, shopperId, state.nowMs)) list.push(item);
  }
  return view;
}
