// Prices are shopper-specific and live: the same context gives the same price in a quote, a preview and the
// charge; the member tier from the shopper's token reaches pricing; bids feed the bids-per-hour surge signal; daily
// windows follow the offer's time zone; and an honest retry is not refused because the facts vouched for the
// shopper changed between the two tries.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { previewContext } from '../../pricing/index.ts';
import { AuctionMarket } from './auction-fixtures.ts';
import { Market, MERCHANT } from './fixtures.ts';

const WIDE_GUARDRAILS = {
  floorMinor: 0,
  ceilingMinor: 100_000_000,
  maxChange: { intervalMs: 60_000, maxRiseBps: 1_000_000, maxDropBps: 10_000 },
  killSwitch: { engaged: false },
};

function ruleSet(version: number, rules: unknown[]) {
  return { schemaVersion: 1, currency: 'CNY', version, rules, guardrails: WIDE_GUARDRAILS };
}

const TIERS = ['gold', 'silver'] as const;

/** Rules that read the shopper (newcomer, tier, leader) and the clock, in the stage order a rule set requires. */
const rules = fc
  .record({
    tiers: fc.option(fc.constantFrom([{ minSize: 2, priceMinor: 9_000 }], [{ minSize: 2, priceMinor: 9_500 }, { minSize: 4, priceMinor: 8_000 }]), { nil: undefined }),
    window: fc.option(fc.record({ startMinute: fc.integer({ min: 0, max: 1_380 }), bps: fc.integer({ min: -3_000, max: 3_000 }) }), { nil: undefined }),
    newcomerBps: fc.option(fc.integer({ min: 1, max: 5_000 }), { nil: undefined }),
    memberBps: fc.option(fc.tuple(fc.integer({ min: 1, max: 3_000 }), fc.integer({ min: 1, max: 3_000 })), { nil: undefined }),
    leaderBps: fc.option(fc.integer({ min: 1, max: 2_000 }), { nil: undefined }),
  })
  .map(({ tiers, window, newcomerBps, memberBps, leaderBps }) => [
    ...(tiers ? [{ kind: 'size_tiers', tiers }] : []),
    ...(window ? [{ kind: 'window', label: 'flash', schedule: { type: 'daily', startMinute: window.startMinute, endMinute: window.startMinute + 60 }, adjustment: { type: 'bps', bps: window.bps } }] : []),
    ...(newcomerBps ? [{ kind: 'newcomer_discount', label: 'first order', discountBps: newcomerBps }] : []),
    ...(memberBps ? [{ kind: 'member_tier_discount', label: 'members', tiers: [{ tier: 'gold', discountBps: memberBps[0] }, { tier: 'silver', discountBps: memberBps[1] }] }] : []),
    ...(leaderBps ? [{ kind: 'leader_discount', label: 'leader', discountBps: leaderBps }] : []),
  ]);

const shopper = fc.record({ newcomer: fc.boolean(), memberTier: fc.option(fc.constantFrom(...TIERS, 'bronze'), { nil: undefined }) });

describe('one price for one context: quote, preview and charge', () => {
  it('agree for every shopper segment, leader or member, over random rule sets and times (property)', () => {
    fc.assert(
      fc.property(rules, shopper, shopper, fc.integer({ min: 0, max: 86_400_000 }), (set, leader, member, offsetMs) => {
        const market = new Market();
        market.nowMs = 1_750_000_000_000 + offsetMs;
        market.createOffer({ ruleSet: ruleSet(1, set) } as never);
        const asked = (s: { newcomer: boolean; memberTier?: string | undefined }) => ({ newcomer: s.newcomer, ...(s.memberTier === undefined ? {} : { memberTier: s.memberTier }) });
        const offerRuleSet = market.engine.ruleSetHistory('o1').at(-1)!.ruleSet;

        // The leader: a quote as leader, the preview of the engine's context for that segment, the charge on opening.
        const leaderQuote = market.ok({ type: 'quote', offerId: 'o1', asLeader: true, ...asked(leader) }).quote as { unitPriceMinor: number };
        const leaderContext = market.engine.quoteContext('o1', { ...asked(leader), asLeader: true })!;
        expect(previewContext(offerRuleSet, leaderContext).priceMinor).toBe(leaderQuote.unitPriceMinor);
        const opened = market.ok({ type: 'open_group', shopperId: 'lead', offerId: 'o1', qty: 1, ...asked(leader) });
        expect(opened.chargedMinor).toBe(leaderQuote.unitPriceMinor);

        // A member joining that group: the same three agree.
        const groupId = opened.groupId as string;
        const memberQuote = market.ok({ type: 'quote', offerId: 'o1', groupId, ...asked(member) }).quote as { unitPriceMinor: number };
        const memberContext = market.engine.quoteContext('o1', { ...asked(member), groupId })!;
        expect(previewContext(offerRuleSet, memberContext).priceMinor).toBe(memberQuote.unitPriceMinor);
        const joined = market.ok({ type: 'join_group', shopperId: 'member', groupId, qty: 1, ...asked(member) });
        expect(joined.chargedMinor).toBe(memberQuote.unitPriceMinor);
      }),
      { numRuns: 150 },
    );
  });

  it('applies a member tier discount live, as the preview shows it (a tier from the token reaches pricing)', () => {
    const market = new Market();
    market.createOffer({ ruleSet: ruleSet(1, [{ kind: 'member_tier_discount', label: 'members', tiers: [{ tier: 'gold', discountBps: 1_000 }] }]) } as never);
    const gold = market.ok({ type: 'quote', offerId: 'o1', memberTier: 'gold' }).quote as { unitPriceMinor: number };
    const none = market.ok({ type: 'quote', offerId: 'o1' }).quote as { unitPriceMinor: number };
    expect(none.unitPriceMinor).toBe(10_000);
    expect(gold.unitPriceMinor).toBe(9_000);
    expect(market.ok({ type: 'open_group', shopperId: 'g', offerId: 'o1', memberTier: 'gold' }).chargedMinor).toBe(9_000);
  });
});

describe('demand from bids', () => {
  it('counts bids into a bids-per-hour surge: the price rises once bids come fast', () => {
    const market = new AuctionMarket();
    const surge = {
      kind: 'demand_surge',
      label: 'hot lot',
      signal: 'bids_per_hour',
      halfLifeMs: 60_000,
      levels: [{ atLeast: 10, adjustmentBps: 2_000 }],
      hysteresisBps: 0,
      minDwellMs: 0,
      maxStepBps: 2_000,
      stepIntervalMs: 1_000,
    };
    market.createAuction('english', { increments: [{ fromMinor: 0, stepMinor: 100 }] }, { endMs: market.nowMs + 3_600_000, ruleSet: ruleSet(1, [surge]) });
    expect(market.engine.offer('a1')!.priceMinor).toBe(1_000);
    for (let i = 0; i < 30; i++) {
      market.nowMs += 2_000;
      market.bid(`s${i % 2}`, 2_000 + i * 200);
    }
    market.tickAt(market.nowMs + 2_000);
    expect(market.engine.offer('a1')!.priceMinor).toBe(1_200);
  });
});

describe('daily windows in the offer’s time zone', () => {
  // Shanghai keeps UTC+8 all year; the edge resolves the name to this data, the engine only looks it up.
  const SHANGHAI = { name: 'Asia/Shanghai', offsets: [{ fromMs: 0, offsetMinutes: 480 }] };
  const NINE_TO_TEN = { kind: 'window', label: 'morning', schedule: { type: 'daily', startMinute: 9 * 60, endMinute: 10 * 60 }, adjustment: { type: 'bps', bps: -2_000 } };
  const DAY = Date.UTC(2026, 5, 1);

  it('opens a 09:00–10:00 window at 09:00 local time (01:00 UTC), not 09:00 UTC', () => {
    const market = new Market();
    market.nowMs = DAY;
    market.createOffer({ timeZone: SHANGHAI, ruleSet: ruleSet(1, [NINE_TO_TEN]) } as never);
    expect(market.engine.offer('o1')).toMatchObject({ timeZone: 'Asia/Shanghai', priceMinor: 10_000 });
    market.tickAt(DAY + 60 * 60_000);
    expect(market.engine.offer('o1')!.priceMinor).toBe(8_000);
    market.tickAt(DAY + 2 * 60 * 60_000);
    expect(market.engine.offer('o1')!.priceMinor).toBe(10_000);
    market.tickAt(DAY + 9 * 60 * 60_000);
    expect(market.engine.offer('o1')!.priceMinor).toBe(10_000);
  });

  it('follows an offset change at its instant (a zone with daylight saving time)', () => {
    // A made-up zone: UTC+1, then UTC+2 from 00:30 UTC; the window 02:00–03:00 local opens at 00:30 UTC then.
    const zone = { name: 'Europe/Example', offsets: [{ fromMs: 0, offsetMinutes: 60 }, { fromMs: DAY + 30 * 60_000, offsetMinutes: 120 }] };
    const market = new Market();
    market.nowMs = DAY;
    market.createOffer({ timeZone: zone, ruleSet: ruleSet(1, [{ ...NINE_TO_TEN, schedule: { type: 'daily', startMinute: 120, endMinute: 180 } }]) } as never);
    expect(market.engine.offer('o1')!.priceMinor).toBe(10_000);
    expect(market.engine.nextDeadlineMs()).toBe(DAY + 30 * 60_000);
    market.tickAt(DAY + 30 * 60_000);
    expect(market.engine.offer('o1')!.priceMinor).toBe(8_000);
  });

  it('refuses a time zone whose offsets are out of order, naming the field', () => {
    const market = new Market();
    const { result } = market.send({
      type: 'create_offer', merchantId: MERCHANT, offerId: 'o1', title: 't', currency: 'CNY', inventory: 1, basePriceMinor: 1_000,
      mechanism: { type: 'group', minSize: 2, windowMs: 60_000 },
      timeZone: { name: 'Asia/Shanghai', offsets: [{ fromMs: 10, offsetMinutes: 480 }, { fromMs: 5, offsetMinutes: 480 }] },
    });
    expect(result.ok ? 'accepted' : result.code).toBe('bad_request');
    expect(result.ok ? '' : result.message).toContain('timeZone.offsets.1.fromMs');
  });
});

describe('idempotent retries', () => {
  it('replays a keyed retry whose vouched facts changed (newcomer, tier, exposure limit): the client asked the same', () => {
    const market = new Market();
    market.createOffer();
    const first = market.send({ type: 'open_group', shopperId: 's1', offerId: 'o1', idempotencyKey: 'k1', newcomer: true, memberTier: 'gold' });
    expect(first.result.ok).toBe(true);
    market.nowMs += 10;
    const retry = market.send({ type: 'open_group', shopperId: 's1', offerId: 'o1', idempotencyKey: 'k1', newcomer: false });
    expect(retry.result).toEqual(first.result);
    expect(retry.events).toEqual([]);
    // What the client asked differently is still a reused key.
    market.refused({ type: 'open_group', shopperId: 's1', offerId: 'o1', idempotencyKey: 'k1', qty: 2 }, 'idempotency_key_reused');
  });
});
