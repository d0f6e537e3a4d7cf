// Unit tests of what every auction shares (docs/auctions.md): who may bid and when, exposure, bounds, settings,
// edits, idempotency and snapshots.
import { describe, expect, it } from 'vitest';
import { Engine, parseCommand, type Command } from '../../engine/index.ts';
import { AuctionMarket, END_MS, eventOf } from './auction-fixtures.ts';

const AUCTION_BIDDERS_MAX = 10_000;

function english(mechanism: Record<string, unknown> = {}, offer: Record<string, unknown> = {}): AuctionMarket {
  const market = new AuctionMarket();
  market.createAuction('english', mechanism, offer);
  return market;
}

function command(raw: Record<string, unknown>): Command {
  const parsed = parseCommand(raw);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.command;
}

describe('who may bid, and when', () => {
  it('refuses the offer merchant bidding on their own auction', () => {
    const market = english();
    market.refused({ type: 'place_bid', shopperId: 'm1', offerId: 'a1', maxBidMinor: 2_000 }, 'own_offer');
  });

  it('refuses bids while the offer is paused, and takes them again once resumed', () => {
    const market = english();
    market.ok({ type: 'pause_offer', merchantId: 'm1', offerId: 'a1' });
    market.refused({ type: 'place_bid', shopperId: 'alice', offerId: 'a1', maxBidMinor: 2_000 }, 'offer_paused');
    market.ok({ type: 'resume_offer', merchantId: 'm1', offerId: 'a1' });
    market.bid('alice', 2_000);
  });

  it('closes a paused auction at its end all the same', () => {
    const market = english();
    market.bid('alice', 2_000);
    market.ok({ type: 'pause_offer', merchantId: 'm1', offerId: 'a1' });
    expect(eventOf(market.tickAt(END_MS), 'auction_closed')).toMatchObject({ winners: [{ shopperId: 'alice' }] });
  });

  it('refuses bids before the offer starts', () => {
    const market = english({}, { startMs: 5_000 });
    market.refused({ type: 'place_bid', shopperId: 'alice', offerId: 'a1', maxBidMinor: 2_000 }, 'offer_not_started');
    market.nowMs = 5_000;
    market.bid('alice', 2_000);
  });

  it('refuses auction commands on offers that are not auctions, and group commands on auctions', () => {
    const market = english();
    market.ok({
      type: 'create_offer',
      merchantId: 'm1',
      offerId: 'g1',
      title: 'Tea',
      currency: 'CNY',
      inventory: 10,
      basePriceMinor: 1_000,
      mechanism: { type: 'group', minSize: 2, windowMs: 60_000 },
    });
    market.refused({ type: 'place_bid', shopperId: 'alice', offerId: 'g1', maxBidMinor: 2_000 }, 'wrong_mechanism');
    market.refused({ type: 'open_group', shopperId: 'alice', offerId: 'a1' }, 'wrong_mechanism');
    market.refused({ type: 'accept_price', shopperId: 'alice', offerId: 'a1' }, 'wrong_mechanism');
    market.refused({ type: 'place_bid', shopperId: 'alice', offerId: 'nope', maxBidMinor: 2_000 }, 'unknown_offer');
  });

  it('refuses a bid above the exposure the gateway vouches for, and takes one at it', () => {
    const market = english({ buyNowPriceMinor: 5_000 });
    market.refused({ type: 'buy_now', shopperId: 'alice', offerId: 'a1', exposureLimitMinor: 4_999 }, 'exposure_exceeded');
    market.refused({ type: 'place_bid', shopperId: 'alice', offerId: 'a1', maxBidMinor: 3_001, exposureLimitMinor: 3_000 }, 'exposure_exceeded');
    market.bid('alice', 3_000, { exposureLimitMinor: 3_000 });
  });

  it('checks the bid before the exposure, so a low bid is told it is too low', () => {
    const market = english();
    market.refused({ type: 'place_bid', shopperId: 'alice', offerId: 'a1', maxBidMinor: 500, exposureLimitMinor: 100 }, 'bid_too_low');
  });

  it(`takes at most ${AUCTION_BIDDERS_MAX} bidders, while those already in may still raise`, () => {
    const market = english();
    const { engine } = market;
    for (let i = 0; i < AUCTION_BIDDERS_MAX; i++) {
      const result = engine.apply(command({ type: 'place_bid', nowMs: 2_000, shopperId: `s${i}`, offerId: 'a1', maxBidMinor: 1_000 + i * 100 })).result;
      if (!result.ok) throw new Error(`bid ${i} refused: ${result.code}`);
    }
    market.nowMs = 2_000;
    market.refused({ type: 'place_bid', shopperId: 'newcomer', offerId: 'a1', maxBidMinor: 100_000_000 }, 'too_many_bids');
    market.bid('s0', 100_000_000);
    expect(market.view()).toMatchObject({ bidders: AUCTION_BIDDERS_MAX, leaderNo: 1 });
  });
});

describe('settings', () => {
  const base = { type: 'create_offer', merchantId: 'm1', offerId: 'a1', title: 'Vase', currency: 'CNY', inventory: 1, basePriceMinor: 1_000, endMs: END_MS };

  it.each([
    ['two units in an English auction', { inventory: 2 }, {}],
    ['no units in a uniform auction', { inventory: 0 }, { kind: 'uniform' }],
    ['no end', { endMs: undefined }, {}],
    ['increments not from 0', {}, { increments: [{ fromMinor: 10, stepMinor: 5 }] }],
    ['increments out of order', {}, { increments: [{ fromMinor: 0, stepMinor: 5 }, { fromMinor: 0, stepMinor: 10 }] }],
    ['buy-now on a sealed auction', {}, { kind: 'vickrey', buyNowPriceMinor: 5_000 }],
    ['buy-now below the reserve', {}, { reservePriceMinor: 6_000, buyNowPriceMinor: 5_000 }],
    ['buy-now below the opening price', {}, { buyNowPriceMinor: 999 }],
    ['a Dutch clock on an English auction', {}, { dutch: { floorPriceMinor: 1, stepMinor: 1, stepIntervalMs: 1 } }],
  ])('refuses %s', (_name, offer, mechanism) => {
    const market = new AuctionMarket();
    market.tickAt(1_000);
    market.refused({ ...base, ...offer, mechanism: { type: 'auction', kind: 'english', ...mechanism } }, 'invalid_settings');
  });
});

describe('edits', () => {
  it('keeps the end: it cannot be removed, nor brought earlier once there are bids', () => {
    const market = english();
    market.refused({ type: 'edit_offer', merchantId: 'm1', offerId: 'a1', patch: { endMs: null } }, 'invalid_settings');
    market.ok({ type: 'edit_offer', merchantId: 'm1', offerId: 'a1', patch: { endMs: 90_000 } });
    market.bid('alice', 2_000);
    market.refused({ type: 'edit_offer', merchantId: 'm1', offerId: 'a1', patch: { endMs: 80_000 } }, 'edit_breaks_promise');
    market.ok({ type: 'edit_offer', merchantId: 'm1', offerId: 'a1', patch: { endMs: 95_000 } });
    expect(eventOf(market.tickAt(95_000), 'auction_closed')).toMatchObject({ atMs: 95_000 });
  });

  it('keeps the opening price once there are bids, and below the buy-now price before', () => {
    const market = english({ buyNowPriceMinor: 5_000 });
    market.refused({ type: 'edit_offer', merchantId: 'm1', offerId: 'a1', patch: { basePriceMinor: 5_001 } }, 'invalid_settings');
    market.ok({ type: 'edit_offer', merchantId: 'm1', offerId: 'a1', patch: { basePriceMinor: 1_500 } });
    market.bid('alice', 2_000);
    market.refused({ type: 'edit_offer', merchantId: 'm1', offerId: 'a1', patch: { basePriceMinor: 1_000 } }, 'edit_breaks_promise');
  });

  it('keeps one unit in a single-unit auction, and a uniform auction its units once bid on', () => {
    const single = english();
    single.refused({ type: 'edit_offer', merchantId: 'm1', offerId: 'a1', patch: { inventory: 2 } }, 'invalid_settings');
    const market = new AuctionMarket();
    market.createAuction('uniform', {}, { inventory: 3 });
    market.ok({ type: 'edit_offer', merchantId: 'm1', offerId: 'a1', patch: { inventory: 4 } });
    market.bid('alice', 2_000, { qty: 2 });
    market.refused({ type: 'edit_offer', merchantId: 'm1', offerId: 'a1', patch: { inventory: 5 } }, 'edit_breaks_promise');
    market.refused({ type: 'edit_offer', merchantId: 'm1', offerId: 'a1', patch: { perShopperLimit: 1 } }, 'edit_breaks_promise');
    market.ok({ type: 'edit_offer', merchantId: 'm1', offerId: 'a1', patch: { perShopperLimit: 2 } });
  });

  it('refuses group-buy settings on an auction', () => {
    const market = english();
    market.refused({ type: 'edit_offer', merchantId: 'm1', offerId: 'a1', patch: { leaderDiscountBps: 100 } }, 'invalid_settings');
  });
});

describe('idempotency and snapshots', () => {
  it('answers a retried bid with its first result and counts it once', () => {
    const market = english();
    const first = market.bid('alice', 2_000, { idempotencyKey: 'k1' });
    const { result, events } = market.send({ type: 'place_bid', shopperId: 'alice', offerId: 'a1', maxBidMinor: 2_000, idempotencyKey: 'k1' });
    expect(result).toEqual(first);
    expect(events).toEqual([]);
    expect(market.view().bids).toBe(1);
  });

  it('restores mid-auction to the same hash and the same future', () => {
    const market = english({ softClose: { windowMs: 10_000, extendMs: 5_000, maxExtensions: 3 } });
    market.createAuction('dutch', { dutch: { floorPriceMinor: 100, stepMinor: 100, stepIntervalMs: 7_000 } }, { offerId: 'd1' });
    market.bid('alice', 3_000);
    market.bid('bob', 2_500);
    const restored = Engine.restore(JSON.parse(JSON.stringify(market.engine.snapshot())));
    expect(restored.stateHash()).toBe(market.engine.stateHash());
    const future = [
      { type: 'place_bid', nowMs: 95_000, shopperId: 'carol', offerId: 'a1', maxBidMinor: 4_000 },
      { type: 'tick', nowMs: 99_000 },
      { type: 'accept_price', nowMs: 99_500, shopperId: 'dave', offerId: 'd1' },
      { type: 'place_bid', nowMs: 101_000, shopperId: 'alice', offerId: 'a1', maxBidMinor: 5_000 },
      { type: 'tick', nowMs: 200_000 },
    ];
    for (const raw of future) {
      const a = market.engine.submit(raw);
      const b = restored.submit(raw);
      expect(b).toEqual(a);
      expect(restored.stateHash()).toBe(market.engine.stateHash());
    }
    expect(restored.checkInvariants()).toEqual([]);
    expect(restored.auction('a1')?.outcome).toMatchObject({ clearingPriceMinor: 4_001 });
  });
});
