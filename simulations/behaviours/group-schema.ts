// What shoppers of a group-buy (拼团) scenario do. One arrival: optionally ask for a quote and walk away when the
// price is above what a unit is worth to them; then match into a group or open one; optionally leave an open
// group when their patience runs out; optionally invite friends, who join by the invite link with a probability
// and may invite friends of their own (the viral cascade).
import { z } from 'zod';
import { DurationDistribution, NumberDistribution } from '../distributions.ts';

const Probability = z.number().min(0, 'must be ≥ 0').max(1, 'must be ≤ 1');
const Weight = z.number().min(0, 'must be ≥ 0').max(1_000_000);

/** The deepest invite chain followed; it also keeps generated shopper ids short. */
export const INVITE_DEPTH_MAX = 8;

export const GroupInvites = z.strictObject({
  /** Friends each member invites (rounded, at least 0). */
  count: NumberDistribution,
  /** Probability that an invited friend comes at all. */
  acceptProbability: Probability,
  /** How long after the invite a friend who comes arrives. */
  delay: DurationDistribution.default({ type: 'fixed', value: 0 }),
  /** Invite generations followed: 1 means only the first member's friends come, 2 their friends too, … */
  maxDepth: z.number().int().min(1, 'must be ≥ 1').max(INVITE_DEPTH_MAX).default(1),
  /** Which members invite: only the one who opened the group, or everyone who joins. */
  who: z.enum(['leader', 'every_member']).default('every_member'),
  /** A friend who finds the group full or settled asks to be matched into another instead of giving up. */
  fallbackToMatch: z.boolean().default(false),
  /** Probability that an invited friend is a newcomer (default: `shoppers.newcomerShare`). */
  newcomerShare: Probability.optional(),
});

export const GroupBehaviour = z.strictObject({
  mechanism: z.literal('group'),
  /** Which offer an arrival goes for, by weight (offer id → weight); default: all offers alike. */
  offerWeights: z.record(z.string(), Weight).optional(),
  /** What a fresh arrival does, by weight: be matched into the best group (opening one if none fits) or open one. */
  action: z.strictObject({ match: Weight.default(1), open: Weight.default(0) }).default({ match: 1, open: 0 })
    .refine((a) => a.match + a.open > 0, { message: 'at least one of match and open must have a weight above 0' }),
  /** Units a shopper takes (rounded, at least 1). */
  qty: NumberDistribution.default({ type: 'fixed', value: 1 }),
  /**
   * What one unit is worth to the shopper, in minor units. With it, a shopper asks for a quote first and walks
   * away when the quoted unit price is above it; without it, every shopper takes whatever the price is.
   */
  valueMinor: NumberDistribution.optional(),
  /** How long a member of a group that has not formed yet waits before leaving it. Absent: never leaves. */
  patience: DurationDistribution.optional(),
  invites: GroupInvites.optional(),
});

export type GroupBehaviour = z.output<typeof GroupBehaviour>;
