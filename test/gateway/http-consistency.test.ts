// HTTP consistency: bodies must be JSON objects sent as application/json, a patch that changes nothing is answered
// without being journaled, and a taken offer id is refused the same way whoever holds it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './helpers/harness.ts';

let h: Harness;
let offerId: string;
beforeAll(async () => {
  h = await startHarness();
  offerId = await h.createOffer();
});
afterAll(async () => {
  await h.close();
});

const key = () => h.merchants.a.key;
const json = { 'content-type': 'application/json' };
const seq = () => h.server.sequencer.appliedSeq;

describe('bodies', () => {
  it('refuses a body that is not a JSON object with 400, on every route that reads one, changing nothing', async () => {
    const before = seq();
    const hash = h.server.engine.stateHash();
    for (const rawBody of ['null', '[]', '"text"', '7', 'true']) {
      for (const [method, path] of [
        ['PATCH', `/v1/offers/${offerId}`],
        ['POST', `/v1/offers/${offerId}/pause`],
        ['POST', '/v1/offers'],
        ['PUT', `/v1/offers/${offerId}/rule-set`],
        ['POST', '/v1/pricing/preview'],
        ['POST', '/v1/rule-sets/validate'],
      ] as const) {
        const answer = await h.http(method, path, { key: key(), rawBody, headers: json });
        expect(answer.status, `${method} ${path} ${rawBody}`).toBe(400);
        expect(answer.body.error).toEqual({ code: 'bad_request', message: 'The body must be a JSON object.' });
      }
    }
    expect(seq()).toBe(before);
    expect(h.server.engine.stateHash()).toBe(hash);
  });

  it('refuses JSON sent as another content type with 415, and takes application/json with a charset', async () => {
    const body = JSON.stringify({ title: 'renamed by text' });
    const before = seq();
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonp', '']) {
      const answer = await h.http('PATCH', `/v1/offers/${offerId}`, { key: key(), rawBody: body, headers: contentType === '' ? {} : { 'content-type': contentType } });
      expect(answer.status, contentType).toBe(415);
      expect(answer.body.error.code).toBe('unsupported_media_type');
      expect(answer.body.error.message).toContain('application/json');
    }
    expect((await h.http('POST', '/v1/pricing/preview', { key: key(), rawBody: '{"type":"context"}', headers: { 'content-type': 'text/plain' } })).status).toBe(415);
    expect(seq()).toBe(before);
    expect(h.server.engine.offer(offerId)!.title).not.toBe('renamed by text');
    const accepted = await h.http('PATCH', `/v1/offers/${offerId}`, { key: key(), rawBody: body, headers: { 'content-type': 'Application/JSON; charset=utf-8' } });
    expect(accepted.status).toBe(200);
    expect(accepted.body.offer.title).toBe('renamed by text');
    // No body at all needs no content type.
    expect((await h.http('POST', `/v1/offers/${offerId}/resume`, { key: key() })).status).toBe(200);
  });
});

describe('edits that change nothing', () => {
  it('answers 200 with the unchanged offer and journals nothing, for {} and for fields equal to what they are', async () => {
    const offer = h.server.engine.offer(offerId)!;
    const mechanism = offer.mechanism as { tiers: { minSize: number; priceMinor: number }[] };
    const before = seq();
    const hash = h.server.engine.stateHash();
    const patches = [
      {},
      { title: offer.title },
      { inventory: offer.inventory, basePriceMinor: offer.basePriceMinor, perShopperLimit: offer.perShopperLimit, endMs: offer.endMs },
      // Same tiers, keys in another order.
      { tiers: mechanism.tiers.map((tier) => ({ priceMinor: tier.priceMinor, minSize: tier.minSize })) },
    ];
    for (const patch of patches) {
      const answer = await h.http('PATCH', `/v1/offers/${offerId}`, { key: key(), body: patch });
      expect(answer.status, JSON.stringify(patch)).toBe(200);
      expect(answer.body.offer).toEqual(offer);
    }
    // No body at all is the empty patch.
    expect((await h.http('PATCH', `/v1/offers/${offerId}`, { key: key() })).status).toBe(200);
    expect(seq()).toBe(before);
    expect(h.server.engine.stateHash()).toBe(hash);

    // A real change is journaled as before; a no-op still checks the key and the offer's owner.
    const changed = await h.http('PATCH', `/v1/offers/${offerId}`, { key: key(), body: { title: offer.title, inventory: offer.inventory + 1 } });
    expect(changed.status).toBe(200);
    expect(changed.body.offer.inventory).toBe(offer.inventory + 1);
    expect(seq()).toBe(before + 1);
    expect((await h.http('PATCH', `/v1/offers/${offerId}`, { key: h.merchants.b.key, body: {} })).status).toBe(403);
    expect((await h.http('PATCH', `/v1/offers/${offerId}`, { body: {} })).status).toBe(401);
  });

  it('still sends a no-op patch of a closed offer to the engine, which refuses it', async () => {
    const closing = await h.createOffer();
    expect((await h.http('POST', `/v1/offers/${closing}/close`, { key: key() })).status).toBe(200);
    const answer = await h.http('PATCH', `/v1/offers/${closing}`, { key: key(), body: {} });
    expect(answer.status).toBe(409);
    expect(answer.body.error.code).toBe('offer_closed');
  });
});

describe('offer ids across merchants', () => {
  it('refuses a taken id with the same code and message whoever holds it, naming no merchant', async () => {
    const body = { offerId, title: 'Copy', currency: 'CNY', inventory: 1, basePriceMinor: 100, mechanism: { type: 'group', minSize: 2, windowMs: 1_000 } };
    const own = await h.http('POST', '/v1/offers', { key: h.merchants.a.key, body });
    const other = await h.http('POST', '/v1/offers', { key: h.merchants.b.key, body });
    expect(other.status).toBe(own.status);
    expect(other.status).toBe(409);
    expect(other.body.error).toEqual(own.body.error);
    expect(JSON.stringify(other.body)).not.toContain('merchant-a');
  });
});
