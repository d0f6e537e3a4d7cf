// Unit tests of sealed-bid auctions (docs/auctions.md): Vickrey (second price) and uniform-price (k units).
import { describe, expect, it } from 'vitest';
import { AuctionMarket, END_MS, eventOf } from './auction-fixtures.ts';

function vickrey(mechanism: Record<string, unknown> = {}): AuctionMarket {
  const market = new AuctionMarket();
  market.createAuction('vickrey', mechanism);
  return market;
}

function uniform(units: number, mechanism: Record<string, unknown> = {}, offer: Record<string, unknown> = {}): AuctionMarket {
  const market = new AuctionMarket();
  market.createAuction('uniform', mechanism, { inventory: units, ...offer });
  return market;
}

describe('Vickrey', () => {
  it('sells to the highest bid at the second-highest', () => {
    const market = vickrey();
    market.bid('alice', 5_000);
    market.bid('bob', 7_000);
    market.bid('carol', 6_000);
    const closed = eventOf(market.tickAt(END_MS), 'auction_closed');
    expect(closed).toMatchObject({ kind: 'vickrey', reserveMet: true, clearingPriceMinor: 6_000, winners: [{ shopperId: 'bob', bidderNo: 2, paidMinor: 6_000 }] });
  });

  it('gives equal bids to the earlier one, who then pays that same amount', () => {
    const market = vickrey();
    market.bid('alice', 5_000);
    market.bid('bob', 5_000);
    const closed = eventOf(market.tickAt(END_MS), 'auction_closed');
    expect(closed).toMatchObject({ clearingPriceMinor: 5_000, winners: [{ shopperId: 'alice' }] });
  });

  it('charges a lone bidder the reserve or the opening price, whichever is higher', () => {
    const market = vickrey({ reservePriceMinor: 3_000 });
    market.bid('alice', 9_000);
    expect(eventOf(market.tickAt(END_MS), 'auction_closed')).toMatchObject({ clearingPriceMinor: 3_000 });
    const noReserve = vickrey();
    noReserve.bid('alice', 9_000);
    expect(eventOf(noReserve.tickAt(END_MS), 'auction_closed')).toMatchObject({ clearingPriceMinor: 1_000 });
  });

  it('sells nothing when the highest bid is below the reserve', () => {
    const market = vickrey({ reservePriceMinor: 10_000 });
    market.bid('alice', 9_000);
    expect(eventOf(market.tickAt(END_MS), 'auction_closed')).toMatchObject({ reserveMet: false, clearingPriceMinor: null, winners: [] });
  });

  it('keeps bids sealed: no amount, no leader, no reserve status in events or the view', () => {
    const market = vickrey({ reservePriceMinor: 2_000 });
    const events = market.bidEvents('alice', 5_000);
    expect(eventOf(events, 'bid_placed')).toMatchObject({ priceMinor: null, leaderNo: null, reserveMet: null, outbidShopperId: null, bidders: 1 });
    expect(market.view()).toMatchObject({ priceMinor: null, leaderNo: null, reserveMet: null, bidders: 1, minimumBidMinor: 1_000 });
    market.bid('bob', 6_000);
    expect(JSON.stringify(market.view())).not.toMatch(/5000|6000/);
  });

  it('takes one bid per shopper, raised only, and none below the opening price', () => {
    const market = vickrey();
    market.refused({ type: 'place_bid', shopperId: 'alice', offerId: 'a1', maxBidMinor: 999 }, 'bid_too_low');
    market.bid('alice', 5_000);
    market.refused({ type: 'place_bid', shopperId: 'alice', offerId: 'a1', maxBidMinor: 5_000 }, 'bid_too_low');
    market.bid('alice', 5_500);
    expect(market.view()).toMatchObject({ bidders: 1, bids: 2 });
  });

  it('refuses buy-now and accept_price as commands of other kinds', () => {
    const market = vickrey();
    market.refused({ type: 'buy_now', shopperId: 'alice', offerId: 'a1' }, 'wrong_mechanism');
    market.refused({ type: 'accept_price', shopperId: 'alice', offerId: 'a1' }, 'wrong_mechanism');
  });
});

describe('uniform price', () => {
  it('fills the k highest units and charges every winner the highest losing bid', () => {
    const market = uniform(3);
    market.bid('alice', 5_000, { qty: 2 });
    market.bid('bob', 4_000, { qty: 1 });
    market.bid('carol', 3_000, { qty: 2 });
    const closed = eventOf(market.tickAt(END_MS), 'auction_closed');
    expect(closed).toMatchObject({
      kind: 'uniform',
      clearingPriceMinor: 3_000,
      unitsSold: 3,
      winners: [
        { shopperId: 'alice', qty: 2, unitPriceMinor: 3_000, paidMinor: 6_000, orderId: 'a1/alice' },
        { shopperId: 'bob', qty: 1, unitPriceMinor: 3_000, paidMinor: 3_000 },
      ],
    });
    expect(market.engine.offer('a1')).toMatchObject({ soldUnits: 3, heldUnits: 0 });
  });

  it('fills the marginal bid in part, and its unfilled units set the price', () => {
    const market = uniform(3);
    market.bid('alice', 5_000, { qty: 2 });
    market.bid('bob', 4_000, { qty: 2 });
    market.bid('carol', 3_000, { qty: 1 });
    const closed = eventOf(market.tickAt(END_MS), 'auction_closed');
    expect(closed).toMatchObject({
      clearingPriceMinor: 4_000,
      winners: [
        { shopperId: 'alice', qty: 2, paidMinor: 8_000 },
        { shopperId: 'bob', qty: 1, paidMinor: 4_000 },
      ],
    });
  });

  it('ranks equal prices by who bid first', () => {
    const market = uniform(1);
    market.bid('alice', 5_000);
    market.bid('bob', 5_000);
    expect(eventOf(market.tickAt(END_MS), 'auction_closed')).toMatchObject({ clearingPriceMinor: 5_000, winners: [{ shopperId: 'alice', qty: 1 }] });
  });

  it('charges the reserve (or the opening price) when demand does not exceed the units', () => {
    const market = uniform(5, { reservePriceMinor: 2_500 });
    market.bid('alice', 5_000, { qty: 2 });
    market.bid('bob', 2_000, { qty: 2 });
    const closed = eventOf(market.tickAt(END_MS), 'auction_closed');
    expect(closed).toMatchObject({ clearingPriceMinor: 2_500, unitsSold: 2, winners: [{ shopperId: 'alice', qty: 2 }] });
  });

  it('lets a bid be raised in price or units, never lowered in either', () => {
    const market = uniform(5);
    market.bid('alice', 3_000, { qty: 2 });
    market.refused({ type: 'place_bid', shopperId: 'alice', offerId: 'a1', maxBidMinor: 3_500, qty: 1 }, 'bid_too_low');
    market.refused({ type: 'place_bid', shopperId: 'alice', offerId: 'a1', maxBidMinor: 3_000, qty: 2 }, 'bid_too_low');
    market.bid('alice', 3_000, { qty: 3 });
    market.bid('alice', 3_200, { qty: 3 });
  });

  it('refuses more units than are on sale, and more than the per-shopper limit', () => {
    const market = uniform(3, {}, { perShopperLimit: 2 });
    market.refused({ type: 'place_bid', shopperId: 'alice', offerId: 'a1', maxBidMinor: 3_000, qty: 4 }, 'sold_out');
    market.refused({ type: 'place_bid', shopperId: 'alice', offerId: 'a1', maxBidMinor: 3_000, qty: 3 }, 'limit_exceeded');
    market.bid('alice', 3_000, { qty: 2 });
  });

  it('weighs exposure as price times units', () => {
    const market = uniform(3);
    market.refused({ type: 'place_bid', shopperId: 'alice', offerId: 'a1', maxBidMinor: 3_000, qty: 3, exposureLimitMinor: 8_999 }, 'exposure_exceeded');
    market.bid('alice', 3_000, { qty: 3, exposureLimitMinor: 9_000 });
  });
});
