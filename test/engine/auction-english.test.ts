// Unit tests of English auctions (docs/auctions.md): proxy bidding, increments, reserve, buy-now, soft close and
// the close. One rule per test.
import { describe, expect, it } from 'vitest';
import { AuctionMarket, END_MS, eventOf } from './auction-fixtures.ts';

const BANDS = [
  { fromMinor: 0, stepMinor: 100 },
  { fromMinor: 5_000, stepMinor: 500 },
];

function english(mechanism: Record<string, unknown> = {}, offer: Record<string, unknown> = {}): AuctionMarket {
  const market = new AuctionMarket();
  market.createAuction('english', { increments: BANDS, ...mechanism }, offer);
  return market;
}

describe('proxy bidding', () => {
  it('takes a first bid at the opening price, and the price stays there with one bidder', () => {
    const market = english();
    market.refused({ type: 'place_bid', shopperId: 'alice', offerId: 'a1', maxBidMinor: 999 }, 'bid_too_low');
    const result = market.bid('alice', 3_000);
    expect(result.auction).toMatchObject({ kind: 'english', bidMinor: 3_000, leading: true, priceMinor: 1_000, closed: false, endMs: END_MS });
    expect(market.view()).toMatchObject({ priceMinor: 1_000, leaderNo: 1, bidders: 1, bids: 1, minimumBidMinor: 1_100 });
  });

  it('bids for the leader up to the challenger plus the increment, never above the leader maximum', () => {
    const market = english();
    market.bid('alice', 3_000);
    const events = market.bidEvents('bob', 2_000);
    expect(eventOf(events, 'bid_placed')).toMatchObject({ shopperId: 'bob', bidderNo: 2, priceMinor: 2_100, leaderNo: 1, outbidShopperId: null });
    market.bid('carol', 2_950);
    expect(market.view()).toMatchObject({ priceMinor: 3_000, leaderNo: 1 });
  });

  it('moves the lead to a higher maximum and tells the old leader privately', () => {
    const market = english();
    market.bid('alice', 3_000);
    const result = market.bid('bob', 4_000);
    expect(result.auction).toMatchObject({ leading: true, priceMinor: 3_100 });
    const { events } = market.send({ type: 'place_bid', shopperId: 'alice', offerId: 'a1', maxBidMinor: 4_500 });
    expect(eventOf(events, 'bid_placed')).toMatchObject({ leaderNo: 1, outbidShopperId: 'bob', priceMinor: 4_100 });
  });

  it('gives equal maxima to the earlier bidder, at that maximum', () => {
    const market = english();
    market.bid('alice', 3_000);
    const result = market.bid('bob', 3_000);
    expect(result.auction).toMatchObject({ leading: false, priceMinor: 3_000 });
    expect(market.view().leaderNo).toBe(1);
  });

  it('uses the increment of the band the price is in', () => {
    const market = english();
    market.bid('alice', 9_000);
    market.bid('bob', 6_000);
    expect(market.view()).toMatchObject({ priceMinor: 6_500, minimumBidMinor: 7_000 });
    market.refused({ type: 'place_bid', shopperId: 'carol', offerId: 'a1', maxBidMinor: 6_999 }, 'bid_too_low');
    market.bid('carol', 7_000);
    expect(market.view().priceMinor).toBe(7_500);
  });

  it('lets the leader raise their own maximum without moving the price, but never lower it', () => {
    const market = english();
    market.bid('alice', 3_000);
    market.bid('bob', 2_000);
    const result = market.bid('alice', 8_000);
    expect(result.auction).toMatchObject({ leading: true, priceMinor: 2_100 });
    market.refused({ type: 'place_bid', shopperId: 'alice', offerId: 'a1', maxBidMinor: 8_000 }, 'bid_too_low');
  });

  it('refuses a second unit: an English auction sells one', () => {
    const market = english();
    market.refused({ type: 'place_bid', shopperId: 'alice', offerId: 'a1', maxBidMinor: 3_000, qty: 2 }, 'sold_out');
  });
});

describe('reserve', () => {
  it('jumps the price to the reserve when a maximum meets it, and keeps the reserve amount hidden', () => {
    const market = english({ reservePriceMinor: 5_000 });
    const first = market.bidEvents('alice', 4_000);
    expect(market.view()).toMatchObject({ priceMinor: 1_000, hasReserve: true, reserveMet: false });
    // Unmet, the reserve shows nowhere a watcher can look.
    expect(JSON.stringify([market.view(), first])).not.toContain('5000');
    const events = market.bidEvents('bob', 6_000);
    expect(eventOf(events, 'bid_placed')).toMatchObject({ priceMinor: 5_000, reserveMet: true });
  });

  it('moves the price to the reserve when the leader raises their maximum to meet it', () => {
    const market = english({ reservePriceMinor: 5_000 });
    market.bid('alice', 4_000);
    market.bid('alice', 5_200);
    expect(market.view()).toMatchObject({ priceMinor: 5_000, reserveMet: true });
  });

  it('sells nothing when the reserve is not met at the end', () => {
    const market = english({ reservePriceMinor: 5_000 });
    market.bid('alice', 4_000);
    const closed = eventOf(market.tickAt(END_MS), 'auction_closed');
    expect(closed).toMatchObject({ reason: 'ended', reserveMet: false, clearingPriceMinor: null, unitsSold: 0, winners: [] });
    expect(market.engine.offer('a1')).toMatchObject({ status: 'closed', soldUnits: 0 });
  });
});

describe('buy-now', () => {
  it('sells at the buy-now price before the first bid, closing the auction and its offer', () => {
    const market = english({ buyNowPriceMinor: 20_000 });
    expect(market.view().buyNowPriceMinor).toBe(20_000);
    market.nowMs = 5_000;
    const { result, events } = market.send({ type: 'buy_now', shopperId: 'alice', offerId: 'a1' });
    expect(result).toMatchObject({ ok: true, auction: { priceMinor: 20_000, closed: true } });
    expect(events.map((event) => event.type)).toEqual(['auction_closed', 'offer_closed', 'stock_changed']);
    expect(eventOf(events, 'auction_closed')).toMatchObject({
      reason: 'buy_now',
      clearingPriceMinor: 20_000,
      winners: [{ shopperId: 'alice', bidderNo: null, orderId: 'a1/alice', qty: 1, unitPriceMinor: 20_000, paidMinor: 20_000 }],
    });
    expect(market.engine.offer('a1')).toMatchObject({ status: 'closed', soldUnits: 1, endMs: 5_000 });
    market.refused({ type: 'place_bid', shopperId: 'bob', offerId: 'a1', maxBidMinor: 30_000 }, 'auction_closed');
  });

  it('is off after the first bid when there is no reserve', () => {
    const market = english({ buyNowPriceMinor: 20_000 });
    market.bid('alice', 3_000);
    expect(market.view().buyNowPriceMinor).toBeNull();
    market.refused({ type: 'buy_now', shopperId: 'bob', offerId: 'a1' }, 'buy_now_unavailable');
  });

  it('stays on while the reserve is unmet, and goes off once a maximum meets it', () => {
    const market = english({ reservePriceMinor: 5_000, buyNowPriceMinor: 20_000 });
    market.bid('alice', 4_000);
    expect(market.view().buyNowPriceMinor).toBe(20_000);
    market.bid('bob', 6_000);
    market.refused({ type: 'buy_now', shopperId: 'carol', offerId: 'a1' }, 'buy_now_unavailable');
  });

  it('is unavailable when the auction has no buy-now price', () => {
    const market = english();
    market.refused({ type: 'buy_now', shopperId: 'alice', offerId: 'a1' }, 'buy_now_unavailable');
  });

  it('names the bidder who bought now by their alias', () => {
    const market = english({ reservePriceMinor: 5_000, buyNowPriceMinor: 20_000 });
    market.bid('alice', 4_000);
    const { events } = market.send({ type: 'buy_now', shopperId: 'alice', offerId: 'a1' });
    expect(eventOf(events, 'auction_closed').winners[0]).toMatchObject({ shopperId: 'alice', bidderNo: 1 });
  });
});

describe('soft close', () => {
  const softClose = { windowMs: 5_000, extendMs: 10_000, maxExtensions: 2 };

  it('extends the end by a bid inside the window, queueing the new end and leaving the old one stale', () => {
    const market = english({ softClose });
    market.nowMs = END_MS - 6_000;
    expect(market.bidEvents('alice', 2_000).map((event) => event.type)).toEqual(['bid_placed']);
    market.nowMs = END_MS - 5_000;
    const events = market.bidEvents('bob', 3_000);
    expect(eventOf(events, 'auction_extended')).toMatchObject({ endMs: END_MS + 10_000, previousEndMs: END_MS, extensionsUsed: 1 });
    expect(market.engine.offer('a1')?.endMs).toBe(END_MS + 10_000);
    expect(market.engine.nextDeadlineMs()).toBe(END_MS + 10_000);
    expect(market.tickAt(END_MS)).toEqual([]);
    expect(eventOf(market.tickAt(END_MS + 10_000), 'auction_closed')).toMatchObject({ reason: 'ended', winners: [{ shopperId: 'bob' }] });
  });

  it('extends at most maxExtensions times', () => {
    const market = english({ softClose });
    let end = END_MS;
    for (let i = 0; i < 3; i++) {
      market.nowMs = end - 1;
      market.bid(`s${i}`, 2_000 + i * 1_000);
      end = market.engine.offer('a1')!.endMs!;
    }
    expect(end).toBe(END_MS + 20_000);
    expect(market.view()).toMatchObject({ extensionsUsed: 2, maxExtensions: 2 });
  });
});

describe('the close', () => {
  it('sells to the leader at the public price with one order, releasing everyone else', () => {
    const market = english();
    market.bid('alice', 3_000);
    market.bid('bob', 2_000);
    const events = market.tickAt(END_MS);
    expect(events.map((event) => event.type)).toEqual(['auction_closed', 'offer_closed', 'stock_changed']);
    expect(eventOf(events, 'auction_closed')).toMatchObject({
      kind: 'english',
      reason: 'ended',
      reserveMet: true,
      clearingPriceMinor: 2_100,
      unitsSold: 1,
      winners: [{ shopperId: 'alice', bidderNo: 1, orderId: 'a1/alice', qty: 1, unitPriceMinor: 2_100, paidMinor: 2_100 }],
      bidders: 2,
      bids: 2,
      atMs: END_MS,
    });
    expect(market.engine.offer('a1')).toMatchObject({ status: 'closed', heldUnits: 0, soldUnits: 1 });
    expect(market.view()).toMatchObject({ status: 'closed', minimumBidMinor: null, outcome: { reason: 'ended', winners: 1 } });
  });

  it('counts a bid sequenced before the close and refuses one at the end, after the close it sees', () => {
    const market = english();
    market.bid('alice', 2_000);
    market.nowMs = END_MS - 1;
    market.bid('bob', 3_000);
    market.nowMs = END_MS;
    const before = market.engine.snapshot();
    const { result, events } = market.send({ type: 'place_bid', shopperId: 'carol', offerId: 'a1', maxBidMinor: 9_000 });
    expect(result.ok ? 'accepted' : result.code).toBe('auction_closed');
    expect(events.map((event) => event.type)).toEqual(['auction_closed', 'offer_closed', 'stock_changed']);
    expect(eventOf(events, 'auction_closed').winners[0]).toMatchObject({ shopperId: 'bob', unitPriceMinor: 2_100 });
    expect(before.offers[0]?.status).toBe('active');
  });

  it('settles by the bids when the merchant closes the offer early', () => {
    const market = english();
    market.bid('alice', 3_000);
    const { events } = market.send({ type: 'close_offer', merchantId: 'm1', offerId: 'a1' });
    expect(eventOf(events, 'auction_closed')).toMatchObject({ reason: 'offer_closed', winners: [{ shopperId: 'alice', unitPriceMinor: 1_000 }] });
    market.refused({ type: 'place_bid', shopperId: 'bob', offerId: 'a1', maxBidMinor: 5_000 }, 'auction_closed');
  });

  it('closes with no winner and no order when nobody bid', () => {
    const market = english();
    expect(eventOf(market.tickAt(END_MS), 'auction_closed')).toMatchObject({ reserveMet: false, winners: [], bidders: 0 });
  });
});
