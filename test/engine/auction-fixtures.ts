// Builders for auction tests: the shared test market (every command validated, invariants checked after each) with
// shorthands for creating auctions and bidding on them.
import { expect } from 'vitest';
import type { AuctionView, EngineEvent } from '../../engine/index.ts';
import { Market, MERCHANT } from './fixtures.ts';

export { eventOf } from './fixtures.ts';
export { MERCHANT };

/** The offer's end in these tests unless a test sets its own. */
export const END_MS = 100_000;

export class AuctionMarket extends Market {
  /** Creates auction `offerId` (default 'a1'): one unit, opening 1 000, ending at END_MS; `mechanism` adds settings. */
  createAuction(kind: 'english' | 'vickrey' | 'uniform' | 'dutch', mechanism: Record<string, unknown> = {}, offer: Record<string, unknown> = {}): string {
    const result = this.ok({
      type: 'create_offer',
      merchantId: MERCHANT,
      offerId: 'a1',
      title: 'Song dynasty vase',
      currency: 'CNY',
      inventory: 1,
      basePriceMinor: 1_000,
      ...(kind === 'dutch' ? {} : { endMs: END_MS }),
      mechanism: { type: 'auction', kind, ...mechanism },
      ...offer,
    });
    return result.offerId as string;
  }

  bid(shopperId: string, maxBidMinor: number, extra: Record<string, unknown> = {}) {
    return this.ok({ type: 'place_bid', shopperId, offerId: 'a1', maxBidMinor, ...extra });
  }

  /** The bid's events, for a bid that must be accepted. */
  bidEvents(shopperId: string, maxBidMinor: number, extra: Record<string, unknown> = {}): EngineEvent[] {
    const { result, events } = this.send({ type: 'place_bid', shopperId, offerId: 'a1', maxBidMinor, ...extra });
    expect(result.ok).toBe(true);
    return events;
  }

  view(offerId = 'a1'): AuctionView {
    const view = this.engine.auction(offerId);
    if (!view) throw new Error(`no auction ${offerId}`);
    return view;
  }
}
