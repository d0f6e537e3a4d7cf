// One module per selling mechanism: group-buy, auctions, reservation queues and slots. A mechanism brings its own
// create-offer fields, the merchant's live panel and the shopper's panel; the pages around them (sign-in, offer
// list, price, events, connection) are shared. To add one: write `web/mechanisms/<name>.ts` exporting a
// `MechanismUi`, and list it in MECHANISMS below. Its panels get the page's connection: auctions and queues
// stream on their offer's channel (the page forwards its events) and the shopper's own events arrive on
// `shopper:<id>` (forwarded too); a panel may watch more channels, as group-buy watches each of its groups.
import type { LiveConnection } from '../live-connection.ts';
import type { ServerClock } from '../server-clock.ts';
import type { ChannelEvent, OfferSnapshot, OfferView, ShopperSnapshot } from '../wire.ts';
import { auctions } from './auction.ts';
import { groupBuy } from './group.ts';
import { reservations } from './reservation.ts';

export interface SettingsEnv {
  currency: () => string;
  /** The server's clock, for times entered as "in 60 minutes". */
  clock: ServerClock;
}

export interface SettingsFields {
  element: HTMLElement;
  /** The `mechanism` object of a create-offer request, as entered (the server checks it). */
  read(): Record<string, unknown>;
  /** Fields of the request outside `mechanism` that this mechanism asks for (an auction's `endMs`). */
  offerFields?(): Record<string, unknown>;
  /** Inventory and list price the form starts from when this mechanism is picked (an auction sells one unit). */
  suggested?: { inventory: number; basePriceMinor: number };
}

export interface MerchantPanel {
  element: HTMLElement;
  offerSnapshot(snapshot: OfferSnapshot): void;
  offerEvent(event: ChannelEvent): void;
  destroy(): void;
}

export interface ShopperPanel extends MerchantPanel {
  shopperSnapshot(snapshot: ShopperSnapshot): void;
  /** Private events of this shopper (with amounts) that concern this panel's offer. */
  shopperEvent(event: ChannelEvent): void;
}

export interface MerchantEnv {
  offer: OfferView;
  connection: LiveConnection;
  clock: ServerClock;
}

export interface ShopperEnv {
  offer: OfferView;
  connection: LiveConnection;
  clock: ServerClock;
  shopperId: string;
  /** After the shopper's own action changed what it would pay (a join, a leave): refresh the quote shown. */
  onPriceMayHaveChanged(): void;
}

export interface MechanismUi {
  /** The `mechanism.type` of offers this module shows. */
  type: string;
  label: string;
  /** What the offer's list price (`basePriceMinor`) means here, shown beside the field. */
  basePriceMeaning: string;
  /**
   * The shopper demo's price box (the rule set's price of one unit for this shopper, with its explanation), or null
   * where bids make the price (auctions: the page then shows no rule-set price at all).
   */
  shopperPrice(offer: OfferView): { title: string; caption: string } | null;
  /** How the offer is doing, in one line of the offer list. */
  summary(offer: OfferView): string;
  settingsFields(env: SettingsEnv): SettingsFields;
  merchantPanel(env: MerchantEnv): MerchantPanel;
  shopperPanel(env: ShopperEnv): ShopperPanel;
}

export const MECHANISMS: readonly MechanismUi[] = [groupBuy, auctions, reservations];

export function mechanismFor(type: string): MechanismUi | null {
  return MECHANISMS.find((mechanism) => mechanism.type === type) ?? null;
}
