// The contract every way of selling an offer implements: group-buys, auctions, reservations, and the next ones.
// A mechanism is one folder (engine/<mechanism>/) whose index exports one object of this type, and one line in
// registry.ts. The kernel (engine/kernel/) calls these hooks and nothing else of the mechanism; the mechanism
// works on its own part of the offer (`offer.market`, discriminated by `type`) through the kernel's primitives
// (holds and sales in inventory.ts, sellability in sellable.ts, deadlines, the pricing bridge, emitting events,
// touching shoppers' portfolios). Leaving a hook out, or giving it the wrong types, is a compile error.
//
// Contract for every hook that receives a `ctx`: it runs inside one engine step (a command, or a deadline at its
// own time), must be deterministic (no clock, no randomness: time is `ctx.nowMs` or the deadline's `atMs`), and
// must check everything before changing anything, so a refusal leaves the state exactly as it was. Hooks without
// a `ctx` are pure reads.
import type { z } from 'zod';
import type { CommandOf, OfferPatch } from './commands.ts';
import type { EventCatalog } from './kernel/events.ts';
import type { Ctx } from './kernel/context.ts';
import type { Deadline, DeadlineQueue } from './kernel/deadlines.ts';
import type { DerivedPricing, PricedShopper } from './kernel/pricing-bridge.ts';
import type { EngineState, Offer } from './kernel/state.ts';
import type { CommandResult, Rejection } from './results.ts';
import type { MechanismViewFields, PortfolioKey } from './views.ts';

/** What every mechanism's part of an offer has: its type and the settings the offer was created with. */
export interface MarketBase<T extends string = string, S = unknown> {
  type: T;
  settings: S;
}

/** An offer whose market is `M`: how a mechanism sees its own offers once the kernel dispatched to it. */
export type OfferOf<M> = Offer & { market: M };

/** A shopper's live stake in one offer, as its portfolio records it. */
export interface Involvement {
  /** What the shopper has committed here and may still have to pay (live bids); 0 for anything already paid or held. */
  exposureMinor: number;
}

/**
 * How the pricing bridge prices this mechanism's offers: the headline (what a new shopper would pay a unit now) and
 * the demand inputs that only the mechanism knows.
 */
export interface PricingShape<O> {
  /** The group size and minimum size a new shopper's quote is evaluated at, and the deadline a new group would have. */
  headline(offer: O, atMs: number): { size: number; minSize: number; groupDeadlineMs: number | null };
  /** Shoppers waiting (the `queue_length` demand input): a queue's line, slot waitlists; 0 where nobody waits. */
  queueLength(offer: O): number;
  /** What prices the offer when its merchant gives no rule set (a group-buy's tiers and leader discount; else none). */
  derived(offer: O): DerivedPricing;
}

/** The quote command, and the shopper facts it is priced for. */
export type QuoteCommand = CommandOf<'quote'>;
export type CreateOfferCommand = CommandOf<'create_offer'>;

/**
 * The types one mechanism brings, in one bundle: the registry derives the engine's unions from them (markets,
 * commands, events, rejection codes, command answers), so a new mechanism needs no edit anywhere else.
 */
export interface MechanismTypes {
  type: string;
  settings: { type: string };
  /** The zod schema of its settings (a strict object whose `type` is a literal), and of its commands. */
  settingsSchema: z.ZodObject;
  commandSchemas: readonly z.ZodObject[];
  market: MarketBase;
  command: { type: string };
  event: { type: string; offerId: string };
  /** Its market in snapshots. */
  data: unknown;
  /** One entry of a shopper's stakes in the shopper view. */
  portfolioItem: unknown;
  /** State across its offers, and its snapshot form (null when it keeps none). */
  global: unknown;
  globalData: unknown;
  rejectionCode: string;
  /** The zod shape of its own `edit_offer.patch` fields (`{}` when it has none). */
  patch: z.ZodRawShape;
  /** Fields an accepted command of this mechanism adds to the result (`groupId`, `auction`, `reservation`, …). */
  ack: object;
}

export interface Mechanism<X extends MechanismTypes> {
  readonly type: X['type'];
  /** The zod schema of its `create_offer.mechanism` settings (a strict object whose `type` is the literal `T`). */
  readonly settingsSchema: X['settingsSchema'];
  /** The zod schemas of the commands it answers (strict objects with a literal `type`); `apply` gets them parsed. */
  readonly commandSchemas: X['commandSchemas'];
  /** Fields `edit_offer.patch` may carry for offers of this mechanism (e.g. a group-buy's tiers), beside the core ones. */
  readonly patchShape: X['patch'];
  /** The rejection codes only this mechanism answers (the core's are in results.ts). */
  readonly rejectionCodes: readonly X['rejectionCode'][];
  /** Every event it emits: public form, private recipients, effects (see kernel/events.ts). */
  readonly events: EventCatalog<X['event']>;
  readonly pricing: PricingShape<OfferOf<X['market']>>;
  /** Where a shopper's stakes in its offers go in the shopper view (`Engine.shopper`). */
  readonly portfolioKey: PortfolioKey;
  /** State the mechanism keeps across its offers (a group-buy's groups are found by id alone), or null. */
  readonly global: GlobalPart<X['global'], X['globalData']> | null;

  /** Why these create_offer settings cannot make an offer of this mechanism, naming the field; null when they can. */
  settingsProblem(cmd: CreateOfferCommand, settings: X['settings'], nowMs: number): string | null;
  /** The market of a new offer. Called before the offer exists in the state; `started` runs once it does. */
  newMarket(settings: X['settings'], ctx: Ctx): X['market'];
  /** The offer now exists: the mechanism may queue deadlines and emit events (a Dutch clock starts). */
  started(ctx: Ctx, offer: OfferOf<X['market']>): void;
  /** Applies one of its own commands (a shopper's usually). Looks up its offer itself: some commands name only a group. */
  apply(ctx: Ctx, cmd: X['command']): CommandResult;
  /** A read-only quote on one of its offers, for `shopper`. */
  quote(ctx: Ctx, offer: OfferOf<X['market']>, cmd: QuoteCommand, shopper: PricedShopper): CommandResult;
  /** Whether a deadline it queued (kind `T`) still means something. */
  isDeadlineLive(offer: OfferOf<X['market']>, entry: Deadline): boolean;
  /** Settles a live deadline of its own at the deadline's own time `entry.atMs`. */
  settleDeadline(ctx: Ctx, offer: OfferOf<X['market']>, entry: Deadline): void;
  /** The offer is closing (its merchant closed it, or it ended) at `atMs`. */
  closeWithOffer(ctx: Ctx, offer: OfferOf<X['market']>, reason: 'merchant' | 'ended', atMs: number): void;
  /** Why this edit would break a promise the mechanism made, or does not apply to it; null when it may go ahead. */
  patchProblem(ctx: Ctx, offer: OfferOf<X['market']>, patch: OfferPatch): Rejection | null;
  /** After an accepted edit (core fields already changed): applies its own fields, serves whoever more units let in. */
  edited(ctx: Ctx, offer: OfferOf<X['market']>, patch: OfferPatch): void;
  /** Units of the offer it holds (must equal `offer.heldUnits`, checked by the kernel's invariants). */
  heldUnits(offer: OfferOf<X['market']>): number;
  /** Whether nothing of a closed offer lives on (no rental, no booking): it may leave memory. */
  idle(offer: OfferOf<X['market']>): boolean;
  /** Its own invariants; each broken one reported through `fail`. O(state): for tests and recovery. */
  invariants(state: EngineState, offer: OfferOf<X['market']>, fail: (message: string) => void): void;
  /** Its part of the offer's view (OfferView), as anyone may see it. */
  viewFields(offer: OfferOf<X['market']>, nowMs: number): MechanismViewFields;
  /** The settings as anyone may see them (an auction's reserve price stays hidden). */
  publicSettings(settings: X['settings']): Partial<X['settings']>;
  /** The shopper's live stake here, or null when it has none (its portfolio then forgets the offer). */
  involvement(offer: OfferOf<X['market']>, shopperId: string): Involvement | null;
  /** Every shopper with a live stake here (for invariants and for rebuilding portfolios). */
  participants(offer: OfferOf<X['market']>): Iterable<string>;
  /** The shopper's stakes here as the shopper view lists them (amounts included: it is that shopper's own view). */
  portfolioItems(offer: OfferOf<X['market']>, shopperId: string, nowMs: number): X['portfolioItem'][];
  /** Snapshot codec of its market: plain JSON-able data in an order that rebuilds the same state. */
  toData(market: X['market']): X['data'];
  /** Called after the mechanisms' global parts were restored (a market may refer to them). */
  fromData(data: X['data'], state: EngineState, offerId: string): X['market'];
  /** Re-queues its live deadlines after a restore (deadlines are derived data). */
  pushDeadlines(offer: OfferOf<X['market']>, deadlines: DeadlineQueue): void;
}

/** State a mechanism keeps across its offers, with its snapshot codec and checks. */
export interface GlobalPart<G, GD> {
  create(): G;
  toData(global: G): GD;
  fromData(data: GD, state: EngineState): G;
  invariants(state: EngineState, global: G, fail: (message: string) => void): void;
}

/** Any mechanism, as kernel code holds one after dispatching on `offer.market.type` (see `mechanismOf`). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyMechanism = Mechanism<any>;
