// The merchant API and shopper reads over real HTTP, plus the operational endpoints.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyShopperToken } from '../../gateway/index.ts';
import { startHarness, TOKEN_SECRET, type Harness } from './helpers/harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ devTokens: true });
});
afterAll(async () => {
  await h.close();
});

const offerBody = (offerId: string) => ({
  offerId,
  title: 'Lychee, 2 kg',
  currency: 'CNY',
  inventory: 20,
  basePriceMinor: 5_000,
  perShopperLimit: 4,
  mechanism: { type: 'group', minSize: 2, maxSize: 4, windowMs: 3_600_000, tiers: [{ minSize: 2, priceMinor: 4_000 }], leaderDiscountBps: 500 },
});

describe('merchant API', () => {
  it('creates, reads, edits, pauses, resumes and closes an offer', async () => {
    const key = h.merchants.a.key;
    const created = await h.http('POST', '/v1/offers', { key, body: offerBody('lychee') });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ offerId: 'lychee', offer: { merchantId: 'merchant-a', status: 'active', availableUnits: 20 } });
    expect(created.headers.get('x-request-id')).toBeTruthy();

    const duplicate = await h.http('POST', '/v1/offers', { key, body: offerBody('lychee') });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.error.code).toBe('offer_exists');

    const edited = await h.http('PATCH', '/v1/offers/lychee', { key, body: { basePriceMinor: 4_800, title: 'Lychee, 2 kg, fresh' } });
    expect(edited.status).toBe(200);
    expect(edited.body.offer).toMatchObject({ basePriceMinor: 4_800, title: 'Lychee, 2 kg, fresh' });

    expect((await h.http('POST', '/v1/offers/lychee/pause', { key })).body.offer.status).toBe('paused');
    const shopper = await h.shopper('rosa');
    expect(await shopper.request({ type: 'match_group', offerId: 'lychee' })).toMatchObject({ code: 'offer_paused' });
    expect((await h.http('POST', '/v1/offers/lychee/resume', { key, body: {} })).body.offer.status).toBe('active');
    const opened = await shopper.ok({ type: 'match_group', offerId: 'lychee' });

    const state = await h.http('GET', '/v1/offers/lychee', { key });
    expect(state.status).toBe(200);
    expect(state.body).toMatchObject({ offer: { heldUnits: 1, liveGroups: 1 }, watchers: 0 });
    expect(typeof state.body.serverTimeMs).toBe('number');
    const groups = await h.http('GET', '/v1/offers/lychee/groups', { key });
    expect(groups.body.groups).toEqual([expect.objectContaining({ groupId: opened.result.groupId, members: ['rosa'], size: 1 })]);

    const closed = await h.http('POST', '/v1/offers/lychee/close', { key });
    expect(closed.body.offer).toMatchObject({ status: 'closed', heldUnits: 0, liveGroups: 0 });
    const again = await h.http('PATCH', '/v1/offers/lychee', { key, body: { title: 'too late' } });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('offer_closed');
  });

  it('refuses settings that break promises with the engine’s code', async () => {
    const key = h.merchants.a.key;
    await h.http('POST', '/v1/offers', { key, body: offerBody('mango') });
    const shopper = await h.shopper('sam');
    await shopper.ok({ type: 'match_group', offerId: 'mango', qty: 3 });
    const shrink = await h.http('PATCH', '/v1/offers/mango', { key, body: { inventory: 2 } });
    expect(shrink.status).toBe(409);
    expect(shrink.body.error.code).toBe('edit_breaks_promise');
    const invalid = await h.http('POST', '/v1/offers', { key, body: { ...offerBody('bad-tiers'), mechanism: { type: 'group', minSize: 3, maxSize: 2, windowMs: 1000 } } });
    expect(invalid.status).toBe(422);
    expect(invalid.body.error.code).toBe('invalid_settings');
  });

  it('honours Idempotency-Key: a retry returns the first result and changes nothing', async () => {
    const key = h.merchants.a.key;
    const headers = { 'idempotency-key': 'create-kiwi-1' };
    const first = await h.http('POST', '/v1/offers', { key, body: offerBody('kiwi'), headers });
    const hash = h.server.engine.stateHash();
    const retry = await h.http('POST', '/v1/offers', { key, body: offerBody('kiwi'), headers });
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.body.offerId).toBe('kiwi');
    expect(h.server.engine.stateHash()).toBe(hash);
    const reused = await h.http('POST', '/v1/offers', { key, body: offerBody('kiwi-2'), headers });
    expect(reused.body.error.code).toBe('idempotency_key_reused');
  });
});

describe('shopper reads', () => {
  it('quotes a new group and a join, with the explanation', async () => {
    await h.http('POST', '/v1/offers', { key: h.merchants.a.key, body: offerBody('plum') });
    const quote = await h.http('GET', '/v1/offers/plum/quote?asLeader=true');
    expect(quote.status).toBe(200);
    expect(quote.body).toMatchObject({ offerId: 'plum', availableUnits: 20, quote: { currency: 'CNY', unitPriceMinor: 3_800 } });
    expect(quote.body.quote.explanation.map((line: { rule: string }) => line.rule)).toEqual(['base', 'size_tiers', 'leader_discount']);

    const shopper = await h.shopper('tara');
    const opened = await shopper.ok({ type: 'open_group', offerId: 'plum' });
    const join = await h.http('GET', `/v1/offers/plum/quote?groupId=${opened.result.groupId}`);
    expect(join.body.quote.unitPriceMinor).toBe(4_000);
  });

  it('lists open groups without member ids or amounts', async () => {
    await h.http('POST', '/v1/offers', { key: h.merchants.a.key, body: offerBody('pear') });
    const shopper = await h.shopper('uma');
    await shopper.ok({ type: 'open_group', offerId: 'pear' });
    const listed = await h.http('GET', '/v1/offers/pear/open-groups');
    expect(listed.status).toBe(200);
    expect(listed.body.groups).toHaveLength(1);
    expect(listed.body.groups[0]).toMatchObject({ size: 1, seatsMissing: 1, status: 'open' });
    expect(listed.body.groups[0]).not.toHaveProperty('members');
  });

  it('mints development tokens that authenticate', async () => {
    const minted = await h.http('POST', '/dev/shopper-tokens', { body: { shopperId: 'vera', newcomer: true, priorityClass: 1 } });
    expect(minted.status).toBe(201);
    const check = verifyShopperToken(TOKEN_SECRET, minted.body.token, h.clock.nowMs);
    expect(check).toEqual({
      ok: true,
      claims: { shopperId: 'vera', newcomer: true, expiresAtMs: minted.body.expiresAtMs, exposureLimitMinor: null, priorityClass: 1, creditScore: null, memberTier: null },
    });
    const gold = await h.http('POST', '/dev/shopper-tokens', { body: { shopperId: 'wen', memberTier: 'gold' } });
    expect(gold.status).toBe(201);
    expect(gold.body).toMatchObject({ shopperId: 'wen', newcomer: false, memberTier: 'gold' });
    expect(verifyShopperToken(TOKEN_SECRET, gold.body.token, h.clock.nowMs)).toMatchObject({ ok: true, claims: { shopperId: 'wen', memberTier: 'gold' } });
    expect((await h.http('POST', '/dev/shopper-tokens', { body: { shopperId: 'wen', memberTier: 'gold tier' } })).status).toBe(400);
    const client = await h.connect();
    expect((await client.ok({ type: 'authenticate', token: minted.body.token })).result).toMatchObject({ shopperId: 'vera', newcomer: true });
  });
});

describe('operations', () => {
  it('serves health, readiness and Prometheus metrics', async () => {
    expect(await h.http('GET', '/healthz')).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await h.http('GET', '/readyz')).toMatchObject({ status: 200, body: { status: 'ready' } });
    const metrics = await h.http('GET', '/metrics');
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    const text = metrics.body.text as string;
    for (const name of [
      'tuan_ws_connections ',
      'tuan_commands_total{type="create_offer"}',
      'tuan_rejections_total{code="offer_exists"}',
      'tuan_fanout_messages_total',
      'tuan_event_loop_lag_seconds{quantile="0.99"}',
      'tuan_engine_apply_seconds_bucket',
      'tuan_http_requests_total{route="create_offer",status="201"}',
    ]) {
      expect(text).toContain(name);
    }
  });

  it('echoes a well-formed X-Request-Id', async () => {
    const answer = await h.http('GET', '/healthz', { headers: { 'x-request-id': 'trace-abc_1' } });
    expect(answer.headers.get('x-request-id')).toBe('trace-abc_1');
    expect(answer.body.requestId).toBe('trace-abc_1');
  });
});
