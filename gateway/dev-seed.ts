// What `npm start` sets up in development so a client works at once: a demo merchant with a key made for this
// run, and one group-buy offer to join. Nothing here runs when NODE_ENV=production.
import { generateMerchantKey, parseMerchantKeyRecords, type MerchantKeyRecord } from './merchant-keys.ts';
import type { RunningServer } from './server.ts';

export const DEMO_MERCHANT_ID = 'demo';
export const DEMO_OFFER_ID = 'demo-tea';

export function demoMerchantKey(): { apiKey: string; record: MerchantKeyRecord } {
  const { apiKey, record } = generateMerchantKey(DEMO_MERCHANT_ID);
  return { apiKey, record: parseMerchantKeyRecords(record)[0]! };
}

/** Lists the demo offer: 3 to form a group, 5 fill it; the price falls from 88.00 to 66.00 at 3 and 59.00 at 5. */
export async function seedDemoOffer(server: RunningServer): Promise<void> {
  const { result } = await server.sequencer.submit({
    type: 'create_offer',
    merchantId: DEMO_MERCHANT_ID,
    offerId: DEMO_OFFER_ID,
    title: 'Oolong tea, 500 g',
    currency: 'CNY',
    inventory: 500,
    basePriceMinor: 8_800,
    perShopperLimit: 5,
    mechanism: {
      type: 'group',
      minSize: 3,
      maxSize: 5,
      windowMs: 15 * 60_000,
      tiers: [
        { minSize: 3, priceMinor: 6_600 },
        { minSize: 5, priceMinor: 5_900 },
      ],
      leaderDiscountBps: 1_000,
      newcomerOnly: false,
      autoFillMaxSeats: 0,
      matchOpensGroup: true,
    },
  });
  if (!result.ok) throw new Error(`could not seed the demo offer: ${result.code}: ${result.message}`);
}
