// The building blocks every command schema shares: ids, times, money, quantities and the fields every command
// (or every shopper command) carries. Kept apart from commands.ts so the mechanism folders (auctions/,
// reservations/) can build their schemas from them without an import cycle.
import { z } from 'zod';
import { MemberTierName } from '../pricing/index.ts';
import { LIMITS } from './limits.ts';

/** Ids are strings; a bound keeps maps keyed by them small and logs readable. */
export const Id = z
  .string()
  .min(1)
  .max(LIMITS.idLengthMax)
  .regex(/^[A-Za-z0-9_.:~\-]+$/, 'use letters, digits and _ . : - ~ only');
/** An id the caller picks for something new. `~` is kept for ids the engine makes, so the two never collide. */
export const NewId = Id.regex(/^[^~]*$/, '"~" is kept for ids the engine makes; pick an id without it');
export const TimeMs = z.number().int().min(0).max(LIMITS.timeMsMax);
export const DurationMs = z.number().int().min(1).max(LIMITS.groupWindowMsMax);
export const Money = z.number().int().min(0).max(LIMITS.priceMinorMax);
export const Qty = z.number().int().min(1).max(LIMITS.qtyPerJoinMax);
export const Bps = z.number().int().min(0).max(10_000);
export const Currency = z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as CNY or USD');

/** Fields every command carries: the sequencer's clock and an optional idempotency key. */
export const commandBase = {
  nowMs: TimeMs,
  idempotencyKey: z.string().min(1).max(LIMITS.idempotencyKeyLengthMax).optional(),
};

/**
 * Who a shopper is, as the gateway vouches for it (from the signed token): the engine takes it as fact. Every
 * command a shopper sends names the shopper; those that price something also carry the shopper's segment.
 */
export const shopperFacts = {
  shopperId: Id,
  /** First order on the platform. */
  newcomer: z.boolean().default(false),
  /** The shopper's membership tier (a `member_tier_discount` rule prices by it). */
  memberTier: MemberTierName.optional(),
};

/**
 * Fields the gateway stamps on a shopper's command from what the token vouches for, never from the client's message.
 * They are facts about the shopper at the time of the command, not part of what the client asked: an idempotent
 * retry after a token renewal carries other facts and is still the same command (see idempotency.ts).
 */
export const VOUCHED_FACT_FIELDS = ['newcomer', 'memberTier', 'exposureLimitMinor', 'priorityClass', 'creditScore'] as const;
export type VouchedFactField = (typeof VOUCHED_FACT_FIELDS)[number];
