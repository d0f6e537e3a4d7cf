// One module per selling mechanism (group-buy today; auctions and reservation queues when the engine and the
// protocol accept their commands). A mechanism brings its own create-offer fields, the merchant's live panel and
// the shopper's panel; the pages around them (sign-in, offer list, price, events, connection) are shared. To add
// one: write `web/mechanisms/<name>.ts` exporting a `MechanismUi`, and list it in MECHANISMS below. Its panels get
// the page's connection and may watch their own channels (an `auction:<id>` channel, say) next to the offer's.
import type { LiveConnection } from '../live-connection.ts';
import type { ChannelEvent, OfferSnapshot, OfferView, ShopperSnapshot } from '../wire.ts';
import { groupBuy } from './group.ts';

export interface SettingsFields {
  element: HTMLElement;
  /** The `mechanism` object of a create-offer request, as entered (the server checks it). */
  read(): Record<string, unknown>;
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
}

export interface ShopperEnv {
  offer: OfferView;
  connection: LiveConnection;
  shopperId: string;
  /** After the shopper's own action changed what it would pay (a join, a leave): refresh the quote shown. */
  onPriceMayHaveChanged(): void;
}

export interface MechanismUi {
  /** The `mechanism.type` of offers this module shows. */
  type: string;
  label: string;
  settingsFields(currency: () => string): SettingsFields;
  merchantPanel(env: MerchantEnv): MerchantPanel;
  shopperPanel(env: ShopperEnv): ShopperPanel;
}

export const MECHANISMS: readonly MechanismUi[] = [groupBuy];

export function mechanismFor(type: string): MechanismUi | null {
  return MECHANISMS.find((mechanism) => mechanism.type === type) ?? null;
}
