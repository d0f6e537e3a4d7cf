// The market engine: a synchronous, deterministic state machine. Commands go in through `apply` (one path for
// every change), a result and the events it caused come out. It never reads a clock, a random source or the
// environment: time arrives in each command, so the same snapshot plus the same commands always reaches the
// same state (`stateHash`), which is what recovery, replay and simulation rely on.
//
// The engine is the kernel's driver: it dispatches each command to the core (offers, rule sets, quotes) or to the
// mechanism that owns it (registry.ts), settles deadlines at their own times, and finishes every step the same
// way: reprices, portfolios, and at the end of the command one `stock_changed` per offer whose units moved.
import type { PricingContext } from '../pricing/index.ts';
import type { Command, CommandOf, CommandType } from './commands.ts';
import type { EngineEvent } from './events.ts';
import { groupSummary, groupView, type GroupOffer, type GroupSummary, type GroupView } from './group-buy/index.ts';
import { canonicalJson, hash64 } from './hash.ts';
import { idempotencySlot, recall, remember } from './idempotency.ts';
import { invariantViolations } from './invariants.ts';
import type { AnyMechanism } from './mechanism.ts';
import { mechanismOf, pricingInputsChanged, type Ctx } from './kernel/context.ts';
import type { Deadline } from './kernel/deadlines.ts';
import { factsOf } from './kernel/events.ts';
import { availableUnits } from './kernel/inventory.ts';
import { closeOffer, closeOfferNow, createOffer, editOffer, pauseOffer, resumeOffer, retireOffer } from './kernel/offers.ts';
import { settleTouched } from './kernel/portfolio.ts';
import { pricingContext, repriceQueued, shapeOf, shopperOf } from './kernel/pricing-bridge.ts';
import { activatePendingRuleSet, setRuleSet } from './kernel/rule-sets.ts';
import { findOffer } from './kernel/sellable.ts';
import { newState, type EngineState, type Offer } from './kernel/state.ts';
import { DEFAULT_CONFIG, type EngineConfig } from './limits.ts';
import { parseCommand } from './parse.ts';
import { MECHANISMS, MECHANISM_LIST, type MechanismGlobals, type Registry } from './registry.ts';
import { isRejection, type CommandResult } from './results.ts';
import { fromSnapshot, toSnapshot, type EngineSnapshot } from './snapshot.ts';
import { offerView, priceHistoryView, publicOfferView, ruleSetHistoryView, shopperView, type OfferView, type PricePointView, type RuleSetVersionView, type ShopperView } from './views.ts';
import type { AuctionOffer, AuctionView } from './auctions/index.ts';
import { reservationView, type ReservationOffer, type ReservationView } from './reservations/index.ts';
import { auctionView } from './auctions/views.ts';

export interface Applied {
  result: CommandResult;
  /** Everything that happened, in order: deadlines that fell due first, then the command's own events. */
  events: EngineEvent[];
}

/** The mechanism that answers each command type it brings. */
const OWNER_OF_COMMAND: ReadonlyMap<string, AnyMechanism> = new Map(
  MECHANISM_LIST.flatMap((mechanism) => mechanism.commandSchemas.map((schema) => [schema.shape.type.value as string, mechanism as AnyMechanism] as const)),
);

function newGlobals(): MechanismGlobals {
  const globals = {} as Record<string, unknown>;
  for (const mechanism of MECHANISM_LIST) globals[mechanism.type] = mechanism.global === null ? null : mechanism.global.create();
  return globals as MechanismGlobals;
}

export class Engine {
  private state: EngineState;
  private readonly mechanisms: Registry = MECHANISMS;
  /** Made once: a closure per command would cost an allocation on the hot path. */
  private readonly isDeadlineLive = (entry: Deadline): boolean => isLive(this.mechanisms, this.state, entry);

  constructor(config: Partial<EngineConfig> = {}) {
    this.state = newState({ ...DEFAULT_CONFIG, ...config }, newGlobals());
  }

  /** Restores a snapshot of the current format or of an older one this code migrates (snapshot.ts). */
  static restore(snapshot: EngineSnapshot | { format: unknown }): Engine {
    const engine = new Engine();
    engine.state = fromSnapshot(snapshot, engine.mechanisms);
    return engine;
  }

  /** The latest time the engine has seen. */
  get nowMs(): number {
    return this.state.nowMs;
  }

  /**
   * Applies one typed command. Time never runs backwards: a `nowMs` older than the engine's clock is treated as
   * the engine's clock. Everything due by then settles first, so a late or missing tick changes nothing: the
   * outcome depends on the times in the commands, not on when a timer fired.
   */
  apply(cmd: Command): Applied {
    const state = this.state;
    const nowMs = cmd.nowMs > state.nowMs ? cmd.nowMs : state.nowMs;
    state.nowMs = nowMs;
    const ctx: Ctx = { state, nowMs, events: [], mechanisms: this.mechanisms, repriceQueue: [], stockQueue: [], touched: [] };
    settleDue(ctx, this.isDeadlineLive);

    const slot = idempotencySlot(cmd);
    if (slot !== null) {
      const remembered = recall(state, slot, cmd, nowMs);
      if (remembered) return { result: remembered, events: ctx.events };
    }
    const result = this.dispatch(ctx, cmd);
    finishStep(ctx, nowMs);
    if (slot !== null && result.ok) remember(state, slot, cmd, result, nowMs);
    return { result, events: ctx.events };
  }

  /** Validates untrusted input, then applies it; bad input gets `bad_request` and changes nothing. */
  submit(raw: unknown): Applied {
    const parsed = parseCommand(raw);
    if (!parsed.ok) return { result: parsed, events: [] };
    return this.apply(parsed.command);
  }

  /** When the engine next needs a `tick`, or null when nothing is scheduled. */
  nextDeadlineMs(): number | null {
    return this.state.deadlines.peekLive(this.isDeadlineLive)?.atMs ?? null;
  }

  snapshot(): EngineSnapshot {
    return toSnapshot(this.state, this.mechanisms);
  }

  stateHash(): string {
    return hash64(canonicalJson(this.snapshot()));
  }

  /** Broken invariants, by name; empty when the state is consistent. */
  checkInvariants(): string[] {
    return invariantViolations(this.state, this.mechanisms);
  }

  /** The offer as its merchant sees it (every setting), or null. */
  offer(offerId: string): OfferView | null {
    const offer = this.state.offers.get(offerId);
    return offer ? offerView(this.mechanisms, offer, this.state.nowMs) : null;
  }

  /** The offer as anyone may see it (an auction's reserve left out), or null. */
  publicOffer(offerId: string): OfferView | null {
    const offer = this.state.offers.get(offerId);
    return offer ? publicOfferView(this.mechanisms, offer, this.state.nowMs) : null;
  }

  /** Whose a retired offer was (it left memory after its retention), or null when the id was never retired. */
  retiredOffer(offerId: string): { merchantId: string; closedAtMs: number } | null {
    const retired = this.state.retiredOffers.get(offerId);
    return retired ? { merchantId: retired.merchantId, closedAtMs: retired.closedAtMs } : null;
  }

  /** A group-buy offer's live groups, oldest first (none for other offers). */
  groupsOf(offerId: string): GroupView[] {
    const offer = this.state.offers.get(offerId);
    if (offer?.market.type !== 'group') return [];
    return [...offer.market.liveGroups.values()].map((group) => groupView(offer as GroupOffer, group, this.state.nowMs));
  }

  /** The live groups of a group-buy offer without their member lists: what the offer's watchers see. */
  groupSummariesOf(offerId: string): GroupSummary[] {
    return this.groupsOf(offerId).map(groupSummary);
  }

  group(groupId: string): GroupView | null {
    const group = this.state.mechanisms.group.groups.get(groupId);
    if (!group) return null;
    return groupView(this.state.offers.get(group.offerId) as GroupOffer, group, this.state.nowMs);
  }

  /** The offer's published headline prices, oldest first (at most `LIMITS.priceHistoryRetained`). */
  priceHistory(offerId: string): PricePointView[] {
    const offer = this.state.offers.get(offerId);
    return offer ? priceHistoryView(offer) : [];
  }

  /** The rule set versions the offer has had, oldest first, the last in force (at most `LIMITS.ruleSetVersionsRetained`). */
  ruleSetHistory(offerId: string): RuleSetVersionView[] {
    const offer = this.state.offers.get(offerId);
    return offer ? ruleSetHistoryView(offer) : [];
  }

  /** The auction of an `auction` offer as anyone may see it (sealed bids stay sealed), or null. */
  auction(offerId: string): AuctionView | null {
    const offer = this.state.offers.get(offerId);
    return offer?.market.type === 'auction' ? auctionView(offer as AuctionOffer) : null;
  }

  /** The queue or slots of a `reservation` offer; with `shopperId`, that shopper's own place, holds and rentals too. */
  reservation(offerId: string, shopperId?: string): ReservationView | null {
    const offer = this.state.offers.get(offerId);
    return offer?.market.type === 'reservation' ? reservationView(offer as ReservationOffer, shopperId, this.state.nowMs) : null;
  }

  /** A shopper's own view: its seats, bids, places, holds, rentals and bookings, and its exposure in open auctions. */
  shopper(shopperId: string): ShopperView {
    return shopperView(this.state, this.mechanisms, shopperId);
  }

  /** Shoppers with a live stake in the offer (a seat, a bid, a place in line, a hold, a rental, a booking). */
  participantsOf(offerId: string): string[] {
    const offer = this.state.offers.get(offerId);
    return offer ? [...new Set(mechanismOf(this.mechanisms, offer).participants(offer))] : [];
  }

  /**
   * The pricing context the engine would price a new shopper's unit with now (the headline size, or a seat in
   * `groupId`), for a shopper with this segment: what a preview of the same rule set must agree with.
   */
  quoteContext(offerId: string, shopper: { newcomer?: boolean; memberTier?: string; asLeader?: boolean; groupId?: string } = {}): PricingContext | null {
    const offer = this.state.offers.get(offerId);
    if (!offer) return null;
    const ctx = this.readContext();
    const shape = shapeOf(ctx, offer);
    const segment = shopperOf({ newcomer: shopper.newcomer ?? false, memberTier: shopper.memberTier }, shopper.asLeader ?? false);
    const nowMs = this.state.nowMs;
    if (shopper.groupId !== undefined && offer.market.type === 'group') {
      const group = offer.market.liveGroups.get(shopper.groupId);
      if (!group) return null;
      const size = Math.max(group.members.size + 1, group.minSize);
      return pricingContext(offer, shape, nowMs, size, group.minSize, group.deadlineMs, { ...segment, isLeader: false });
    }
    const headline = shape.headline(offer, nowMs);
    return pricingContext(offer, shape, nowMs, headline.size, headline.minSize, headline.groupDeadlineMs, segment);
  }

  /** Shoppers with a live stake somewhere (a portfolio). */
  shoppersWithStakes(): number {
    return this.state.portfolios.size;
  }

  /** Offer ids in creation order. */
  offerIds(): string[] {
    return [...this.state.offers.keys()];
  }

  /** Units still free in an offer, or null when it is not held. */
  availableUnits(offerId: string): number | null {
    const offer = this.state.offers.get(offerId);
    return offer ? availableUnits(offer) : null;
  }

  private readContext(): Ctx {
    return { state: this.state, nowMs: this.state.nowMs, events: [], mechanisms: this.mechanisms, repriceQueue: [], stockQueue: [], touched: [] };
  }

  private dispatch(ctx: Ctx, cmd: Command): CommandResult {
    switch (cmd.type as CommandType) {
      case 'create_offer':
        return createOffer(ctx, cmd as CommandOf<'create_offer'>);
      case 'edit_offer':
        return editOffer(ctx, cmd as CommandOf<'edit_offer'>);
      case 'pause_offer':
        return pauseOffer(ctx, cmd as CommandOf<'pause_offer'>);
      case 'resume_offer':
        return resumeOffer(ctx, cmd as CommandOf<'resume_offer'>);
      case 'close_offer':
        return closeOffer(ctx, cmd as CommandOf<'close_offer'>);
      case 'set_rule_set':
        return setRuleSet(ctx, cmd as CommandOf<'set_rule_set'>);
      case 'quote':
        return quote(ctx, cmd as CommandOf<'quote'>);
      case 'tick':
        return { ok: true };
      default: {
        const owner = OWNER_OF_COMMAND.get(cmd.type);
        if (owner === undefined) throw new Error(`no mechanism answers "${cmd.type}"`);
        return owner.apply(ctx, cmd);
      }
    }
  }
}

/** A read-only quote, priced for the shopper it is for (the segment the gateway vouched for). */
function quote(ctx: Ctx, cmd: CommandOf<'quote'>): CommandResult {
  const offer = findOffer(ctx, cmd.offerId);
  if (isRejection(offer)) return offer;
  return mechanismOf(ctx.mechanisms, offer).quote(ctx, offer, cmd, shopperOf(cmd, cmd.asLeader));
}

/**
 * Ends one step (a deadline settled at its own time `atMs`, or the command): prices follow what it changed (every
 * offer whose pricing inputs moved is repriced at `atMs`), portfolios follow the shoppers it touched, and one
 * `stock_changed` per offer whose units moved closes its events. Per step, not per command, so the events are the
 * same whether a tick came at each deadline or one command found several due.
 */
function finishStep(ctx: Ctx, atMs: number): void {
  repriceQueued(ctx, atMs);
  settleTouched(ctx);
  for (const offer of ctx.stockQueue) {
    // A retired offer has left memory: there is no stock to tell of.
    if (!ctx.state.offers.has(offer.id)) continue;
    const { inventory, heldUnits, soldUnits } = offer;
    ctx.events.push({ type: 'stock_changed', ...factsOf(offer), inventory, heldUnits, soldUnits, availableUnits: availableUnits(offer), atMs });
  }
  ctx.stockQueue.length = 0;
}

/** A queued deadline still means something: its offer is held and still ends, changes rule set, reprices or retires then. */
function isLive(mechanisms: Registry, state: EngineState, entry: Deadline): boolean {
  const offer = state.offers.get(entry.id);
  if (offer === undefined) return false;
  switch (entry.kind) {
    case 'offer_end':
      return offer.status !== 'closed' && offer.endMs === entry.atMs;
    case 'rule_set':
      return offer.status !== 'closed' && offer.pricing.pending?.effectiveAtMs === entry.atMs;
    case 'reprice':
      return offer.status !== 'closed' && offer.pricing.repriceAtMs === entry.atMs;
    case 'retire':
      return offer.retireAtMs === entry.atMs;
    default:
      // A mechanism's own deadline: only its mechanism knows (a closed offer's bookings still end, for one).
      return entry.kind === offer.market.type && mechanismOf(mechanisms, offer).isDeadlineLive(offer, entry);
  }
}

/** Settles every deadline at or before `ctx.nowMs`, in deadline order, each at its own time. */
function settleDue(ctx: Ctx, live: (entry: Deadline) => boolean): void {
  const { state } = ctx;
  for (let due = state.deadlines.peekLive(live); due !== undefined && due.atMs <= ctx.nowMs; due = state.deadlines.peekLive(live)) {
    state.deadlines.pop();
    // Settled at its own time (`due.atMs`, which every settlement takes), as if a tick had come exactly then.
    settleOne(ctx, due);
    finishStep(ctx, due.atMs);
  }
  // Stale entries (groups that settled early, moved offer ends, superseded reprices, ended holds) are dropped
  // lazily; the queue compacts itself when they pile up.
  state.deadlines.compactIfBloated(live);
}

function settleOne(ctx: Ctx, due: Deadline): void {
  const offer = ctx.state.offers.get(due.id)! as Offer;
  switch (due.kind) {
    case 'offer_end':
      return closeOfferNow(ctx, offer, 'ended', due.atMs);
    case 'rule_set':
      return activatePendingRuleSet(ctx, offer, due.atMs);
    case 'reprice':
      offer.pricing.repriceAtMs = null;
      return pricingInputsChanged(ctx, offer);
    case 'retire':
      return retireOffer(ctx, offer, due.atMs);
    default:
      // A mechanism's own deadline (its kind is its mechanism's type; `isLive` checked it is this offer's).
      return mechanismOf(ctx.mechanisms, offer).settleDeadline(ctx, offer, due);
  }
}
