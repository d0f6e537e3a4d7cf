// Who may do what: shopper tokens (signature, expiry, pinned algorithm), merchant keys, and tenant isolation
// (one merchant's key never reaches another merchant's offers).
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintShopperToken } from '../../gateway/index.ts';
import { startHarness, TOKEN_SECRET, type Harness } from './helpers/harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const b64 = (value: object | string) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

function forge(header: object, payload: object, sign: (input: string) => string): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${sign(input)}`;
}

describe('shopper tokens', () => {
  const payload = () => ({ sub: 'mallory', newcomer: true, iat: Math.floor(h.clock.nowMs / 1000), exp: Math.floor(h.clock.nowMs / 1000) + 600 });

  it('refuses a token signed with another secret', async () => {
    const client = await h.connect();
    const token = mintShopperToken('another-secret-that-is-long-enough-xxxxxxxx', { shopperId: 'mallory', newcomer: true, ttlS: 600 }, h.clock.nowMs);
    const answer = await client.request({ type: 'authenticate', token });
    expect(answer).toMatchObject({ type: 'error', code: 'unauthorized' });
  });

  it('refuses a token whose payload was changed after signing', async () => {
    const client = await h.connect();
    const [header, , signature] = h.token('mallory').split('.');
    const tampered = `${header}.${b64({ ...payload(), sub: 'alice' })}.${signature}`;
    expect(await client.request({ type: 'authenticate', token: tampered })).toMatchObject({ type: 'error', code: 'unauthorized' });
  });

  it('refuses an expired token', async () => {
    const client = await h.connect();
    const token = mintShopperToken(TOKEN_SECRET, { shopperId: 'mallory', newcomer: false, ttlS: 60 }, h.clock.nowMs - 61_000);
    const answer = await client.request({ type: 'authenticate', token });
    expect(answer).toMatchObject({ type: 'error', code: 'unauthorized', message: expect.stringContaining('expired') });
  });

  it('refuses tokens that name another algorithm, including "none", even when signed accordingly', async () => {
    const client = await h.connect();
    const hs512 = forge({ alg: 'HS512', typ: 'JWT' }, payload(), (input) => createHmac('sha512', TOKEN_SECRET).update(input).digest('base64url'));
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(payload())}.`;
    const noneSigned = forge({ alg: 'none', typ: 'JWT' }, payload(), () => 'AAAA');
    for (const token of [hs512, none, noneSigned]) {
      expect(await client.request({ type: 'authenticate', token })).toMatchObject({ type: 'error', code: 'unauthorized' });
    }
    // The connection is still usable and still anonymous.
    expect(await client.request({ type: 'join_group', groupId: 'g' })).toMatchObject({ type: 'error', code: 'unauthorized' });
  });

  it('refuses garbage where a token should be', async () => {
    const client = await h.connect();
    for (const token of ['x', 'a.b', 'a.b.c.d', '!!!.???.###']) {
      expect(await client.request({ type: 'authenticate', token })).toMatchObject({ type: 'error', code: 'unauthorized' });
    }
  });

  it('asks for a new token once the one in use expires mid-connection', async () => {
    const offerId = await h.createOffer();
    const client = await h.connect();
    const token = mintShopperToken(TOKEN_SECRET, { shopperId: 'short-lived', newcomer: false, ttlS: 30 }, h.clock.nowMs);
    await client.ok({ type: 'authenticate', token });
    h.clock.advance(31_000);
    expect(await client.request({ type: 'match_group', offerId })).toMatchObject({ type: 'error', code: 'unauthorized' });
    await client.ok({ type: 'authenticate', token: h.token('short-lived') });
    await client.ok({ type: 'match_group', offerId });
  });

  it('keeps one identity per connection', async () => {
    const client = await h.shopper('judy');
    expect(await client.request({ type: 'authenticate', token: h.token('kim') })).toMatchObject({ type: 'error', code: 'forbidden' });
    expect(await client.request({ type: 'authenticate', apiKey: h.merchants.a.key })).toMatchObject({ type: 'error', code: 'forbidden' });
  });
});

describe('acting as oneself only', () => {
  it('requires authentication for shopper commands and uses the token’s identity', async () => {
    const offerId = await h.createOffer();
    const anonymous = await h.connect();
    expect(await anonymous.request({ type: 'open_group', offerId })).toMatchObject({ type: 'error', code: 'unauthorized' });
    const leo = await h.shopper('leo', { newcomer: true });
    const opened = await leo.ok({ type: 'open_group', offerId });
    expect(h.server.engine.group(opened.result.groupId)!.leaderId).toBe('leo');
  });

  it('refuses a message that tries to name its own shopper, newcomer flag or clock', async () => {
    const offerId = await h.createOffer();
    const leo = await h.shopper('leo2');
    for (const spoof of [{ shopperId: 'someone-else' }, { newcomer: true }, { nowMs: 1 }]) {
      expect(await leo.request({ type: 'match_group', offerId, ...spoof })).toMatchObject({ type: 'error', code: 'bad_request' });
    }
    expect(h.server.engine.groupsOf(offerId)).toEqual([]);
  });

  it('lets a shopper watch only its own channel', async () => {
    const anonymous = await h.connect();
    expect(await anonymous.request({ type: 'subscribe', channel: 'shopper:mia' })).toMatchObject({ type: 'error', code: 'unauthorized' });
    const nick = await h.shopper('nick');
    expect(await nick.request({ type: 'subscribe', channel: 'shopper:mia' })).toMatchObject({ type: 'error', code: 'forbidden' });
    await nick.ok({ type: 'subscribe', channel: 'shopper:nick' });
  });

  it('keeps shoppers away from merchant commands and merchants away from shopper commands', async () => {
    const offerId = await h.createOffer();
    const shopper = await h.shopper('olga');
    expect(await shopper.request({ type: 'pause_offer', offerId })).toMatchObject({ type: 'error', code: 'unauthorized' });
    const merchant = await h.merchant('a');
    expect(await merchant.request({ type: 'open_group', offerId })).toMatchObject({ type: 'error', code: 'unauthorized' });
    expect(h.server.engine.offer(offerId)!.status).toBe('active');
  });
});

describe('merchant keys and tenant isolation', () => {
  it('refuses requests without a key or with an unknown one', async () => {
    expect((await h.http('GET', '/v1/offers/anything')).status).toBe(401);
    const forged = `tuan_mk_${'0'.repeat(16)}_${'1'.repeat(64)}`;
    const answer = await h.http('POST', '/v1/offers', { key: forged, body: {} });
    expect(answer.status).toBe(401);
    expect(answer.body.error.code).toBe('unauthorized');
    // A real key id with the wrong secret is refused too.
    const [prefix, mk, keyId] = h.merchants.a.key.split('_');
    expect((await h.http('GET', '/v1/offers/anything', { key: `${prefix}_${mk}_${keyId}_${'2'.repeat(64)}` })).status).toBe(401);
    const ws = await h.connect();
    expect(await ws.request({ type: 'authenticate', apiKey: forged })).toMatchObject({ type: 'error', code: 'unauthorized' });
  });

  it('forbids merchant B every read and write on merchant A’s offer, and changes nothing', async () => {
    const offerId = await h.createOffer();
    const before = h.server.engine.stateHash();
    const key = h.merchants.b.key;
    const attempts = [
      await h.http('GET', `/v1/offers/${offerId}`, { key }),
      await h.http('GET', `/v1/offers/${offerId}/groups`, { key }),
      await h.http('PATCH', `/v1/offers/${offerId}`, { key, body: { title: 'Hijacked' } }),
      await h.http('POST', `/v1/offers/${offerId}/pause`, { key }),
      await h.http('POST', `/v1/offers/${offerId}/close`, { key }),
    ];
    for (const attempt of attempts) {
      expect(attempt.status).toBe(403);
      expect(attempt.body.error.code).toBe('forbidden');
    }
    const merchantB = await h.merchant('b');
    expect(await merchantB.request({ type: 'close_offer', offerId })).toMatchObject({ type: 'error', code: 'forbidden' });
    expect(await merchantB.request({ type: 'edit_offer', offerId, patch: { inventory: 0 } })).toMatchObject({ type: 'error', code: 'forbidden' });
    expect(h.server.engine.stateHash()).toBe(before);
    expect((await h.http('GET', `/v1/offers/${offerId}`, { key: h.merchants.a.key })).status).toBe(200);
  });

  it('creates offers under the key’s merchant whatever the body says', async () => {
    const answer = await h.http('POST', '/v1/offers', {
      key: h.merchants.b.key,
      body: { merchantId: 'merchant-a', offerId: 'sneaky', title: 'x', currency: 'CNY', inventory: 1, basePriceMinor: 1, mechanism: { type: 'group', minSize: 2, windowMs: 1000 } },
    });
    expect(answer.status).toBe(400);
    expect(h.server.engine.offer('sneaky')).toBeNull();
    const created = await h.http('POST', '/v1/offers', {
      key: h.merchants.b.key,
      body: { offerId: 'b-own', title: 'x', currency: 'CNY', inventory: 1, basePriceMinor: 1, mechanism: { type: 'group', minSize: 2, windowMs: 1000 } },
    });
    expect(created.status).toBe(201);
    expect(created.body.offer.merchantId).toBe('merchant-b');
  });
});
