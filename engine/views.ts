// Read models: what clients and merchants may see of the market, as plain data. Views never expose internal
// maps and never change state.
import type { RuleSet } from '../pricing/index.ts';
import { auctionView, type AuctionView } from './auctions/index.ts';
import { currentUnitPrice } from './groups.ts';
import { availableUnits } from './inventory.ts';
import { versionInForce, type PricePoint, type RuleSetVersion } from './offer-pricing.ts';
import { reservationView, type ReservationView } from './reservations/index.ts';
import type { EngineState, Group, Offer } from './state.ts';

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
  mechanism: Offer['mechanism'];
  liveGroups: number;
  /** An auction offer's public state (sealed bids stay sealed); null for other mechanisms. */
  auction: AuctionView | null;
  /** A reservation offer's public state (queue length, units, slots); null for other mechanisms. */
  reservation: ReservationView | null;
  /** The headline price: a new group's unit price now, for a shopper with no discount (as last repriced). */
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

export interface GroupView {
  groupId: string;
  offerId: string;
  status: Group['status'];
  leaderId: string;
  size: number;
  minSize: number;
  maxSize: number | null;
  seatsMissing: number;
  newcomerOnly: boolean;
  openedAtMs: number;
  deadlineMs: number;
  /** The unit price at the current size: what everyone would pay (before their own discounts) if it ended now. */
  unitPriceMinor: number;
  /** Member ids in join order. Shopper ids only, never amounts: one shopper's charges are private. */
  members: string[];
}

export function offerView(offer: Offer): OfferView {
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
    mechanism: structuredClone(offer.mechanism),
    liveGroups: offer.liveGroups.size,
    auction: offer.auction && auctionView(offer),
    reservation: offer.reservation && reservationView(offer),
    priceMinor: offer.pricing.headlinePriceMinor,
    ruleSetVersion: versionInForce(offer).version,
    pendingRuleSet: offer.pricing.pending && { version: offer.pricing.pending.ruleSet.version, effectiveAtMs: offer.pricing.pending.effectiveAtMs },
  };
}

export function priceHistoryView(offer: Offer): PricePointView[] {
  return offer.pricing.priceHistory.map((point) => ({ ...point }));
}

export function ruleSetHistoryView(offer: Offer): RuleSetVersionView[] {
  return offer.pricing.versions.map((entry) => ({ version: entry.version, source: entry.source, activeFromMs: entry.activeFromMs, ruleSet: structuredClone(entry.ruleSet) }));
}

export function groupView(state: EngineState, group: Group): GroupView {
  const offer = state.offers.get(group.offerId)!;
  const size = group.members.size;
  return {
    groupId: group.id,
    offerId: group.offerId,
    status: group.status,
    leaderId: group.leaderId,
    size,
    minSize: group.minSize,
    maxSize: group.maxSize,
    seatsMissing: Math.max(0, group.minSize - size),
    newcomerOnly: group.newcomerOnly,
    openedAtMs: group.openedAtMs,
    deadlineMs: group.deadlineMs,
    unitPriceMinor: currentUnitPrice(offer, group, size, state.nowMs),
    members: [...group.members.keys()],
  };
}
