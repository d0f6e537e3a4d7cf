// Group-buy (拼团): the first mechanism of the console. Its three parts live beside this file.
import { groupMerchantPanel } from './group-merchant.ts';
import { groupSettingsFields } from './group-settings.ts';
import { groupShopperPanel } from './group-shopper.ts';
import type { MechanismUi } from './index.ts';

export const groupBuy: MechanismUi = {
  type: 'group',
  label: 'Group-buy (拼团)',
  basePriceMeaning: 'the price of one unit before group tiers and discounts',
  shopperPrice: () => ({
    title: 'Price to start a new group',
    caption: 'What one unit costs in a new group now, before your own discounts; it falls as the group grows.',
  }),
  summary: (offer) => `${offer.liveGroups} group${offer.liveGroups === 1 ? '' : 's'} forming`,
  settingsFields: (env) => groupSettingsFields(env.currency),
  merchantPanel: groupMerchantPanel,
  shopperPanel: groupShopperPanel,
};
