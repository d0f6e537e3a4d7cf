// Auctions (竞价): English with proxy bids, Vickrey, uniform-price and Dutch (docs/auctions.md). Their three parts
// live beside this file; they stream on the offer's channel.
import { money } from '../format.ts';
import { auctionMerchantPanel } from './auction-merchant.ts';
import { auctionSettingsFields } from './auction-settings.ts';
import { auctionShopperPanel } from './auction-shopper.ts';
import type { MechanismUi } from './index.ts';

export const auctions: MechanismUi = {
  type: 'auction',
  label: 'Auction (竞价)',
  basePriceMeaning: 'the opening price: the first English bid, the lowest sealed bid, where a Dutch clock starts',
  // Bids make the price, not the rule set.
  shopperPrice: () => null,
  summary(offer) {
    const auction = offer.auction;
    if (!auction) return '';
    if (auction.outcome) {
      return auction.outcome.clearingPriceMinor === null ? 'closed: not sold' : `closed: sold at ${money(auction.outcome.clearingPriceMinor, offer.currency)}`;
    }
    const price = auction.priceMinor === null ? '' : ` · ${money(auction.priceMinor, offer.currency)}`;
    return `${auction.kind}: ${auction.bids} bid${auction.bids === 1 ? '' : 's'}${price}`;
  },
  settingsFields: auctionSettingsFields,
  merchantPanel: auctionMerchantPanel,
  shopperPanel: auctionShopperPanel,
};
