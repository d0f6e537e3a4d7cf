// The market engine: a synchronous, deterministic state machine. Commands go in through `apply` (one path for
// every change), a result and the events it caused come out. It never reads a clock, a random source or the
// environment: time arrives in each command, so the same snapshot plus the same commands always reaches the
// same state (`stateHash`), which is what recovery, replay and simulation rely on.
import { applyAuctionCommand, auctionView, isAuctionDeadlineLive, settleAuctionDeadline, type AuctionView } from './auctions/index.ts';
import type { Command } from './commands.ts';
import { pricingInputsChanged, unreachable, type Ctx } from './context.ts';
import type { Deadline } from './deadlines.ts';
import type { EngineEvent } from './events.ts';
import { createOffer, closeOfferNow, editOffer, pauseOffer, resumeOffer, closeOffer } from './offers.ts';
import { joinGroup, leaveGroup, matchGroup, openGroup, quote } from './groups.ts';
import { canonicalJson, hash64 } from './hash.ts';
import { idempotencySlot, recall, remember } from './idempotency.ts';
import { invariantViolations } from './invariants.ts';
import { DEFAULT_CONFIG, type EngineConfig } from './limits.ts';
import { repriceQueued } from './offer-pricing.ts';
import { applyReservationCommand, isReservationDeadlineLive, reservationView, settleReservationDeadline, type ReservationView } from './reservations/index.ts';
import { parseCommand } from './parse.ts';
import type { CommandResult } from './results.ts';
import { activatePendingRuleSet, setRuleSet } from './rule-sets.ts';
import { settleAtDeadline } from './settlement.ts';
import { fromSnapshot, toSnapshot, type EngineSnapshot } from './snapshot.ts';
import { emptyState, type EngineState } from './state.ts';
import { groupView, offerView, priceHistoryView, ruleSetHistoryView, type GroupView, type OfferView, type PricePointView, type RuleSetVersionView } from './views.ts';

export interface Applied {
  result: CommandResult;
  /** Everything that happened, in order: deadlines that fell due first, then the command's own events. */
  events: EngineEvent[];
}

export class Engine {
  private state: EngineState;
  /** Made once: a closure per command would cost an allocation on the hot path. */
  private readonly isDeadlineLive = (entry: Deadline): boolean => isLive(this.state, entry);

  constructor(config: Partial<EngineConfig> = {}) {
    this.state = emptyState({ ...DEFAULT_CONFIG, ...config });
  }

  static restore(snapshot: EngineSnapshot): Engine {
    const engine = new Engine(snapshot.config);
    engine.state = fromSnapshot(snapshot);
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
    const ctx: Ctx = { state, nowMs, events: [], repriceQueue: [] };
    settleDue(ctx, this.isDeadlineLive);

    const slot = idempotencySlot(cmd);
    if (slot !== null) {
      const remembered = recall(state, slot, cmd, nowMs);
      if (remembered) return { result: remembered, events: ctx.events };
    }
    const result = dispatch(ctx, cmd);
    // Prices follow what the command changed: every offer whose pricing inputs moved is repriced now.
    repriceQueued(ctx, nowMs);
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
    return toSnapshot(this.state);
  }

  stateHash(): string {
    return hash64(canonicalJson(this.snapshot()));
  }

  /** Broken invariants, by name; empty when the state is consistent. */
  checkInvariants(): string[] {
    return invariantViolations(this.state);
  }

  offer(offerId: string): OfferView | null {
    const offer = this.state.offers.get(offerId);
    return offer ? offerView(offer) : null;
  }

  /** The live groups of an offer, oldest first. */
  groupsOf(offerId: string): GroupView[] {
    const offer = this.state.offers.get(offerId);
    if (!offer) return [];
    return [...offer.liveGroups.values()].map((group) => groupView(this.state, group));
  }

  group(groupId: string): GroupView | null {
    const group = this.state.groups.get(groupId);
    return group ? groupView(this.state, group) : null;
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
    return offer?.auction ? auctionView(offer) : null;
  }

  /** The queue or slots of a `reservation` offer; with `shopperId`, that shopper's own place, holds and rentals too. */
  reservation(offerId: string, shopperId?: string): ReservationView | null {
    const offer = this.state.offers.get(offerId);
    return offer?.reservation ? reservationView(offer, shopperId, this.state.nowMs) : null;
  }

  /** Offer ids in creation order. */
  offerIds(): string[] {
    return [...this.state.offers.keys()];
  }
}

function dispatch(ctx: Ctx, cmd: Command): CommandResult {
  switch (cmd.type) {
    case 'create_offer':
      return createOffer(ctx, cmd);
    case 'edit_offer':
      return editOffer(ctx, cmd);
    case 'pause_offer':
      return pauseOffer(ctx, cmd);
    case 'resume_offer':
      return resumeOffer(ctx, cmd);
    case 'close_offer':
      return closeOffer(ctx, cmd);
    case 'set_rule_set':
      return setRuleSet(ctx, cmd);
    case 'open_group':
      return openGroup(ctx, cmd);
    case 'join_group':
      return joinGroup(ctx, cmd);
    case 'match_group':
      return matchGroup(ctx, cmd);
    case 'leave_group':
      return leaveGroup(ctx, cmd);
    case 'quote':
      return quote(ctx, cmd);
    case 'tick':
      return { ok: true };
    case 'place_bid':
    case 'buy_now':
    case 'accept_price':
      return applyAuctionCommand(ctx, cmd);
    case 'join_queue':
    case 'leave_queue':
    case 'confirm_hold':
    case 'extend_hold':
    case 'release_hold':
    case 'return_unit':
    case 'book_slot':
    case 'cancel_booking':
      return applyReservationCommand(ctx, cmd);
    default:
      return unreachable(cmd);
  }
}

/**
 * A queued deadline still means something: its group is live with that deadline, or its open offer still ends,
 * changes rule set or reprices then.
 */
function isLive(state: EngineState, entry: Deadline): boolean {
  if (entry.kind === 'group') return state.groups.get(entry.id)?.deadlineMs === entry.atMs;
  const offer = state.offers.get(entry.id);
  if (offer === undefined) return false;
  // Confirmed bookings outlive their offer's close: they still end, and release deposits, at their own time.
  if (entry.kind === 'reservation') return isReservationDeadlineLive(offer, entry);
  if (offer.status === 'closed') return false;
  switch (entry.kind) {
    case 'auction':
      return isAuctionDeadlineLive(offer, entry);
    case 'offer_end':
      return offer.endMs === entry.atMs;
    case 'rule_set':
      return offer.pricing.pending?.effectiveAtMs === entry.atMs;
    case 'reprice':
      return offer.pricing.repriceAtMs === entry.atMs;
    default:
      return unreachable(entry.kind);
  }
}

/** Settles every deadline at or before `ctx.nowMs`, in deadline order, each at its own time. */
function settleDue(ctx: Ctx, live: (entry: Deadline) => boolean): void {
  const { state } = ctx;
  for (let due = state.deadlines.peekLive(live); due !== undefined && due.atMs <= ctx.nowMs; due = state.deadlines.peekLive(live)) {
    state.deadlines.pop();
    settleOne(ctx, due);
    // What the deadline changed is repriced at the deadline's own time, as if a tick had come exactly then.
    repriceQueued(ctx, due.atMs);
  }
  // Stale entries (groups that settled early, moved offer ends, superseded reprices, ended holds) are dropped
  // lazily; the queue compacts itself when they pile up.
  state.deadlines.compactIfBloated(live);
}

function settleOne(ctx: Ctx, due: Deadline): void {
  const { state } = ctx;
  switch (due.kind) {
    case 'group':
      return settleAtDeadline(ctx, state.groups.get(due.id)!, due.atMs);
    case 'auction':
      return settleAuctionDeadline(ctx, state.offers.get(due.id)!, due);
    case 'reservation':
      return settleReservationDeadline(ctx, state.offers.get(due.id)!, due);
    case 'offer_end':
      return closeOfferNow(ctx, state.offers.get(due.id)!, 'ended', due.atMs);
    case 'rule_set':
      return activatePendingRuleSet(ctx, state.offers.get(due.id)!, due.atMs);
    case 'reprice': {
      const offer = state.offers.get(due.id)!;
      offer.pricing.repriceAtMs = null;
      return pricingInputsChanged(ctx, offer);
    }
    default:
      return unreachable(due.kind);
  }
}
