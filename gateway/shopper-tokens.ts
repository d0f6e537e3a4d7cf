// Shopper tokens: compact JWTs signed with HMAC-SHA256. The algorithm is pinned: a token whose header names
// anything but HS256 (including "none") is refused before its signature is even looked at, so a forged header
// can never choose how it is checked. Signatures are compared in constant time. The token says who the shopper
// is, whether it counts as a newcomer and, optionally, what the platform vouches for it (exposure limit in
// auctions, priority class and credit score in reservations); the gateway puts these facts into every command,
// never the client's word.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { Id, Money } from '../engine/index.ts';
import { MemberTierName } from '../pricing/index.ts';

/** Facts the platform vouches for beyond identity. Absent claims: no exposure limit given, class 0, no credit score. */
export interface ShopperFactClaims {
  /** The most the shopper may have committed in open auctions at once (minor units); null: no limit. */
  exposureLimitMinor: number | null;
  /** Reservation priority class, 0 the highest. */
  priorityClass: number;
  /** Credit score (0–1000) that may waive reservation deposits; null: none. */
  creditScore: number | null;
  /** Membership tier (a `member_tier_discount` rule prices by it); null: none. */
  memberTier: string | null;
}

export interface ShopperClaims extends ShopperFactClaims {
  shopperId: string;
  newcomer: boolean;
  /** Milliseconds since the epoch; the token is refused from this instant on. */
  expiresAtMs: number;
}

/** What a token may be minted with: identity, life, and any of the optional facts. */
export interface MintClaims {
  shopperId: string;
  newcomer: boolean;
  ttlS: number;
  exposureLimitMinor?: number | undefined;
  priorityClass?: number | undefined;
  creditScore?: number | undefined;
  memberTier?: string | undefined;
}

export type TokenCheck =
  | { ok: true; claims: ShopperClaims }
  | { ok: false; reason: 'malformed' | 'wrong_algorithm' | 'bad_signature' | 'expired' | 'not_yet_valid' | 'lifetime_too_long' };

/**
 * How long a token may live and how far the issuer's clock may run ahead of the server's. A correctly signed token
 * is still refused when it claims to live longer than `maxLifetimeS` (exp − iat), when it would still be valid
 * longer than that from now (exp − now, which also catches an `exp` given in milliseconds), or when it was issued
 * more than `clockSkewS` in the future. Expiry itself has no leeway: a token is refused from its `exp` on.
 */
export interface TokenPolicy {
  maxLifetimeS: number;
  clockSkewS: number;
}

export const DEFAULT_TOKEN_POLICY: TokenPolicy = { maxLifetimeS: 24 * 3_600, clockSkewS: 60 };

const HEADER = { alg: 'HS256', typ: 'JWT' } as const;
const ENCODED_HEADER = base64url(JSON.stringify(HEADER));
const TOKEN_LENGTH_MAX = 4_096;
const SEGMENT = /^[A-Za-z0-9_-]+$/;

const Header = z.object({ alg: z.string(), typ: z.string().optional() });
export const PriorityClassClaim = z.number().int().min(0).max(7);
export const CreditScoreClaim = z.number().int().min(0).max(1_000);
export const MemberTierClaim = MemberTierName;

const Payload = z.strictObject({
  sub: Id,
  newcomer: z.boolean(),
  exposureLimitMinor: Money.optional(),
  priorityClass: PriorityClassClaim.optional(),
  creditScore: CreditScoreClaim.optional(),
  memberTier: MemberTierClaim.optional(),
  /** Seconds since the epoch, as JWT has it. Required: without it a token's lifetime cannot be bounded. */
  iat: z.number().int().min(0),
  exp: z.number().int().min(0),
});

export function mintShopperToken(secret: string, claims: MintClaims, nowMs: number): string {
  const iat = Math.floor(nowMs / 1_000);
  const facts = {
    ...(claims.exposureLimitMinor !== undefined ? { exposureLimitMinor: claims.exposureLimitMinor } : {}),
    ...(claims.priorityClass !== undefined ? { priorityClass: claims.priorityClass } : {}),
    ...(claims.creditScore !== undefined ? { creditScore: claims.creditScore } : {}),
    ...(claims.memberTier !== undefined ? { memberTier: claims.memberTier } : {}),
  };
  const payload = base64url(JSON.stringify({ sub: claims.shopperId, newcomer: claims.newcomer, ...facts, iat, exp: iat + claims.ttlS }));
  const signingInput = `${ENCODED_HEADER}.${payload}`;
  return `${signingInput}.${sign(secret, signingInput).toString('base64url')}`;
}

export function verifyShopperToken(secret: string, token: string, nowMs: number, policy: TokenPolicy = DEFAULT_TOKEN_POLICY): TokenCheck {
  if (token.length > TOKEN_LENGTH_MAX) return { ok: false, reason: 'malformed' };
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every((part) => SEGMENT.test(part))) return { ok: false, reason: 'malformed' };
  const [encodedHeader, encodedPayload, encodedSignature] = parts as [string, string, string];

  const header = Header.safeParse(decodeJson(encodedHeader));
  if (!header.success) return { ok: false, reason: 'malformed' };
  if (header.data.alg !== HEADER.alg) return { ok: false, reason: 'wrong_algorithm' };

  const expected = sign(secret, `${encodedHeader}.${encodedPayload}`);
  const presented = Buffer.from(encodedSignature, 'base64url');
  if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) return { ok: false, reason: 'bad_signature' };

  const payload = Payload.safeParse(decodeJson(encodedPayload));
  if (!payload.success) return { ok: false, reason: 'malformed' };
  const { iat, exp } = payload.data;
  const expiresAtMs = exp * 1_000;
  if (expiresAtMs <= nowMs) return { ok: false, reason: 'expired' };
  if (iat * 1_000 > nowMs + policy.clockSkewS * 1_000) return { ok: false, reason: 'not_yet_valid' };
  if (exp - iat > policy.maxLifetimeS || expiresAtMs - nowMs > (policy.maxLifetimeS + policy.clockSkewS) * 1_000) return { ok: false, reason: 'lifetime_too_long' };
  const { sub, newcomer, exposureLimitMinor, priorityClass, creditScore, memberTier } = payload.data;
  return {
    ok: true,
    claims: {
      shopperId: sub,
      newcomer,
      expiresAtMs,
      exposureLimitMinor: exposureLimitMinor ?? null,
      priorityClass: priorityClass ?? 0,
      creditScore: creditScore ?? null,
      memberTier: memberTier ?? null,
    },
  };
}

/** What a client is told: enough to act on, nothing about which check a forgery got past. */
export function describeTokenProblem(reason: Exclude<TokenCheck, { ok: true }>['reason']): string {
  switch (reason) {
    case 'expired':
      return 'the token has expired; get a new one';
    case 'wrong_algorithm':
      return 'the token must be signed with HS256';
    case 'not_yet_valid':
      return 'the token was issued in the future (iat); check the issuer’s clock';
    case 'lifetime_too_long':
      return 'the token lives longer than the server allows (exp − iat, in seconds); get a shorter-lived one';
    case 'malformed':
    case 'bad_signature':
      return 'the token is not valid';
    default:
      return reason satisfies never;
  }
}

function sign(secret: string, input: string): Buffer {
  return createHmac('sha256', secret).update(input).digest();
}

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

function decodeJson(segment: string): unknown {
  try {
    return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}
