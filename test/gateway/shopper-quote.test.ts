// The WebSocket `quote` prices for the authenticated shopper: a newcomer with a member tier is quoted exactly what
// open_group then charges, and exactly what the merchant's preview shows for that shopper's segment.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { START_MS, startHarness, type Harness } from './helpers/harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const RULE_SET = {
  schemaVersion: 1,
  currency: 'CNY',
  version: 1,
  rules: [
    { kind: 'size_tiers', tiers: [{ minSize: 3, priceMinor: 800 }] },
    { kind: 'newcomer_discount', discountBps: 1_500 },
    { kind: 'member_tier_discount', tiers: [{ tier: 'gold', discountBps: 700 }] },
    { kind: 'leader_discount', discountBps: 1_000 },
  ],
  guardrails: { floorMinor: 100, ceilingMinor: 5_000, maxChange: { intervalMs: 60_000, maxRiseBps: 100_000, maxDropBps: 10_000 }, killSwitch: { engaged: false } },
};

describe('quote for the authenticated shopper', () => {
  it('equals the charge of the open_group right after and the preview of that segment', async () => {
    const offerId = 'segment-tea';
    const created = await h.http('POST', '/v1/offers', {
      key: h.merchants.a.key,
      body: { offerId, title: 'Tea', currency: 'CNY', inventory: 100, basePriceMinor: 1_000, mechanism: { type: 'group', minSize: 3, maxSize: 5, windowMs: 60_000 }, ruleSet: RULE_SET },
    });
    expect(created.status).toBe(201);

    const shopper = await h.connect();
    await shopper.ok({ type: 'authenticate', token: h.token('nina', { newcomer: true, memberTier: 'gold' }) });
    const quoted = (await shopper.ok({ type: 'quote', offerId, asLeader: true })).result.quote;
    const rules = (quoted.explanation as { rule: string }[]).map((line) => line.rule);
    expect(rules).toEqual(expect.arrayContaining(['newcomer_discount', 'member_tier_discount', 'leader_discount']));

    // Somebody else's (nobody's) quote is higher: the segment was the shopper's, not a default.
    const anonymous = await h.connect();
    const anonymousQuote = (await anonymous.ok({ type: 'quote', offerId, asLeader: true })).result.quote;
    expect(anonymousQuote.unitPriceMinor).toBeGreaterThan(quoted.unitPriceMinor);

    const lines = (quote: { explanation: { rule: string; ruleIndex: number | null; deltaMinor: number }[] }) =>
      quote.explanation.map((line) => [line.rule, line.ruleIndex, line.deltaMinor]);
    const opened = (await shopper.ok({ type: 'open_group', offerId, qty: 2 })).result;
    // The same price from the same rules (a command's answer leaves the explanation's `detail` texts empty).
    expect(opened.quote.unitPriceMinor).toBe(quoted.unitPriceMinor);
    expect(opened.quote.basePriceMinor).toBe(quoted.basePriceMinor);
    expect(lines(opened.quote)).toEqual(lines(quoted));
    expect(opened.chargedMinor).toBe(2 * quoted.unitPriceMinor);

    const preview = await h.http('POST', '/v1/pricing/preview', {
      key: h.merchants.a.key,
      body: {
        type: 'context',
        ruleSet: RULE_SET,
        context: {
          basePriceMinor: 1_000,
          nowMs: START_MS,
          utcOffsetMinutes: 0,
          // A join is quoted at the size the group must reach to form (minSize 3): the most a unit will cost.
          groupSize: 3,
          seatsMissing: 0,
          groupDeadlineMs: null,
          offerEndMs: null,
          inventoryLeft: 100,
          inventoryTotal: 100,
          demand: { joinsSinceSurgeUpdate: 0, bidsSinceSurgeUpdate: 0, queueLength: 0, utilizationBps: 0 },
          segment: { newcomer: true, memberTier: 'gold', isLeader: true },
          surge: null,
          priceWindow: null,
        },
      },
    });
    expect(preview.status).toBe(200);
    expect(preview.body.evaluation.priceMinor).toBe(quoted.unitPriceMinor);
    expect(lines(preview.body.evaluation)).toEqual(lines(quoted));
    // And the group's own charge to the shopper, on its channel, is that price too.
    const channel = await shopper.ok({ type: 'subscribe', channel: 'shopper:nina' });
    expect(channel.snapshot.memberships[0]).toMatchObject({ qty: 2, chargedMinor: 2 * quoted.unitPriceMinor, quotedUnitPriceMinor: quoted.unitPriceMinor });
  });
});
