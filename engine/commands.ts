// The engine's input: every command a client, a merchant or the clock can send, as zod schemas.
// The gateway parses raw input with `parseCommand`; `Engine.apply` takes an already typed command.
// Every schema is `.strict()`: unknown fields are bad input, not something to silently drop.
import { z } from 'zod';
import { LIMITS } from './limits.ts';
import { AUCTION_COMMANDS, AuctionSettings } from './auctions/commands.ts';
import { RESERVATION_COMMANDS, ReservationSettings } from './reservations/commands.ts';
import { Bps, commandBase, Currency, Id, Money, NewId, Qty, shopperFacts, TimeMs } from './schema-primitives.ts';

export { Id, NewId, TimeMs, DurationMs, Money, Qty, Bps, Currency } from './schema-primitives.ts';

const base = commandBase;

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

/** How an offer sells: group-buys (§2), auctions (§3) or reservation queues and slots (§4). */
export const Mechanism = z.discriminatedUnion('type', [GroupSettings, AuctionSettings, ReservationSettings]);

export const OfferFields = {
  title: z.string().min(1).max(LIMITS.titleLengthMax),
  inventory: z.number().int().min(0).max(LIMITS.inventoryMax),
  basePriceMinor: Money,
  /** Units one shopper may hold and buy in this offer, across all its groups. Absent: no limit. */
  perShopperLimit: z.number().int().min(1).max(LIMITS.inventoryMax).optional(),
  startMs: TimeMs.optional(),
  endMs: TimeMs.optional(),
};

export const CreateOffer = z.strictObject({
  type: z.literal('create_offer'),
  ...base,
  merchantId: Id,
  offerId: NewId.optional(),
  currency: Currency,
  mechanism: Mechanism,
  ...OfferFields,
  /**
   * How the offer is priced, validated by `parseRuleSet` when the command runs (errors name the field, as
   * `invalid_settings`). Absent: the engine derives it from the mechanism's tiers and leader discount.
   */
  ruleSet: z.unknown().optional(),
});

/** Fields a merchant may change on a live offer. Changing `mechanism` settings applies to groups opened afterwards. */
export const OfferPatch = z.strictObject({
  title: OfferFields.title.optional(),
  inventory: OfferFields.inventory.optional(),
  basePriceMinor: Money.optional(),
  perShopperLimit: OfferFields.perShopperLimit.nullable(),
  endMs: TimeMs.nullable(),
  tiers: z.array(PriceTier).max(LIMITS.tiersMax).optional(),
  leaderDiscountBps: Bps.optional(),
}).partial();

export const EditOffer = z.strictObject({ type: z.literal('edit_offer'), ...base, merchantId: Id, offerId: Id, patch: OfferPatch });
export const PauseOffer = z.strictObject({ type: z.literal('pause_offer'), ...base, merchantId: Id, offerId: Id });
export const ResumeOffer = z.strictObject({ type: z.literal('resume_offer'), ...base, merchantId: Id, offerId: Id });
export const CloseOffer = z.strictObject({ type: z.literal('close_offer'), ...base, merchantId: Id, offerId: Id });

const shopper = shopperFacts;

export const OpenGroup = z.strictObject({
  type: z.literal('open_group'),
  ...base,
  ...shopper,
  offerId: Id,
  groupId: NewId.optional(),
  qty: Qty.default(1),
});
export const JoinGroup = z.strictObject({ type: z.literal('join_group'), ...base, ...shopper, groupId: Id, qty: Qty.default(1) });
export const MatchGroup = z.strictObject({
  type: z.literal('match_group'),
  ...base,
  ...shopper,
  offerId: Id,
  /** Id for the new group if matching has to open one. */
  groupId: NewId.optional(),
  qty: Qty.default(1),
});
export const LeaveGroup = z.strictObject({ type: z.literal('leave_group'), ...base, shopperId: Id, groupId: Id });

/**
 * Replaces an offer's rule set with a new version, in force from `max(nowMs, effectiveAtMs)`. The rule set is
 * validated when the command runs, so its errors come back as `invalid_settings` naming the field.
 */
export const SetRuleSet = z.strictObject({
  type: z.literal('set_rule_set'),
  ...base,
  merchantId: Id,
  offerId: Id,
  ruleSet: z.unknown(),
  effectiveAtMs: TimeMs.optional(),
});

/** Read-only: the unit price a shopper would be quoted now, for a new group or for joining `groupId`. */
export const Quote = z.strictObject({
  type: z.literal('quote'),
  ...base,
  offerId: Id,
  groupId: Id.optional(),
  asLeader: z.boolean().default(false),
});

/** Wakes the engine: everything due at or before `nowMs` is settled. Carries no other meaning. */
export const Tick = z.strictObject({ type: z.literal('tick'), ...base });

export const Command = z.discriminatedUnion('type', [
  CreateOffer,
  EditOffer,
  PauseOffer,
  ResumeOffer,
  CloseOffer,
  SetRuleSet,
  OpenGroup,
  JoinGroup,
  MatchGroup,
  LeaveGroup,
  Quote,
  Tick,
  ...AUCTION_COMMANDS,
  ...RESERVATION_COMMANDS,
]);

export type Command = z.output<typeof Command>;
export type CommandInput = z.input<typeof Command>;
export type CommandType = Command['type'];
export type CommandOf<T extends CommandType> = Extract<Command, { type: T }>;
export type GroupSettings = z.output<typeof GroupSettings>;
export type MechanismSettings = z.output<typeof Mechanism>;
export type PriceTier = z.output<typeof PriceTier>;
export type OfferPatch = z.output<typeof OfferPatch>;

/** Commands that never change state: the sequencer need not journal them. */
export const READ_ONLY_COMMANDS: ReadonlySet<CommandType> = new Set(['quote']);
