// Token lifetime: correctly signed tokens are still refused when they live too long (exp − iat or exp − now past
// TOKEN_MAX_LIFETIME_S, an exp in milliseconds included), were issued in the future beyond TOKEN_CLOCK_SKEW_S, or
// carry no iat. Over a real socket and over HTTP, plus the rule on its own.
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TOKEN_POLICY, verifyShopperToken } from '../../gateway/index.ts';
import { startHarness, TOKEN_SECRET, type Harness } from './helpers/harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ tokenPolicy: { maxLifetimeS: 3_600, clockSkewS: 60 } });
});
afterAll(async () => {
  await h.close();
});

function signed(payload: object): string {
  const input = `${Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  return `${input}.${createHmac('sha256', TOKEN_SECRET).update(input).digest('base64url')}`;
}

const nowS = (): number => Math.floor(h.clock.nowMs / 1_000);
const YEAR_S = 365 * 24 * 3_600;

describe('token lifetime over the socket and HTTP', () => {
  const cases: [string, () => object, RegExp][] = [
    ['a 50-year token', () => ({ sub: 'lee', newcomer: false, iat: nowS(), exp: nowS() + 50 * YEAR_S }), /lives longer/],
    ['exp in milliseconds', () => ({ sub: 'lee', newcomer: false, iat: nowS(), exp: h.clock.nowMs + 600_000 }), /lives longer/],
    ['iat a year in the future', () => ({ sub: 'lee', newcomer: false, iat: nowS() + YEAR_S, exp: nowS() + YEAR_S + 600 }), /issued in the future/],
    ['iat backdated, exp far ahead', () => ({ sub: 'lee', newcomer: false, iat: nowS() - 10, exp: nowS() + 3_600 + 120 }), /lives longer/],
    ['no iat', () => ({ sub: 'lee', newcomer: false, exp: nowS() + 600 }), /not valid/],
  ];

  for (const [name, payload, message] of cases) {
    it(`refuses ${name} with unauthorized`, async () => {
      const token = signed(payload());
      const client = await h.connect();
      expect(await client.request({ type: 'authenticate', token })).toMatchObject({ type: 'error', code: 'unauthorized', message: expect.stringMatching(message) });
      const read = await h.http('GET', '/v1/offers/none/quote', { headers: { authorization: `Bearer ${token}` } });
      expect(read.status).toBe(401);
      expect(read.body.error).toMatchObject({ code: 'unauthorized', message: expect.stringMatching(message) });
    });
  }

  it('accepts the longest lifetime allowed and an iat within the clock skew', async () => {
    const client = await h.connect();
    await client.ok({ type: 'authenticate', token: signed({ sub: 'lee', newcomer: false, iat: nowS(), exp: nowS() + 3_600 }) });
    await client.ok({ type: 'authenticate', token: signed({ sub: 'lee', newcomer: false, iat: nowS() + 60, exp: nowS() + 600 }) });
    expect(await client.request({ type: 'authenticate', token: signed({ sub: 'lee', newcomer: false, iat: nowS() + 61, exp: nowS() + 600 }) })).toMatchObject({
      code: 'unauthorized',
    });
  });
});

describe('the rule', () => {
  const NOW = 1_700_000_000_000;
  const at = (iat: number, exp: number) => signed({ sub: 'ann', newcomer: false, iat, exp });
  const s = NOW / 1_000;

  it('defaults to 24 h and 60 s, and has no leeway at the expiry', () => {
    expect(DEFAULT_TOKEN_POLICY).toEqual({ maxLifetimeS: 86_400, clockSkewS: 60 });
    expect(verifyShopperToken(TOKEN_SECRET, at(s, s + 86_400), NOW).ok).toBe(true);
    expect(verifyShopperToken(TOKEN_SECRET, at(s, s + 86_401), NOW)).toEqual({ ok: false, reason: 'lifetime_too_long' });
    expect(verifyShopperToken(TOKEN_SECRET, at(s + 60, s + 600), NOW).ok).toBe(true);
    expect(verifyShopperToken(TOKEN_SECRET, at(s + 61, s + 600), NOW)).toEqual({ ok: false, reason: 'not_yet_valid' });
    expect(verifyShopperToken(TOKEN_SECRET, at(s - 600, s), NOW)).toEqual({ ok: false, reason: 'expired' });
  });
});

describe('every bad credential is unauthorized', () => {
  it('answers 401 / unauthorized for an empty, overlong, malformed, badly signed or expired credential', async () => {
    const client = await h.connect();
    const expired = signed({ sub: 'lee', newcomer: false, iat: nowS() - 700, exp: nowS() - 100 });
    const badSignature = `${h.token('lee').slice(0, -2)}xx`;
    for (const token of ['', 'x'.repeat(10_000), 'a.b.c', badSignature, expired]) {
      expect(await client.request({ type: 'authenticate', token }), `token ${token.slice(0, 20)}`).toMatchObject({ type: 'error', code: 'unauthorized' });
      if (token.length > 0) expect((await h.http('GET', '/v1/offers/none/quote', { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
    }
    for (const apiKey of ['', 'k'.repeat(10_000), 'tuan_mk_0_0']) {
      expect(await client.request({ type: 'authenticate', apiKey })).toMatchObject({ type: 'error', code: 'unauthorized' });
      if (apiKey.length > 0) expect((await h.http('GET', '/v1/offers', { key: apiKey })).status).toBe(401);
    }
    for (const authorization of ['', 'Bearer ', 'Bearer', 'Basic abc']) {
      expect((await h.http('GET', '/v1/offers', { headers: { authorization } })).status, `"${authorization}"`).toBe(401);
    }
    // A message that names no credential, or two, is a malformed message: bad_request.
    expect(await client.request({ type: 'authenticate' })).toMatchObject({ code: 'bad_request' });
    expect(await client.request({ type: 'authenticate', token: 'a', apiKey: 'b' })).toMatchObject({ code: 'bad_request' });
    // The connection stays usable and anonymous.
    expect(await client.request({ type: 'join_group', groupId: 'g' })).toMatchObject({ code: 'unauthorized' });
  });
});
