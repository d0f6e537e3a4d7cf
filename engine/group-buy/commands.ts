// Group-buy (拼团) settings and the commands shoppers send to group-buys (SPEC §2), as zod schemas. Every schema is
// strict: an unknown field is bad input, not something to drop silently.
import { z } from 'zod';
import { LIMITS } from '../limits.ts';
import { Bps, commandBase, Id, Money, NewId, Qty, shopperFacts } from '../schema-primitives.ts';

/** A price tier: groups of at least `minSize` members pay `priceMinor` a unit. */
export const PriceTier = z.strictObject({ minSize: z.number().int().min(1).max(LIMITS.groupSizeMax), priceMinor: Money });

export const GroupSettings = z.strictObject({
  type: z.literal('group'),
  /** 成团人数: the group forms once it has this many members. */
  minSize: z.number().int().min(2).max(LIMITS.groupSizeMax),
  /** The group completes as soon as it has this many members. Absent: it takes members until its deadline. */
  maxSize: z.number().int().min(2).max(LIMITS.groupSizeMax).optional(),
  /** A group's life from its opening; clamped to the offer's end. */
  windowMs: z.number().int().min(1).max(LIMITS.groupWindowMsMax),
  /** Unit price by final group size; prices must not rise as the size grows. Below the first tier: the base price. */
  tiers: z.array(PriceTier).max(LIMITS.tiersMax).default([]),
  /** Discount for the group's leader, in basis points of the unit price. */
  leaderDiscountBps: Bps.default(0),
  /** Members other than the leader must be newcomers (老带新). */
  newcomerOnly: z.boolean().default(false),
  /** At the deadline, a group missing at most this many seats completes anyway (模拟成团), disclosed in its event. */
  autoFillMaxSeats: z.number().int().min(0).max(LIMITS.groupSizeMax).default(0),
  /** Whether `match_group` may open a new group when none is joinable. */
  matchOpensGroup: z.boolean().default(true),
});

/** Fields `edit_offer.patch` may carry for a group-buy: its pricing settings (when no merchant rule set prices it). */
export const GROUP_PATCH_SHAPE = {
  tiers: z.array(PriceTier).max(LIMITS.tiersMax).optional(),
  leaderDiscountBps: Bps.optional(),
};

export const OpenGroup = z.strictObject({
  type: z.literal('open_group'),
  ...commandBase,
  ...shopperFacts,
  offerId: Id,
  groupId: NewId.optional(),
  qty: Qty.default(1),
});
export const JoinGroup = z.strictObject({ type: z.literal('join_group'), ...commandBase, ...shopperFacts, groupId: Id, qty: Qty.default(1) });
export const MatchGroup = z.strictObject({
  type: z.literal('match_group'),
  ...commandBase,
  ...shopperFacts,
  offerId: Id,
  /** Id for the new group if matching has to open one. */
  groupId: NewId.optional(),
  qty: Qty.default(1),
});
export const LeaveGroup = z.strictObject({ type: z.literal('leave_group'), ...commandBase, shopperId: Id, groupId: Id });

export const GROUP_COMMANDS = [OpenGroup, JoinGroup, MatchGroup, LeaveGroup] as const;

export type GroupSettings = z.output<typeof GroupSettings>;
export type PriceTier = z.output<typeof PriceTier>;
export type GroupCommand = z.output<(typeof GROUP_COMMANDS)[number]>;
export type GroupCommandOf<T extends GroupCommand['type']> = Extract<GroupCommand, { type: T }>;
