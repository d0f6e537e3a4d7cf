// GET /v1/offers: a merchant sees only its own offers, in creation order, a bounded page at a time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './helpers/harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const offerBody = (offerId: string) => ({
  offerId,
  title: `Offer ${offerId}`,
  currency: 'CNY',
  inventory: 10,
  basePriceMinor: 1_000,
  mechanism: { type: 'group', minSize: 2, windowMs: 3_600_000 },
});

describe('GET /v1/offers', () => {
  it('pages through the merchant’s own offers in creation order', async () => {
    const { a, b } = h.merchants;
    // Interleaved with another merchant's offers, which must never show up nor shift the pages.
    for (const [key, offerId] of [[a.key, 'a1'], [b.key, 'b1'], [a.key, 'a2'], [a.key, 'a3'], [b.key, 'b2'], [a.key, 'a4'], [a.key, 'a5']] as const) {
      expect((await h.http('POST', '/v1/offers', { key, body: offerBody(offerId) })).status).toBe(201);
    }

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor === null ? '?limit=2' : `?limit=2&cursor=${cursor}`;
      const page = await h.http('GET', `/v1/offers${query}`, { key: a.key });
      expect(page.status).toBe(200);
      expect(page.body.offers.length).toBeLessThanOrEqual(2);
      for (const offer of page.body.offers) expect(offer.merchantId).toBe('merchant-a');
      seen.push(...page.body.offers.map((offer: { offerId: string }) => offer.offerId));
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor !== null && pages < 10);
    expect(seen).toEqual(['a1', 'a2', 'a3', 'a4', 'a5']);
    expect(pages).toBe(3);

    const all = await h.http('GET', '/v1/offers', { key: b.key });
    expect(all.body).toMatchObject({ nextCursor: null, offers: [{ offerId: 'b1' }, { offerId: 'b2' }] });
    expect(typeof all.body.serverTimeMs).toBe('number');
  });

  it('refuses a missing key, a bad limit and another merchant’s cursor', async () => {
    const { a, b } = h.merchants;
    expect((await h.http('GET', '/v1/offers')).status).toBe(401);
    for (const query of ['?limit=0', '?limit=201', '?limit=abc', '?page=2', '?cursor=b1']) {
      const answer = await h.http('GET', `/v1/offers${query}`, { key: a.key });
      expect(answer.status, query).toBe(400);
      expect(answer.body.error.code).toBe('bad_request');
    }
    expect((await h.http('GET', '/v1/offers?limit=200', { key: b.key })).status).toBe(200);
  });
});
