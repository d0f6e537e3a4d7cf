// What `npm start` sets up in development so a client works at once: a demo merchant with a key made for this
// run, and one offer of each mechanism to try: a group-buy, an English and a Dutch auction, a rental queue and
// bookable slots. Each is listed when it is missing (a restart finds the others in the recovered state, closed
// or not). Nothing here runs when NODE_ENV=production.
import { CreateOffer, type CommandInput } from '../engine/index.ts';
import { generateMerchantKey, parseMerchantKeyRecords, type MerchantKeyRecord } from '../gateway/merchant-keys.ts';
import type { UnstampedCommand } from '../runtime/sequencer.ts';
import type { RunningServer } from './start.ts';

export const DEMO_MERCHANT_ID = 'demo';
export const DEMO_OFFER_ID = 'demo-tea';
export const DEMO_AUCTION_ID = 'demo-watch';
export const DEMO_DUTCH_ID = 'demo-flowers';
export const DEMO_QUEUE_ID = 'demo-bike';
export const DEMO_SLOTS_ID = 'demo-court';

const MINUTE_MS = 60_000;

export function demoMerchantKey(): { apiKey: string; record: MerchantKeyRecord } {
  const { apiKey, record } = generateMerchantKey(DEMO_MERCHANT_ID);
  return { apiKey, record: parseMerchantKeyRecords(record)[0]! };
}

type DemoOffer = Omit<Extract<CommandInput, { type: 'create_offer' }>, 'type' | 'nowMs' | 'merchantId'> & { offerId: string };

/** The demo offers, as listed at `nowMs`. */
export function demoOffers(nowMs: number): { offer: DemoOffer; about: string }[] {
  return [
    {
      about: 'group-buy: 3 to form a group, 5 fill it; the price falls from 88.00 to 66.00 at 3 and 59.00 at 5',
      offer: {
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
          windowMs: 15 * MINUTE_MS,
          tiers: [
            { minSize: 3, priceMinor: 6_600 },
            { minSize: 5, priceMinor: 5_900 },
          ],
          leaderDiscountBps: 1_000,
          newcomerOnly: false,
          autoFillMaxSeats: 0,
          matchOpensGroup: true,
        },
      },
    },
    {
      about: 'English auction with proxy bids: opens at 100.00, a hidden reserve, buy now at 600.00 until the first bid; a bid in the last minute extends it by a minute',
      offer: {
        offerId: DEMO_AUCTION_ID,
        title: 'Vintage wristwatch',
        currency: 'CNY',
        inventory: 1,
        basePriceMinor: 10_000,
        endMs: nowMs + 120 * MINUTE_MS,
        mechanism: {
          type: 'auction',
          kind: 'english',
          reservePriceMinor: 15_000,
          increments: [
            { fromMinor: 0, stepMinor: 100 },
            { fromMinor: 10_000, stepMinor: 500 },
          ],
          buyNowPriceMinor: 60_000,
          softClose: { windowMs: MINUTE_MS, extendMs: MINUTE_MS, maxExtensions: 10 },
        },
      },
    },
    {
      about: 'Dutch auction: from 200.00 down 5.00 every 30 s to 50.00; the first accept_price wins',
      offer: {
        offerId: DEMO_DUTCH_ID,
        title: 'Peonies, a bucket of 50',
        currency: 'CNY',
        inventory: 1,
        basePriceMinor: 20_000,
        mechanism: { type: 'auction', kind: 'dutch', dutch: { floorPriceMinor: 5_000, stepMinor: 500, stepIntervalMs: 30_000 } },
      },
    },
    {
      about: 'rental queue: 3 bikes, a minute to confirm an offered bike (extendable once), 200.00 deposit waived from credit score 700',
      offer: {
        offerId: DEMO_QUEUE_ID,
        title: 'City bike, one ride',
        currency: 'CNY',
        inventory: 3,
        basePriceMinor: 1_500,
        mechanism: {
          type: 'reservation',
          mode: 'queue',
          holdMs: MINUTE_MS,
          holdExtensionMs: MINUTE_MS,
          depositMinor: 20_000,
          depositWaiverCreditScore: 700,
          priorityClasses: 2,
          agingMs: 5 * MINUTE_MS,
        },
      },
    },
    {
      about: 'bookable slots: 2 courts, 30 min to 2 h, 10 min between bookings, 5 min to confirm',
      offer: {
        offerId: DEMO_SLOTS_ID,
        title: 'Badminton court',
        currency: 'CNY',
        inventory: 2,
        basePriceMinor: 8_000,
        mechanism: { type: 'reservation', mode: 'slots', holdMs: 5 * MINUTE_MS, slotMinMs: 30 * MINUTE_MS, slotMaxMs: 120 * MINUTE_MS, slotBufferMs: 10 * MINUTE_MS },
      },
    },
  ];
}

/** Lists every demo offer that does not exist yet; returns each demo offer's id and what it shows. */
export async function seedDemoOffers(server: RunningServer, nowMs: number = Date.now()): Promise<{ offerId: string; about: string }[]> {
  const listed: { offerId: string; about: string }[] = [];
  for (const { offer, about } of demoOffers(nowMs)) {
    listed.push({ offerId: offer.offerId, about });
    if (server.engine.offer(offer.offerId) !== null) continue;
    // Through the engine's schema, as every client's command goes: it fills the defaults the engine relies on.
    const command = CreateOffer.omit({ nowMs: true }).parse({ type: 'create_offer', merchantId: DEMO_MERCHANT_ID, ...offer });
    const { result } = await server.sequencer.submit(command as UnstampedCommand);
    if (!result.ok) throw new Error(`could not seed the demo offer ${offer.offerId}: ${result.code}: ${result.message}`);
  }
  return listed;
}
