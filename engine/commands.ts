// The engine's input: every command a client, a merchant or the clock can send, as zod schemas. The offer and
// pricing commands are the core's (below); each mechanism brings its own (the registry collects them). The gateway
// parses raw input with `parseCommand`; `Engine.apply` takes an already typed command. Every schema is strict:
// unknown fields are bad input, not something to silently drop.
import { z } from 'zod';
import { MECHANISM_LIST, type MechanismCommand, type MechanismCommandSchema, type MechanismPatchShape, type MechanismSettingsSchema } from './registry.ts';
import { Currency, Id, NewId, TimeMs, commandBase, shopperFacts } from './schema-primitives.ts';
import { CORE_PATCH_SHAPE, OfferFields } from './kernel/offer-fields.ts';

export { Id, NewId, TimeMs, DurationMs, Money, Qty, Bps, Currency, VOUCHED_FACT_FIELDS, type VouchedFactField } from './schema-primitives.ts';
export { TimeZoneSchema, type TimeZone } from './kernel/time-zone.ts';
export { CORE_PATCH_SHAPE, OfferFields } from './kernel/offer-fields.ts';

const base = commandBase;

type SettingsSchema = MechanismSettingsSchema;

/** How an offer sells: one mechanism's settings, discriminated by `type` (group-buys, auctions, reservations, …). */
export const MechanismSettings = z.discriminatedUnion('type', MECHANISM_LIST.map((mechanism) => mechanism.settingsSchema) as unknown as [SettingsSchema, ...SettingsSchema[]]);

export const CreateOffer = z.strictObject({
  type: z.literal('create_offer'),
  ...base,
  merchantId: Id,
  offerId: NewId.optional(),
  currency: Currency,
  mechanism: MechanismSettings,
  ...OfferFields,
  /**
   * How the offer is priced, validated by `parseRuleSet` when the command runs (errors name the field, as
   * `invalid_settings`). Absent: the engine derives it from the mechanism's tiers and leader discount.
   */
  ruleSet: z.unknown().optional(),
});

/**
 * The fields of an edit: the core's and every mechanism's own (a group-buy's tiers…). A mechanism's field on an
 * offer of another mechanism is refused when the command runs (`invalid_settings`).
 */
export const OfferPatch = z.strictObject(Object.assign({}, CORE_PATCH_SHAPE, ...MECHANISM_LIST.map((mechanism) => mechanism.patchShape)) as typeof CORE_PATCH_SHAPE & MechanismPatchShape).partial();

export const EditOffer = z.strictObject({ type: z.literal('edit_offer'), ...base, merchantId: Id, offerId: Id, patch: OfferPatch });
export const PauseOffer = z.strictObject({ type: z.literal('pause_offer'), ...base, merchantId: Id, offerId: Id });
export const ResumeOffer = z.strictObject({ type: z.literal('resume_offer'), ...base, merchantId: Id, offerId: Id });
export const CloseOffer = z.strictObject({ type: z.literal('close_offer'), ...base, merchantId: Id, offerId: Id });

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

/**
 * Read-only: the unit price a shopper would be quoted now, for a new group or for joining `groupId`. Priced for
 * the shopper it is sent for: the gateway stamps the vouched segment (`newcomer`, `memberTier`) of an authenticated
 * shopper; an anonymous quote is for a shopper with none.
 */
export const Quote = z.strictObject({
  type: z.literal('quote'),
  ...base,
  newcomer: shopperFacts.newcomer,
  memberTier: shopperFacts.memberTier,
  offerId: Id,
  groupId: Id.optional(),
  asLeader: z.boolean().default(false),
});

/** Wakes the engine: everything due at or before `nowMs` is settled. Carries no other meaning. */
export const Tick = z.strictObject({ type: z.literal('tick'), ...base });

export const CORE_COMMANDS = [CreateOffer, EditOffer, PauseOffer, ResumeOffer, CloseOffer, SetRuleSet, Quote, Tick] as const;

type CommandSchema = (typeof CORE_COMMANDS)[number] | MechanismCommandSchema;
const ALL_COMMANDS = [...CORE_COMMANDS, ...MECHANISM_LIST.flatMap((mechanism): readonly CommandSchema[] => mechanism.commandSchemas)] as unknown as [CommandSchema, ...CommandSchema[]];

export const Command = z.discriminatedUnion('type', ALL_COMMANDS);

export type CoreCommand = z.output<(typeof CORE_COMMANDS)[number]>;
export type Command = CoreCommand | MechanismCommand;
export type CommandInput = z.input<typeof Command>;
export type CommandType = Command['type'];
export type CommandOf<T extends CommandType> = Extract<Command, { type: T }>;
export type MechanismSettings = z.output<typeof MechanismSettings>;
export type OfferPatch = z.output<typeof OfferPatch>;

/** Commands that never change state: the sequencer need not journal them. */
export const READ_ONLY_COMMANDS: ReadonlySet<CommandType> = new Set(['quote']);
