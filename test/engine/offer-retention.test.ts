// Tenants and memory: each merchant has its own quota of offers in memory, and closed offers retire from memory
// once their retention has passed (their ids stay taken). One merchant can no longer lock every other one out.
import { describe, expect, it } from 'vitest';
import { Market } from './fixtures.ts';

const RETENTION_MS = 10_000;

function offerOf(merchantId: string, offerId: string) {
  return {
    type: 'create_offer',
    merchantId,
    offerId,
    title: 'Tea',
    currency: 'CNY',
    inventory: 10,
    basePriceMinor: 1_000,
    mechanism: { type: 'group', minSize: 2, windowMs: 60_000 },
  };
}

describe('merchant quotas', () => {
  it('refuses a merchant past its own quota, naming it, while other merchants still list offers', () => {
    const market = new Market({ maxOffersPerMerchant: 2, closedOfferRetentionMs: RETENTION_MS });
    market.ok(offerOf('flood', 'f1'));
    market.ok(offerOf('flood', 'f2'));
    market.refused(offerOf('flood', 'f3'), 'quota_exceeded');
    const { result } = market.send(offerOf('flood', 'f3'));
    expect(result.ok ? '' : result.message).toMatch(/quota of 2/);
    market.ok(offerOf('quiet', 'q1'));
  });

  it('keeps the engine-wide capacity as a safety bound across merchants', () => {
    const market = new Market({ maxOffers: 2, maxOffersPerMerchant: 5 });
    market.ok(offerOf('a', 'a1'));
    market.ok(offerOf('b', 'b1'));
    market.refused(offerOf('c', 'c1'), 'capacity_exceeded');
  });
});

describe('retiring closed offers', () => {
  it('retires a closed offer after its retention, frees its quota, and keeps its id taken', () => {
    const market = new Market({ maxOffersPerMerchant: 1, closedOfferRetentionMs: RETENTION_MS });
    market.ok(offerOf('m1', 'old'));
    market.ok({ type: 'close_offer', merchantId: 'm1', offerId: 'old' });
    market.refused(offerOf('m1', 'new'), 'quota_exceeded');
    expect(market.engine.nextDeadlineMs()).toBe(market.nowMs + RETENTION_MS);
    const events = market.tickAt(market.nowMs + RETENTION_MS);
    expect(events).toEqual([{ type: 'offer_retired', offerId: 'old', merchantId: 'm1', currency: 'CNY', closedAtMs: 1_000, atMs: 1_000 + RETENTION_MS }]);
    expect(market.engine.offer('old')).toBeNull();
    expect(market.engine.retiredOffer('old')).toEqual({ merchantId: 'm1', closedAtMs: 1_000 });
    market.refused({ type: 'open_group', shopperId: 'a', offerId: 'old' }, 'offer_retired');
    market.refused({ type: 'pause_offer', merchantId: 'm1', offerId: 'old' }, 'offer_retired');
    // An id is never reused while it is remembered: effect ids of auctions and rentals are keyed by it.
    market.refused(offerOf('m1', 'old'), 'offer_exists');
    market.ok(offerOf('m1', 'new'));
  });

  it('does not retire an offer something still lives on in (a rental not returned): it looks again a retention later', () => {
    const market = new Market({ closedOfferRetentionMs: RETENTION_MS });
    market.ok({ ...offerOf('m1', 'bikes'), inventory: 1, mechanism: { type: 'reservation', mode: 'queue', holdMs: 60_000 } });
    const holdId = market.ok({ type: 'join_queue', offerId: 'bikes', shopperId: 'rider' }).reservation as { holdId: string };
    market.ok({ type: 'confirm_hold', offerId: 'bikes', shopperId: 'rider', holdId: holdId.holdId });
    market.ok({ type: 'close_offer', merchantId: 'm1', offerId: 'bikes' });
    const closedAt = market.nowMs;
    expect(market.tickAt(closedAt + RETENTION_MS)).toEqual([]);
    expect(market.engine.offer('bikes')).not.toBeNull();
    market.ok({ type: 'return_unit', offerId: 'bikes', shopperId: 'rider', rentalId: holdId.holdId });
    const events = market.tickAt(closedAt + 2 * RETENTION_MS);
    expect(events.map((event) => event.type)).toEqual(['offer_retired']);
    expect(market.engine.offer('bikes')).toBeNull();
  });

  it('forgets the oldest retired ids past their bound', () => {
    const market = new Market({ closedOfferRetentionMs: RETENTION_MS, retiredOffersRetained: 1 });
    for (const id of ['r1', 'r2']) {
      market.ok(offerOf('m1', id));
      market.ok({ type: 'close_offer', merchantId: 'm1', offerId: id });
    }
    market.tickAt(market.nowMs + RETENTION_MS);
    expect(market.engine.retiredOffer('r1')).toBeNull();
    expect(market.engine.retiredOffer('r2')).not.toBeNull();
    market.refused({ type: 'join_group', shopperId: 'a', groupId: 'g' }, 'unknown_group');
    market.refused({ type: 'open_group', shopperId: 'a', offerId: 'r1' }, 'unknown_offer');
  });
});
