// Auctions over real sockets: a bidding war with soft-close extensions watched live, private bid amounts, outbid
// notices and winnings only on each bidder's own channel, sealed bids staying sealed, a Dutch clock stepping by
// the gateway's own deadline timer, the exposure limit a token vouches for, and refusals of bad input.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine, type CommandInput } from '../../engine/index.ts';
import { ManualClock, startHarness, START_MS, type Harness } from './helpers/harness.ts';
import type { Message, TestClient } from './helpers/ws-client.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

let auctionCounter = 0;

/** Lists an auction of merchant A over HTTP and returns its id. */
async function listAuction(mechanism: Record<string, unknown>, fields: Record<string, unknown> = {}): Promise<string> {
  const offerId = `auction-${++auctionCounter}`;
  const answer = await h.http('POST', '/v1/offers', {
    key: h.merchants.a.key,
    body: { offerId, title: 'Old watch', currency: 'CNY', inventory: 1, basePriceMinor: 1_000, endMs: h.clock.nowMs + 60_000, mechanism: { type: 'auction', ...mechanism }, ...fields },
  });
  if (answer.status !== 201) throw new Error(`listing failed: ${answer.status} ${JSON.stringify(answer.body)}`);
  return offerId;
}

const eventsOf = (client: TestClient, channel: string): Message[] => client.deltas(channel).map((d) => d.event);

const PRIVATE_AUCTION_FIELDS = ['shopperId', 'bidMinor', 'qty', 'outbidShopperId', 'orderId', 'paidMinor', 'won'];

describe('an English bidding war with soft close', () => {
  it('streams prices, extensions and the close to watchers, and amounts only to each bidder', async () => {
    const offerId = await listAuction({
      kind: 'english',
      reservePriceMinor: 1_500,
      increments: [{ fromMinor: 0, stepMinor: 100 }],
      softClose: { windowMs: 10_000, extendMs: 10_000, maxExtensions: 2 },
    });
    const channel = `offer:${offerId}`;
    const endMs = h.clock.nowMs + 60_000;
    const watcher = await h.connect();
    const subscribed = await watcher.ok({ type: 'subscribe', channel });
    expect(subscribed.snapshot.offer.auction).toMatchObject({ kind: 'english', status: 'open', minimumBidMinor: 1_000, hasReserve: true, reserveMet: false, endMs });
    // The reserve's amount is the merchant's secret; watchers learn only whether it is met.
    expect(subscribed.snapshot.offer.mechanism).not.toHaveProperty('reservePriceMinor');

    const alice = await h.shopper('alice');
    const bob = await h.shopper('bob');
    await alice.ok({ type: 'subscribe', channel: 'shopper:alice' });
    await bob.ok({ type: 'subscribe', channel: 'shopper:bob' });
    await bob.ok({ type: 'subscribe', channel });

    const first = await alice.ok({ type: 'place_bid', offerId, maxBidMinor: 2_000 });
    expect(first.result.auction).toMatchObject({ leading: true, priceMinor: 1_500, bidMinor: 2_000, closed: false });
    const second = await bob.ok({ type: 'place_bid', offerId, maxBidMinor: 2_500 });
    expect(second.result.auction).toMatchObject({ leading: true, priceMinor: 2_100 });
    const outbid = await alice.waitFor((m) => m.type === 'delta' && m.channel === 'shopper:alice' && m.event.outbidShopperId === 'alice', 'outbid notice');
    expect(outbid.event).toMatchObject({ type: 'bid_placed', bidderNo: 2, priceMinor: 2_100, leaderNo: 2 });
    expect(outbid.event).not.toHaveProperty('bidMinor');

    h.clock.advance(55_000); // 5 s before the end: inside the window
    await alice.ok({ type: 'place_bid', offerId, maxBidMinor: 3_000 });
    h.clock.advance(10_000); // 5 s before the extended end
    await bob.ok({ type: 'place_bid', offerId, maxBidMinor: 3_500 });
    h.clock.advance(10_000); // extensions used up: this bid moves nothing
    const last = await alice.ok({ type: 'place_bid', offerId, maxBidMinor: 4_000 });
    expect(last.result.auction).toMatchObject({ leading: true, priceMinor: 3_600, endMs: endMs + 20_000 });

    // Alice's own channel, read again: her live bid with its amount and where the auction stands.
    const own = await alice.ok({ type: 'subscribe', channel: 'shopper:alice' });
    expect(own.snapshot.bids).toEqual([expect.objectContaining({ offerId, bidMinor: 4_000, bidderNo: 1, leading: true })]);

    h.clock.advance(5_000); // the extended end
    await h.server.sequencer.wake();
    const closed = await watcher.waitFor((m) => m.type === 'delta' && m.event.type === 'auction_closed', 'auction_closed');
    expect(closed.event).toMatchObject({ reason: 'ended', reserveMet: true, clearingPriceMinor: 3_600, unitsSold: 1, bidders: 2, bids: 5 });
    expect(closed.event.winners).toEqual([{ bidderNo: 1, qty: 1, unitPriceMinor: 3_600 }]);

    const seen = await watcher.waitForDeltas(channel, 10);
    expect(seen.map((d) => d.event.type)).toEqual([
      'bid_placed',
      'bid_placed',
      'bid_placed',
      'auction_extended',
      'bid_placed',
      'auction_extended',
      'bid_placed',
      'auction_closed',
      'offer_closed',
      'stock_changed',
    ]);
    expect(seen.map((d) => d.offset)).toEqual(seen.map((_, i) => i + 1));
    expect(seen.filter((d) => d.event.type === 'auction_extended').map((d) => d.event.endMs)).toEqual([endMs + 10_000, endMs + 20_000]);
    expect(seen.filter((d) => d.event.type === 'bid_placed').map((d) => d.event.priceMinor)).toEqual([1_500, 2_100, 2_600, 3_100, 3_600]);
    expect(seen.find((d) => d.event.type === 'stock_changed')!.event).toMatchObject({ soldUnits: 1, availableUnits: 0 });
    // Public: bidders by alias only, no amount anyone bid, no order.
    for (const event of eventsOf(watcher, channel)) for (const field of PRIVATE_AUCTION_FIELDS) expect(event).not.toHaveProperty(field);
    for (const event of eventsOf(watcher, channel)) for (const winner of event.winners ?? []) expect(Object.keys(winner).sort()).toEqual(['bidderNo', 'qty', 'unitPriceMinor']);
    expect(JSON.stringify(watcher.received)).not.toMatch(/alice|bob/);

    // Each bidder's own channel: its bids with amounts, outbid notices, and what it won.
    const won = await alice.waitFor((m) => m.type === 'delta' && m.channel === 'shopper:alice' && m.event.type === 'auction_closed', 'alice’s result');
    expect(won.event.won).toEqual({ shopperId: 'alice', bidderNo: 1, orderId: `${offerId}/alice`, qty: 1, unitPriceMinor: 3_600, paidMinor: 3_600 });
    const lost = await bob.waitFor((m) => m.type === 'delta' && m.channel === 'shopper:bob' && m.event.type === 'auction_closed', 'bob’s result');
    expect(lost.event.won).toBeNull();
    const aliceOwn = eventsOf(alice, 'shopper:alice').filter((e) => e.type === 'bid_placed');
    expect(aliceOwn.filter((e) => e.shopperId === 'alice').map((e) => e.bidMinor)).toEqual([2_000, 3_000, 4_000]);
    expect(aliceOwn.filter((e) => e.outbidShopperId === 'alice')).toHaveLength(2);
    expect(eventsOf(bob, 'shopper:bob').filter((e) => e.outbidShopperId === 'bob')).toHaveLength(2);

    // Bob watched the offer too: nothing he received carries Alice's id, amounts or order.
    expect(JSON.stringify(bob.received)).not.toContain('alice');
    for (const event of [...eventsOf(bob, channel), ...eventsOf(bob, 'shopper:bob')]) {
      if ('bidMinor' in event || 'shopperId' in event) expect(event.shopperId).toBe('bob');
      if ('outbidShopperId' in event) expect(event.outbidShopperId).toBe('bob');
    }
    expect((await bob.ok({ type: 'subscribe', channel: 'shopper:bob' })).snapshot.bids).toEqual([]);

    const late = await bob.request({ type: 'place_bid', offerId, maxBidMinor: 9_000 });
    expect(late).toMatchObject({ type: 'error', code: 'auction_closed' });
    expect(h.server.engine.checkInvariants()).toEqual([]);
  });
});

describe('sealed bids', () => {
  it('keep amounts and leaders out of public deltas until a Vickrey close names the price', async () => {
    const offerId = await listAuction({ kind: 'vickrey' });
    const channel = `offer:${offerId}`;
    const watcher = await h.connect();
    await watcher.ok({ type: 'subscribe', channel });
    const carol = await h.shopper('carol');
    const dave = await h.shopper('dave');
    await carol.ok({ type: 'subscribe', channel: 'shopper:carol' });
    await carol.ok({ type: 'place_bid', offerId, maxBidMinor: 5_000 });
    await dave.ok({ type: 'place_bid', offerId, maxBidMinor: 4_200 });
    const bids = (await watcher.waitForDeltas(channel, 2)).map((d) => d.event);
    for (const bid of bids) expect(bid).toMatchObject({ type: 'bid_placed', kind: 'vickrey', priceMinor: null, leaderNo: null, reserveMet: null });
    expect((await h.http('GET', `/v1/offers/${offerId}/auction`)).body.auction).toMatchObject({ kind: 'vickrey', priceMinor: null, leaderNo: null, bidders: 2 });

    h.clock.advance(60_000);
    await h.server.sequencer.wake();
    const closed = await watcher.waitFor((m) => m.type === 'delta' && m.event.type === 'auction_closed', 'close');
    expect(closed.event).toMatchObject({ clearingPriceMinor: 4_200, winners: [{ bidderNo: 1, qty: 1, unitPriceMinor: 4_200 }] });
    const own = await carol.waitFor((m) => m.type === 'delta' && m.channel === 'shopper:carol' && m.event.type === 'auction_closed', 'carol’s order');
    expect(own.event.won).toMatchObject({ orderId: `${offerId}/carol`, paidMinor: 4_200 });
  });
});

describe('limits a token vouches for', () => {
  it('counts live bids on other auctions against the exposure limit; a raise on the same auction replaces its bid', async () => {
    const first = await listAuction({ kind: 'english' });
    const second = await listAuction({ kind: 'english' });
    const erin = await h.shopper('erin', { exposureLimitMinor: 3_000 });
    await erin.ok({ type: 'place_bid', offerId: first, maxBidMinor: 2_000 });
    const over = await erin.request({ type: 'place_bid', offerId: second, maxBidMinor: 1_500 });
    expect(over).toMatchObject({ type: 'error', code: 'exposure_exceeded' });
    await erin.ok({ type: 'place_bid', offerId: first, maxBidMinor: 3_000 });
    const unlimited = await h.shopper('frank');
    await unlimited.ok({ type: 'place_bid', offerId: second, maxBidMinor: 900_000 });
  });

  it('refuses a bid from the offer’s own merchant acting as a shopper', async () => {
    const offerId = await listAuction({ kind: 'english' });
    const merchantAsShopper = await h.shopper(h.merchants.a.id);
    expect(await merchantAsShopper.request({ type: 'place_bid', offerId, maxBidMinor: 2_000 })).toMatchObject({ type: 'error', code: 'own_offer' });
  });
});

describe('bad input', () => {
  it('answers bad_request for each malformed auction command and changes nothing', async () => {
    const offerId = await listAuction({ kind: 'english', buyNowPriceMinor: 5_000 });
    const gina = await h.shopper('gina');
    const before = h.server.engine.stateHash();
    const malformed: Record<string, unknown>[] = [
      { type: 'place_bid', offerId },
      { type: 'place_bid', offerId, maxBidMinor: 0 },
      { type: 'place_bid', offerId, maxBidMinor: 12.5 },
      { type: 'place_bid', offerId, maxBidMinor: '2000' },
      { type: 'place_bid', offerId, maxBidMinor: 2_000, qty: 0 },
      { type: 'place_bid', offerId, maxBidMinor: 2_000, shopperId: 'someone-else' },
      { type: 'place_bid', offerId, maxBidMinor: 2_000, exposureLimitMinor: 1_000_000 },
      { type: 'place_bid', offerId: 'bad id!', maxBidMinor: 2_000 },
      { type: 'buy_now' },
      { type: 'buy_now', offerId, newcomer: true },
      { type: 'accept_price', offerId, priceMinor: 100 },
      { type: 'accept_price', offerId: 42 },
    ];
    for (const message of malformed) {
      const answer = await gina.request(message);
      expect(answer, JSON.stringify(message)).toMatchObject({ type: 'error', code: 'bad_request' });
    }
    const anonymous = await h.connect();
    expect(await anonymous.request({ type: 'place_bid', offerId, maxBidMinor: 2_000 })).toMatchObject({ type: 'error', code: 'unauthorized' });
    const merchant = await h.merchant('a');
    expect(await merchant.request({ type: 'buy_now', offerId })).toMatchObject({ type: 'error', code: 'unauthorized' });
    expect(await gina.request({ type: 'accept_price', offerId })).toMatchObject({ type: 'error', code: 'wrong_mechanism' });
    expect(h.server.engine.stateHash()).toBe(before);
  });
});

describe('the Dutch clock', () => {
  let live: Harness;
  beforeAll(async () => {
    live = await startHarness({}, { realClock: true });
  });
  afterAll(async () => {
    await live.close();
  });

  it('falls step by step on the gateway’s own timer, with no command, until a shopper accepts', async () => {
    const merchant = await live.merchant('a');
    const created = await merchant.ok({
      type: 'create_offer',
      offerId: 'tulips',
      title: 'Tulips',
      currency: 'CNY',
      inventory: 1,
      basePriceMinor: 1_000,
      mechanism: { type: 'auction', kind: 'dutch', dutch: { floorPriceMinor: 100, stepMinor: 100, stepIntervalMs: 40 } },
    });
    expect(created.result.offerId).toBe('tulips');
    const watcher = await live.connect();
    const subscribed = await watcher.ok({ type: 'subscribe', channel: 'offer:tulips' });
    expect(subscribed.snapshot.offer.auction).toMatchObject({ kind: 'dutch', status: 'open' });
    const drops = await watcher.waitUntil(() => {
      const seen = watcher.deltas('offer:tulips').filter((d) => d.event.type === 'auction_price_dropped');
      return seen.length >= 2 ? seen : undefined;
    }, 'two price steps');
    expect(drops[1]!.event.priceMinor).toBe(drops[0]!.event.priceMinor - 100);

    const hana = await live.shopper('hana');
    const accepted = await hana.ok({ type: 'accept_price', offerId: 'tulips' });
    expect(accepted.result.auction).toMatchObject({ closed: true });
    const closed = await watcher.waitFor((m) => m.type === 'delta' && m.event.type === 'auction_closed', 'close by acceptance');
    expect(closed.event).toMatchObject({ reason: 'accepted', clearingPriceMinor: accepted.result.auction.priceMinor, winners: [{ bidderNo: null, qty: 1 }] });
  });
});

describe('the merchant API', () => {
  it('lists auctions with their views: the merchant sees the reserve, a public read does not', async () => {
    const offerId = await listAuction({ kind: 'english', reservePriceMinor: 7_000 });
    const mine = await h.http('GET', `/v1/offers/${offerId}`, { key: h.merchants.a.key });
    expect(mine.body.offer.mechanism.reservePriceMinor).toBe(7_000);
    expect(mine.body.offer.auction).toMatchObject({ kind: 'english', hasReserve: true });
    const listed = await h.http('GET', '/v1/offers?limit=200', { key: h.merchants.a.key });
    expect(listed.body.offers.find((o: Message) => o.offerId === offerId).auction.status).toBe('open');
    const publicRead = await h.http('GET', `/v1/offers/${offerId}/auction`);
    expect(publicRead.status).toBe(200);
    expect(JSON.stringify(publicRead.body)).not.toMatch(/reservePriceMinor|:7000\b/);
    const groupOffer = await h.createOffer();
    expect((await h.http('GET', `/v1/offers/${groupOffer}/auction`)).body.error.code).toBe('wrong_mechanism');
    expect((await h.http('GET', '/v1/offers/no-such-offer/auction')).status).toBe(404);
  });
});

describe('after a restart', () => {
  it('still knows each bidder: its snapshot lists its bid, and a loser hears the close', async () => {
    const engine = new Engine();
    const commands: Record<string, unknown>[] = [
      { type: 'create_offer', merchantId: 'merchant-a', offerId: 'lamp', title: 'Lamp', currency: 'CNY', inventory: 1, basePriceMinor: 1_000, endMs: START_MS + 60_000, mechanism: { type: 'auction', kind: 'english' } },
      { type: 'place_bid', shopperId: 'olga', offerId: 'lamp', maxBidMinor: 2_000 },
      { type: 'place_bid', shopperId: 'pete', offerId: 'lamp', maxBidMinor: 1_500 },
    ];
    for (const command of commands) expect(engine.submit({ nowMs: START_MS, ...command } as CommandInput).result.ok).toBe(true);
    const clock = new ManualClock();
    const restarted = await startHarness({}, { engine, lastSeq: commands.length, clock });
    try {
      const pete = await restarted.shopper('pete');
      const own = await pete.ok({ type: 'subscribe', channel: 'shopper:pete' });
      expect(own.snapshot.bids).toEqual([expect.objectContaining({ offerId: 'lamp', bidMinor: 1_500, bidderNo: 2, leading: false })]);
      clock.advance(60_000);
      await restarted.server.sequencer.wake();
      const closed = await pete.waitFor((m) => m.type === 'delta' && m.event.type === 'auction_closed', 'the close on pete’s channel');
      expect(closed.event).toMatchObject({ won: null, clearingPriceMinor: 1_501, winners: [{ bidderNo: 1 }] });
    } finally {
      await restarted.close();
    }
  });
});
