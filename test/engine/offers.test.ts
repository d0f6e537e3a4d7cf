// Unit tests of merchant commands on offers and of input validation at the engine's edge.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, REJECTION_CODES } from '../../engine/index.ts';
import { eventOf, Market } from './fixtures.ts';

describe('creating offers', () => {
  it('creates an offer and reads it back', () => {
    const market = new Market();
    const { events } = market.send({
      type: 'create_offer',
      merchantId: 'm1',
      offerId: 'tea',
      title: 'Tea',
      currency: 'CNY',
      inventory: 10,
      basePriceMinor: 500,
      mechanism: { type: 'group', minSize: 2, windowMs: 1_000 },
    });
    expect(eventOf(events, 'offer_created')).toMatchObject({ offerId: 'tea', merchantId: 'm1' });
    expect(market.engine.offer('tea')).toMatchObject({ status: 'active', availableUnits: 10, currency: 'CNY' });
    expect(market.engine.offer('tea')?.mechanism).toMatchObject({ tiers: [], leaderDiscountBps: 0, matchOpensGroup: true });
  });

  it('refuses a duplicate id and a full engine', () => {
    const market = new Market({ maxOffers: 1 });
    market.createOffer();
    market.refused({ type: 'create_offer', merchantId: 'm1', offerId: 'o1', title: 't', currency: 'CNY', inventory: 1, basePriceMinor: 1, mechanism: { type: 'group', minSize: 2, windowMs: 1 } }, 'offer_exists');
    market.refused({ type: 'create_offer', merchantId: 'm1', offerId: 'o2', title: 't', currency: 'CNY', inventory: 1, basePriceMinor: 1, mechanism: { type: 'group', minSize: 2, windowMs: 1 } }, 'capacity_exceeded');
  });

  it.each([
    ['maxSize below minSize', { mechanism: { minSize: 3, maxSize: 2 } }],
    ['auto-fill of every seat', { mechanism: { minSize: 3, autoFillMaxSeats: 3 } }],
    ['rising tiers', { mechanism: { tiers: [{ minSize: 2, priceMinor: 10 }, { minSize: 3, priceMinor: 20 }] } }],
    ['tier sizes out of order', { mechanism: { tiers: [{ minSize: 3, priceMinor: 10 }, { minSize: 2, priceMinor: 5 }] } }],
    ['a tier above the base price', { mechanism: { tiers: [{ minSize: 2, priceMinor: 20_000 }] } }],
    ['an end in the past', { endMs: 500 }],
    ['an end before the start', { startMs: 9_000, endMs: 8_000 }],
  ])('refuses %s as invalid_settings', (_name, settings) => {
    const market = new Market();
    market.tickAt(market.nowMs); // time passing is not a change the refusal could be blamed for
    const { mechanism, ...rest } = settings as { mechanism?: Record<string, unknown> };
    market.refused(
      {
        type: 'create_offer',
        merchantId: 'm1',
        offerId: 'o1',
        title: 'Tea',
        currency: 'CNY',
        inventory: 10,
        basePriceMinor: 10_000,
        mechanism: { type: 'group', minSize: 3, windowMs: 1_000, ...mechanism },
        ...rest,
      },
      'invalid_settings',
    );
  });
});

describe('editing offers', () => {
  it('edits fields and says which changed', () => {
    const market = new Market();
    market.createOffer();
    const { events } = market.send({ type: 'edit_offer', merchantId: 'm1', offerId: 'o1', patch: { title: 'New', inventory: 50 } });
    expect(eventOf(events, 'offer_edited').fields).toEqual(['inventory', 'title']);
    expect(market.engine.offer('o1')).toMatchObject({ title: 'New', inventory: 50 });
  });

  it('refuses inventory below what is held and sold', () => {
    const market = new Market();
    market.createOffer();
    market.open('a', { qty: 5 });
    market.refused({ type: 'edit_offer', merchantId: 'm1', offerId: 'o1', patch: { inventory: 4 } }, 'edit_breaks_promise');
    market.ok({ type: 'edit_offer', merchantId: 'm1', offerId: 'o1', patch: { inventory: 5 } });
    market.refused({ type: 'open_group', shopperId: 'b', offerId: 'o1' }, 'sold_out');
  });

  it('refuses an end before a live group deadline, and accepts a later one', () => {
    const market = new Market();
    market.createOffer({ endMs: 500_000 });
    market.open('a'); // deadline 61 000
    market.refused({ type: 'edit_offer', merchantId: 'm1', offerId: 'o1', patch: { endMs: 60_000 } }, 'edit_breaks_promise');
    market.ok({ type: 'edit_offer', merchantId: 'm1', offerId: 'o1', patch: { endMs: 61_000 } });
    expect(market.engine.nextDeadlineMs()).toBe(61_000);
    const events = market.tickAt(61_000);
    expect(events.map((event) => event.type)).toEqual(['group_failed', 'stock_changed', 'offer_closed']);
    expect(market.tickAt(500_000)).toEqual([]); // the old end is stale and does nothing
  });

  it('removes the end when endMs is null', () => {
    const market = new Market();
    market.createOffer({ endMs: 500_000 });
    market.ok({ type: 'edit_offer', merchantId: 'm1', offerId: 'o1', patch: { endMs: null } });
    expect(market.engine.nextDeadlineMs()).toBeNull();
    market.tickAt(600_000);
    expect(market.engine.offer('o1')?.status).toBe('active');
  });

  it('refuses another merchant, unknown offers, closed offers and bad tiers', () => {
    const market = new Market();
    market.createOffer();
    market.refused({ type: 'edit_offer', merchantId: 'm2', offerId: 'o1', patch: { title: 'x' } }, 'not_owner');
    market.refused({ type: 'pause_offer', merchantId: 'm2', offerId: 'o1' }, 'not_owner');
    market.refused({ type: 'close_offer', merchantId: 'm2', offerId: 'o1' }, 'not_owner');
    market.refused({ type: 'edit_offer', merchantId: 'm1', offerId: 'o9', patch: { title: 'x' } }, 'unknown_offer');
    market.refused({ type: 'edit_offer', merchantId: 'm1', offerId: 'o1', patch: { basePriceMinor: 1 , tiers: [{ minSize: 2, priceMinor: 5 }] } }, 'invalid_settings');
    market.ok({ type: 'close_offer', merchantId: 'm1', offerId: 'o1' });
    market.refused({ type: 'edit_offer', merchantId: 'm1', offerId: 'o1', patch: { title: 'x' } }, 'offer_closed');
    market.refused({ type: 'close_offer', merchantId: 'm1', offerId: 'o1' }, 'offer_closed');
    market.refused({ type: 'pause_offer', merchantId: 'm1', offerId: 'o1' }, 'offer_closed');
    market.refused({ type: 'resume_offer', merchantId: 'm1', offerId: 'o1' }, 'offer_closed');
  });
});

describe('pausing and closing', () => {
  it('pauses and resumes once; repeating either is accepted and emits nothing', () => {
    const market = new Market();
    market.createOffer();
    expect(market.send({ type: 'pause_offer', merchantId: 'm1', offerId: 'o1' }).events.map((e) => e.type)).toEqual(['offer_paused']);
    expect(market.send({ type: 'pause_offer', merchantId: 'm1', offerId: 'o1' }).events).toEqual([]);
    expect(market.send({ type: 'resume_offer', merchantId: 'm1', offerId: 'o1' }).events.map((e) => e.type)).toEqual(['offer_resumed']);
    expect(market.send({ type: 'resume_offer', merchantId: 'm1', offerId: 'o1' }).events).toEqual([]);
  });

  it('closing completes formed groups and fails open ones', () => {
    const market = new Market();
    market.createOffer({ mechanism: { minSize: 2 } });
    const formed = market.open('a');
    market.join('b', formed);
    const open = market.open('c');
    const { events } = market.send({ type: 'close_offer', merchantId: 'm1', offerId: 'o1' });
    expect(events.map((event) => event.type)).toEqual(['group_completed', 'group_failed', 'offer_closed', 'stock_changed']);
    expect(eventOf(events, 'group_completed')).toMatchObject({ groupId: formed, reason: 'offer_closed' });
    expect(eventOf(events, 'group_failed')).toMatchObject({ groupId: open, reason: 'offer_closed' });
    // Nothing of the offer is due any more but its retirement from memory.
    expect(market.engine.nextDeadlineMs()).toBe(market.nowMs + DEFAULT_CONFIG.closedOfferRetentionMs);
  });
});

describe('bad input', () => {
  it.each([
    ['not an object', 42],
    ['an unknown type', { type: 'steal_everything' }],
    ['an extra field', { type: 'open_group', shopperId: 'a', offerId: 'o1', admin: true }],
    ['a wrong type', { type: 'open_group', shopperId: 7, offerId: 'o1' }],
    ['a negative quantity', { type: 'open_group', shopperId: 'a', offerId: 'o1', qty: -1 }],
    ['a fractional quantity', { type: 'open_group', shopperId: 'a', offerId: 'o1', qty: 1.5 }],
    ['a huge number', { type: 'open_group', shopperId: 'a', offerId: 'o1', qty: 1e300 }],
    ['a float price', { type: 'edit_offer', merchantId: 'm1', offerId: 'o1', patch: { basePriceMinor: 9.99 } }],
    ['a lower-case currency', { type: 'create_offer', merchantId: 'm1', offerId: 'o2', title: 't', currency: 'cny', inventory: 1, basePriceMinor: 1, mechanism: { type: 'group', minSize: 2, windowMs: 1 } }],
    ['a minSize of one', { type: 'create_offer', merchantId: 'm1', offerId: 'o2', title: 't', currency: 'CNY', inventory: 1, basePriceMinor: 1, mechanism: { type: 'group', minSize: 1, windowMs: 1 } }],
    ['an over-long id', { type: 'open_group', shopperId: 'a'.repeat(200), offerId: 'o1' }],
    ['a missing nowMs', { type: 'tick', nowMs: undefined }],
  ])('refuses %s with bad_request naming the field', (_name, raw) => {
    const market = new Market();
    market.createOffer();
    const before = market.engine.stateHash();
    const { result, events } = market.engine.submit(typeof raw === 'object' ? { nowMs: 5_000, ...raw } : raw);
    expect(result).toMatchObject({ ok: false, code: 'bad_request' });
    expect(events).toEqual([]);
    expect(market.engine.stateHash()).toBe(before);
  });

  it('names the offending field in the message', () => {
    const market = new Market();
    const { result } = market.engine.submit({ type: 'open_group', nowMs: 1, shopperId: 'a', offerId: 'o1', qty: 0 });
    expect(result.ok ? '' : result.message).toMatch(/^qty: /);
  });

  it('has a unit test for every rejection code', async () => {
    // Guards this suite against a new code added without a test: every code must appear in some engine test.
    const { readFile, readdir } = await import('node:fs/promises');
    const dir = new URL('.', import.meta.url);
    const sources = await Promise.all((await readdir(dir)).filter((name) => name.endsWith('.test.ts')).map((name) => readFile(new URL(name, dir), 'utf8')));
    const untested = REJECTION_CODES.filter((code) => !sources.some((source) => source.includes(`'${code}')`)));
    expect(untested).toEqual([]);
  });
});
