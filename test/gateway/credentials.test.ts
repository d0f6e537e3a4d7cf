// Shopper tokens and merchant keys, in-process.
import { describe, expect, it } from 'vitest';
import { createHmac } from 'node:crypto';
import { generateMerchantKey, MerchantKeyring, mintShopperToken, parseMerchantKeyRecords, verifyShopperToken } from '../../gateway/index.ts';

const SECRET = 'unit-test-secret-that-is-long-enough-42';
const NOW = 1_700_000_000_000;

describe('shopper tokens', () => {
  it('round-trips the claims until the expiry, then refuses', () => {
    const token = mintShopperToken(SECRET, { shopperId: 'ann', newcomer: true, ttlS: 60 }, NOW);
    // Absent optional claims: no exposure limit given, class 0, no credit score, no member tier.
    expect(verifyShopperToken(SECRET, token, NOW)).toEqual({
      ok: true,
      claims: { shopperId: 'ann', newcomer: true, expiresAtMs: NOW + 60_000, exposureLimitMinor: null, priorityClass: 0, creditScore: null, memberTier: null },
    });
    expect(verifyShopperToken(SECRET, token, NOW + 59_999).ok).toBe(true);
    expect(verifyShopperToken(SECRET, token, NOW + 60_000)).toEqual({ ok: false, reason: 'expired' });
  });

  it('carries the facts the platform vouches for, within their bounds', () => {
    const token = mintShopperToken(SECRET, { shopperId: 'ann', newcomer: false, ttlS: 60, exposureLimitMinor: 50_000, priorityClass: 2, creditScore: 730, memberTier: 'gold' }, NOW);
    const check = verifyShopperToken(SECRET, token, NOW);
    expect(check).toEqual({
      ok: true,
      claims: { shopperId: 'ann', newcomer: false, expiresAtMs: NOW + 60_000, exposureLimitMinor: 50_000, priorityClass: 2, creditScore: 730, memberTier: 'gold' },
    });
    // A correctly signed token whose claims are out of range is refused, not clamped.
    const signed = (payload: object): string => {
      const input = `${token.split('.')[0]}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
      return `${input}.${createHmac('sha256', SECRET).update(input).digest('base64url')}`;
    };
    const base = { sub: 'ann', newcomer: false, iat: NOW / 1_000, exp: NOW / 1_000 + 60 };
    expect(verifyShopperToken(SECRET, signed({ ...base, priorityClass: 2 }), NOW).ok).toBe(true);
    expect(verifyShopperToken(SECRET, signed({ ...base, priorityClass: 8 }), NOW)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyShopperToken(SECRET, signed({ ...base, creditScore: -1 }), NOW)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyShopperToken(SECRET, signed({ ...base, exposureLimitMinor: 1.5 }), NOW)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyShopperToken(SECRET, signed({ ...base, memberTier: '' }), NOW)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyShopperToken(SECRET, signed({ ...base, memberTier: 'gold tier' }), NOW)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('names the failure: wrong secret, wrong algorithm, malformed', () => {
    const token = mintShopperToken(SECRET, { shopperId: 'ann', newcomer: false, ttlS: 60 }, NOW);
    expect(verifyShopperToken(`${SECRET}x`, token, NOW)).toEqual({ ok: false, reason: 'bad_signature' });
    const [, payload, signature] = token.split('.');
    const hs384 = Buffer.from(JSON.stringify({ alg: 'HS384', typ: 'JWT' })).toString('base64url');
    expect(verifyShopperToken(SECRET, `${hs384}.${payload}.${signature}`, NOW)).toEqual({ ok: false, reason: 'wrong_algorithm' });
    expect(verifyShopperToken(SECRET, 'not-a-token', NOW)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyShopperToken(SECRET, 'x'.repeat(5_000), NOW)).toEqual({ ok: false, reason: 'malformed' });
  });
});

describe('merchant keys', () => {
  it('authenticates a generated key from its stored record only', () => {
    const { apiKey, record } = generateMerchantKey('shop-1');
    expect(apiKey).toMatch(/^tuan_mk_[0-9a-f]{16}_[0-9a-f]{64}$/);
    expect(record).not.toContain(apiKey.split('_')[3]);
    const keyring = new MerchantKeyring(parseMerchantKeyRecords(record));
    expect(keyring.authenticate(apiKey)).toBe('shop-1');
    expect(keyring.authenticate(apiKey.replace(/.$/, (c) => (c === '0' ? '1' : '0')))).toBeNull();
    expect(keyring.authenticate(generateMerchantKey('shop-1').apiKey)).toBeNull();
    expect(keyring.authenticate('')).toBeNull();
  });

  it('refuses malformed records with a message saying the expected shape', () => {
    expect(() => parseMerchantKeyRecords('shop:abc:def')).toThrow(/merchantId:keyId/);
    expect(parseMerchantKeyRecords(' , ')).toEqual([]);
  });
});
