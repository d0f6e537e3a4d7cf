// Unit tests of Dutch auctions (docs/auctions.md): the descending clock as engine deadlines, and acceptance.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type EngineEvent } from '../../engine/index.ts';
import { AuctionMarket, eventOf } from './auction-fixtures.ts';

const CLOCK = { floorPriceMinor: 600, stepMinor: 100, stepIntervalMs: 1_000 };

function dutch(offer: Record<string, unknown> = {}): AuctionMarket {
  const market = new AuctionMarket();
  market.createAuction('dutch', { dutch: CLOCK }, offer);
  return market;
}

function drops(events: EngineEvent[]): { priceMinor: number; atMs: number }[] {
  return events.flatMap((event) => (event.type === 'auction_price_dropped' ? [{ priceMinor: event.priceMinor, atMs: event.atMs }] : []));
}

describe('the clock', () => {
  it('starts at the base price and falls a step per interval, each step at its own time', () => {
    const market = dutch();
    expect(market.view()).toMatchObject({ kind: 'dutch', priceMinor: 1_000, minimumBidMinor: null, dutch: { nextStepAtMs: 2_000, nextPriceMinor: 900 } });
    expect(market.engine.nextDeadlineMs()).toBe(2_000);
    // One late tick settles every step due, each at its own time.
    expect(drops(market.tickAt(4_500))).toEqual([
      { priceMinor: 900, atMs: 2_000 },
      { priceMinor: 800, atMs: 3_000 },
      { priceMinor: 700, atMs: 4_000 },
    ]);
    expect(market.view()).toMatchObject({ priceMinor: 700, dutch: { nextStepAtMs: 5_000 } });
  });

  it('stops at the floor and waits there', () => {
    const market = dutch();
    const events = market.tickAt(60_000);
    expect(drops(events).map((drop) => drop.priceMinor)).toEqual([900, 800, 700, 600]);
    expect(eventOf(events, 'auction_price_dropped' as const)).toMatchObject({ previousPriceMinor: 1_000 });
    expect(market.view()).toMatchObject({ priceMinor: 600, dutch: { nextStepAtMs: null, nextPriceMinor: null } });
    expect(market.engine.nextDeadlineMs()).toBeNull();
  });

  it('starts the clock at the offer start when that is later', () => {
    const market = dutch({ startMs: 10_000 });
    market.refused({ type: 'accept_price', shopperId: 'alice', offerId: 'a1' }, 'offer_not_started');
    expect(drops(market.tickAt(11_000))).toEqual([{ priceMinor: 900, atMs: 11_000 }]);
  });

  it('keeps falling while the offer is paused, and takes no acceptance then', () => {
    const market = dutch();
    market.ok({ type: 'pause_offer', merchantId: 'm1', offerId: 'a1' });
    expect(drops(market.tickAt(3_000)).map((drop) => drop.priceMinor)).toEqual([900, 800]);
    market.refused({ type: 'accept_price', shopperId: 'alice', offerId: 'a1' }, 'offer_paused');
    expect(market.view().priceMinor).toBe(800);
  });
});

describe('accepting', () => {
  it('sells at the clock price to the first to accept, closing the auction and the offer', () => {
    const market = dutch();
    market.nowMs = 3_500;
    const { result, events } = market.send({ type: 'accept_price', shopperId: 'alice', offerId: 'a1' });
    expect(result).toMatchObject({ ok: true, auction: { kind: 'dutch', priceMinor: 800, closed: true } });
    expect(events.map((event) => event.type)).toEqual(['auction_price_dropped', 'auction_price_dropped', 'auction_closed', 'offer_closed', 'stock_changed']);
    expect(eventOf(events, 'auction_closed')).toMatchObject({ reason: 'accepted', clearingPriceMinor: 800, winners: [{ shopperId: 'alice', bidderNo: null, paidMinor: 800 }] });
    market.refused({ type: 'accept_price', shopperId: 'bob', offerId: 'a1' }, 'auction_closed');
    // No clock step any more: only the closed offer's retirement from memory is due.
    expect(market.engine.nextDeadlineMs()).toBe(market.nowMs + DEFAULT_CONFIG.closedOfferRetentionMs);
  });

  it('refuses an acceptance above the shopper exposure', () => {
    const market = dutch();
    market.refused({ type: 'accept_price', shopperId: 'alice', offerId: 'a1', exposureLimitMinor: 999 }, 'exposure_exceeded');
    market.ok({ type: 'accept_price', shopperId: 'alice', offerId: 'a1', exposureLimitMinor: 1_000 });
  });

  it('takes no bids', () => {
    const market = dutch();
    market.refused({ type: 'place_bid', shopperId: 'alice', offerId: 'a1', maxBidMinor: 900 }, 'wrong_mechanism');
  });

  it('sells nothing when the offer ends without a taker, and the step due at the end does not happen', () => {
    const market = dutch({ endMs: 4_000 });
    const events = market.tickAt(10_000);
    expect(drops(events).map((drop) => drop.atMs)).toEqual([2_000, 3_000]);
    expect(eventOf(events, 'auction_closed')).toMatchObject({ reason: 'ended', winners: [], clearingPriceMinor: null });
  });
});

describe('settings', () => {
  it.each([
    ['no clock', {}, 1_000],
    ['a floor above the base price', { dutch: { ...CLOCK, floorPriceMinor: 1_001 } }, 1_000],
    ['more than 10 000 steps to the floor', { dutch: { floorPriceMinor: 0, stepMinor: 1, stepIntervalMs: 1_000 } }, 10_001],
    ['a reserve', { dutch: CLOCK, reservePriceMinor: 700 }, 1_000],
    ['soft close', { dutch: CLOCK, softClose: { windowMs: 1, extendMs: 1, maxExtensions: 1 } }, 1_000],
    ['a buy-now price', { dutch: CLOCK, buyNowPriceMinor: 2_000 }, 1_000],
  ])('refuses a Dutch auction with %s', (_name, mechanism, basePriceMinor) => {
    const market = new AuctionMarket();
    market.tickAt(1_000);
    const create = { type: 'create_offer', merchantId: 'm1', offerId: 'a1', title: 'Tulips', currency: 'CNY', inventory: 1, basePriceMinor };
    market.refused({ ...create, mechanism: { type: 'auction', kind: 'dutch', ...mechanism } }, 'invalid_settings');
  });

  it('takes a clock of exactly 10 000 steps', () => {
    const market = new AuctionMarket();
    market.createAuction('dutch', { dutch: { floorPriceMinor: 0, stepMinor: 1, stepIntervalMs: 1_000 } }, { basePriceMinor: 10_000 });
  });

  it('fixes the start price: base price edits are refused', () => {
    const market = dutch();
    market.refused({ type: 'edit_offer', merchantId: 'm1', offerId: 'a1', patch: { basePriceMinor: 2_000 } }, 'edit_breaks_promise');
  });
});
