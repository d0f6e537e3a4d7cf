// Group-buy (拼团): the first mechanism of the console. Its three parts live beside this file.
import { groupMerchantPanel } from './group-merchant.ts';
import { groupSettingsFields } from './group-settings.ts';
import { groupShopperPanel } from './group-shopper.ts';
import type { MechanismUi } from './index.ts';

export const groupBuy: MechanismUi = {
  type: 'group',
  label: 'Group-buy (拼团)',
  settingsFields: groupSettingsFields,
  merchantPanel: groupMerchantPanel,
  shopperPanel: groupShopperPanel,
};
