// A deliberately naive model of the group-buy market described in docs/engine.md, used as the oracle of the
// differential property tests. It is written from the contract alone: plain arrays, linear scans, no heap and
// no indexes, so that each rule can be checked by reading a few lines. Speed does not matter here; being
// obviously right does. It takes the engine's typed commands and answers with the fields of the result that the
// contract defines, a trace of the facts that move money or change a group's life, and a projection of state.
import { LIMITS, type Command, type CommandOf, type EngineConfig, type PriceTier, type RejectionCode } from '../../engine/index.ts';

/** The parts of a command's result the contract speaks about; the test reduces the engine's result to the same shape. */
export type RefResult =
  | {
      ok: true;
      offerId?: string;
      groupId?: string;
      opened?: boolean;
      chargedMinor?: number;
      refundMinor?: number;
      unitPriceMinor?: number;
      availableUnits?: number;
    }
  | { ok: false; code: RejectionCode };

export interface SettledMember {
  shopperId: string;
  qty: number;
  unitPriceMinor: number;
  paidMinor: number;
  refundMinor: number;
}

/** Facts in the order they happen; the test derives the same records from the engine's events. */
export type TraceRecord =
  | { type: 'offer_created'; offerId: string; atMs: number }
  | { type: 'offer_paused'; offerId: string; atMs: number }
  | { type: 'offer_resumed'; offerId: string; atMs: number }
  | { type: 'offer_retired'; offerId: string; atMs: number }
  | { type: 'offer_closed'; offerId: string; reason: 'merchant' | 'ended'; atMs: number }
  | { type: 'price_changed'; offerId: string; priceMinor: number; previousPriceMinor: number; atMs: number }
  | { type: 'group_opened'; groupId: string; leaderId: string; deadlineMs: number; atMs: number }
  | { type: 'group_joined'; groupId: string; shopperId: string; qty: number; chargedMinor: number; quotedUnitPriceMinor: number; size: number; atMs: number }
  | { type: 'group_left'; groupId: string; shopperId: string; qty: number; refundMinor: number; size: number; atMs: number }
  | { type: 'group_formed'; groupId: string; size: number; atMs: number }
  | {
      type: 'group_completed';
      groupId: string;
      size: number;
      autoFilledSeats: number;
      reason: 'full' | 'deadline' | 'offer_closed';
      members: SettledMember[];
      atMs: number;
    }
  | {
      type: 'group_failed';
      groupId: string;
      size: number;
      reason: 'deadline' | 'offer_closed' | 'empty';
      refunds: { shopperId: string; qty: number; refundMinor: number }[];
      atMs: number;
    };

export interface Projection {
  nowMs: number;
  offers: {
    offerId: string;
    status: 'active' | 'paused' | 'closed';
    inventory: number;
    heldUnits: number;
    soldUnits: number;
    basePriceMinor: number;
    perShopperLimit: number | null;
    endMs: number | null;
    /** Units each shopper holds or bought in this offer, sorted by shopper id; only positive counts. */
    unitsByShopper: [string, number][];
  }[];
  /** Live groups in the order they were opened. */
  liveGroups: {
    groupId: string;
    offerId: string;
    status: 'open' | 'formed';
    leaderId: string;
    deadlineMs: number;
    members: { shopperId: string; qty: number; quotedUnitPriceMinor: number; chargedMinor: number }[];
  }[];
  /** Settled groups still remembered, oldest settlement first. */
  settledGroups: { groupId: string; offerId: string; status: 'completed' | 'failed'; reason: string; size: number }[];
}

export interface RefStep {
  result: RefResult;
  trace: TraceRecord[];
  /** The command repeated an accepted one under the same idempotency key and got the first result back. */
  replayed: boolean;
}

interface Settings {
  minSize: number;
  maxSize: number | null;
  windowMs: number;
  tiers: PriceTier[];
  leaderDiscountBps: number;
  newcomerOnly: boolean;
  autoFillMaxSeats: number;
  matchOpensGroup: boolean;
}

interface Offer {
  id: string;
  merchantId: string;
  created: number;
  status: 'active' | 'paused' | 'closed';
  /** Why a closed offer closed: its end time came, or its merchant closed it. */
  closedBy: 'ended' | 'merchant' | null;
  /** When it closed (its retirement counts from then); null while open. */
  closedAtMs: number | null;
  inventory: number;
  basePriceMinor: number;
  perShopperLimit: number | null;
  startMs: number | null;
  endMs: number | null;
  settings: Settings;
  /** The last headline price published (or the first price, at creation), and when. */
  published: { priceMinor: number; atMs: number };
  /** When a newer headline price is due to be published (the minimum gap since the last one ends), if one waits. */
  publishAtMs: number | null;
}

interface Member {
  shopperId: string;
  qty: number;
  quote: number;
  charged: number;
}

interface Group {
  id: string;
  offerId: string;
  created: number;
  status: 'open' | 'formed' | 'completed' | 'failed';
  reason: string;
  leaderId: string;
  members: Member[];
  deadlineMs: number;
  /** Size settings copied from the offer when the group opened; later edits never touch them. */
  minSize: number;
  maxSize: number | null;
  newcomerOnly: boolean;
  autoFillMaxSeats: number;
  finalSize: number;
  /** Position in the order of settlement, or -1 while the group is live. */
  settledSeq: number;
  /** Settled and pushed out of the bounded memory of settled groups. */
  forgotten: boolean;
}

interface Purchase {
  offerId: string;
  shopperId: string;
  qty: number;
}

interface Remembered {
  scope: string;
  key: string;
  params: string;
  result: RefResult;
  atMs: number;
}

/** JSON with sorted keys and undefined fields left out, so two equal parameter sets always compare equal. */
function stableJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, inner]) => inner !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, inner]) => `${JSON.stringify(key)}:${stableJson(inner)}`).join(',')}}`;
}

/** ceil(n / 10000) for a non-negative integer n, in exact integer steps. */
function ceilDiv10000(n: number): number {
  const remainder = n % 10_000;
  return (n - remainder) / 10_000 + (remainder > 0 ? 1 : 0);
}

function isLive(group: Group): boolean {
  return group.status === 'open' || group.status === 'formed';
}

function no(code: RejectionCode): RefResult {
  return { ok: false, code };
}

export class ReferenceMarket {
  private clock = 0;
  private created = 0;
  private settledCount = 0;
  private generatedGroups = 0;
  private readonly offers: Offer[] = [];
  private readonly groups: Group[] = [];
  private readonly purchases: Purchase[] = [];
  private remembered: Remembered[] = [];
  /** Ids of offers retired from memory, oldest first (bounded like the engine's); an id stays taken while listed. */
  private retired: string[] = [];
  private trace: TraceRecord[] = [];

  constructor(private readonly config: EngineConfig) {}

  // ---- time -------------------------------------------------------------------------------------------------

  /**
   * The earliest moment something is due: a live group's deadline, an unclosed offer's end, a waiting price event, or
   * a closed offer's retirement from memory (its retention after the close; the runs never reach it).
   */
  nextDeadlineMs(): number | null {
    let next: number | null = null;
    for (const group of this.groups) if (isLive(group) && (next === null || group.deadlineMs < next)) next = group.deadlineMs;
    for (const offer of this.offers) {
      const retireAtMs = offer.closedAtMs === null ? null : offer.closedAtMs + this.config.closedOfferRetentionMs;
      if (retireAtMs !== null && (next === null || retireAtMs < next)) next = retireAtMs;
      if (offer.status !== 'closed' && offer.endMs !== null && (next === null || offer.endMs < next)) next = offer.endMs;
      if (offer.status !== 'closed' && offer.publishAtMs !== null && (next === null || offer.publishAtMs < next)) next = offer.publishAtMs;
    }
    return next;
  }

  /**
   * Settles everything due at or before `nowMs`, one item at a time: the earliest deadline first, group deadlines
   * before offer ends at the same instant, then creation order. Each settles at its own deadline. The list of due
   * items is rebuilt after every settlement, since closing an offer settles its groups too.
   */
  private settleDue(nowMs: number): void {
    for (;;) {
      const due = [
        ...this.groups
          .filter((group) => isLive(group) && group.deadlineMs <= nowMs)
          .map((group) => ({ atMs: group.deadlineMs, rank: 0, created: group.created, settle: () => this.settleAtDeadline(group, group.deadlineMs) })),
        ...this.offers
          .filter((offer) => offer.status !== 'closed' && offer.endMs !== null && offer.endMs <= nowMs)
          .map((offer) => ({ atMs: offer.endMs!, rank: 1, created: offer.created, settle: () => this.closeOffer(offer, 'ended', offer.endMs!) })),
        // A closed offer leaves memory once its retention has passed (a group-buy keeps nothing after its close).
        ...this.offers
          .filter((offer) => offer.closedAtMs !== null && offer.closedAtMs + this.config.closedOfferRetentionMs <= nowMs)
          .map((offer) => ({ atMs: offer.closedAtMs! + this.config.closedOfferRetentionMs, rank: 4, created: offer.created, settle: () => this.retireOffer(offer) })),
        // A waiting price event: prices move after everything else due at the same instant.
        ...this.offers
          .filter((offer) => offer.status !== 'closed' && offer.publishAtMs !== null && offer.publishAtMs <= nowMs)
          .map((offer) => ({ atMs: offer.publishAtMs!, rank: 3, created: offer.created, settle: () => (offer.publishAtMs = null) })),
      ];
      if (due.length === 0) return;
      due.sort((a, b) => a.atMs - b.atMs || a.rank - b.rank || a.created - b.created);
      due[0]!.settle();
      this.publishPrices(due[0]!.atMs);
    }
  }

  /**
   * The headline price (a new group's unit price for a shopper with no discount: the tier at minSize) of every
   * open offer, published when it differs from the last one published — at once when at least the minimum gap
   * has passed since that one, else when the gap ends.
   */
  private publishPrices(atMs: number): void {
    for (const offer of this.offers) {
      if (offer.status === 'closed') {
        offer.publishAtMs = null;
        continue;
      }
      const priceMinor = this.unitPrice(offer, offer.settings.minSize, false);
      const last = offer.published;
      offer.publishAtMs = null;
      if (priceMinor === last.priceMinor) continue;
      if (atMs - last.atMs >= this.config.priceEventMinGapMs) {
        this.trace.push({ type: 'price_changed', offerId: offer.id, priceMinor, previousPriceMinor: last.priceMinor, atMs });
        offer.published = { priceMinor, atMs };
      } else {
        offer.publishAtMs = last.atMs + this.config.priceEventMinGapMs;
      }
    }
  }

  private settleAtDeadline(group: Group, atMs: number): void {
    if (group.status === 'formed') return this.complete(group, 'deadline', 0, atMs);
    const missing = group.minSize - group.members.length;
    if (missing <= group.autoFillMaxSeats) return this.complete(group, 'deadline', missing, atMs);
    this.fail(group, 'deadline', atMs);
  }

  // ---- prices -----------------------------------------------------------------------------------------------

  private tierPrice(offer: Offer, size: number): number {
    let price = offer.basePriceMinor;
    for (const tier of offer.settings.tiers) if (tier.minSize <= size) price = tier.priceMinor;
    return price;
  }

  private unitPrice(offer: Offer, size: number, isLeader: boolean): number {
    const tier = this.tierPrice(offer, size);
    return isLeader ? tier - ceilDiv10000(tier * offer.settings.leaderDiscountBps) : tier;
  }

  /** What a member is charged a unit on joining: the price at the larger of the size after joining and minSize. */
  private quoteAtJoin(offer: Offer, sizeAfterJoin: number, minSize: number, isLeader: boolean): number {
    return this.unitPrice(offer, Math.max(sizeAfterJoin, minSize), isLeader);
  }

  private retireOffer(offer: Offer): void {
    const atMs = offer.closedAtMs! + this.config.closedOfferRetentionMs;
    this.offers.splice(this.offers.indexOf(offer), 1);
    this.retired.push(offer.id);
    while (this.retired.length > this.config.retiredOffersRetained) this.retired.shift();
    this.trace.push({ type: 'offer_retired', offerId: offer.id, atMs });
  }

  // ---- lookups ----------------------------------------------------------------------------------------------

  /** A command names an offer not in memory: retired (its id remembered), or never listed. */
  private missing(offerId: string): RefResult {
    return no(this.retired.includes(offerId) ? 'offer_retired' : 'unknown_offer');
  }

  private offerById(id: string): Offer | undefined {
    return this.offers.find((offer) => offer.id === id);
  }

  /** The live group with this id, or the settled one still remembered; forgotten groups are invisible. */
  private groupById(id: string): Group | undefined {
    return this.groups.find((group) => group.id === id && (isLive(group) || !group.forgotten));
  }

  private liveGroupsOf(offerId: string): Group[] {
    return this.groups.filter((group) => group.offerId === offerId && isLive(group));
  }

  private heldUnits(offerId: string): number {
    let held = 0;
    for (const group of this.liveGroupsOf(offerId)) for (const member of group.members) held += member.qty;
    return held;
  }

  private soldUnits(offerId: string): number {
    let sold = 0;
    for (const purchase of this.purchases) if (purchase.offerId === offerId) sold += purchase.qty;
    return sold;
  }

  /** Units this shopper holds in live groups plus units bought in completed ones. */
  private unitsOf(offerId: string, shopperId: string): number {
    let units = 0;
    for (const group of this.liveGroupsOf(offerId)) for (const member of group.members) if (member.shopperId === shopperId) units += member.qty;
    for (const purchase of this.purchases) if (purchase.offerId === offerId && purchase.shopperId === shopperId) units += purchase.qty;
    return units;
  }

  private available(offer: Offer): number {
    return offer.inventory - this.heldUnits(offer.id) - this.soldUnits(offer.id);
  }

  private capacity(group: Group): number {
    return group.maxSize ?? LIMITS.groupSizeMax;
  }

  // ---- the command path -------------------------------------------------------------------------------------

  apply(cmd: Command): RefStep {
    this.trace = [];
    const nowMs = Math.max(this.clock, cmd.nowMs);
    this.clock = nowMs;
    this.settleDue(nowMs);

    const scope = this.scopeOf(cmd);
    const key = cmd.idempotencyKey;
    if (scope !== null && key !== undefined) {
      // Keys live for at most the TTL; what expired is gone before the lookup.
      this.remembered = this.remembered.filter((entry) => entry.atMs + this.config.idempotencyTtlMs > nowMs);
      const params = this.paramsOf(cmd);
      const earlier = this.remembered.find((entry) => entry.scope === scope && entry.key === key);
      if (earlier && earlier.params === params) return { result: earlier.result, trace: this.trace, replayed: true };
      if (earlier) return { result: no('idempotency_key_reused'), trace: this.trace, replayed: false };
      const result = this.run(cmd, nowMs);
      this.publishPrices(nowMs);
      if (result.ok) {
        this.remembered.push({ scope, key, params, result, atMs: nowMs });
        while (this.remembered.length > this.config.idempotencyKeysMax) this.remembered.shift();
      }
      return { result, trace: this.trace, replayed: false };
    }
    const result = this.run(cmd, nowMs);
    this.publishPrices(nowMs);
    return { result, trace: this.trace, replayed: false };
  }

  /** Keys are scoped per merchant or per shopper; ticks and quotes change nothing of their own and have no scope. */
  private scopeOf(cmd: Command): string | null {
    if ('merchantId' in cmd) return `merchant ${cmd.merchantId}`;
    if ('shopperId' in cmd) return `shopper ${cmd.shopperId}`;
    return null;
  }

  /** What the client asked: not the time, the key, nor the facts the gateway vouched for from the token. */
  private paramsOf(cmd: Command): string {
    const { nowMs: _nowMs, idempotencyKey: _key, ...params } = cmd;
    const asked: Record<string, unknown> = { ...params };
    for (const field of ['newcomer', 'memberTier', 'exposureLimitMinor', 'priorityClass', 'creditScore']) delete asked[field];
    return stableJson(asked);
  }

  private run(cmd: Command, nowMs: number): RefResult {
    switch (cmd.type) {
      case 'create_offer':
        return this.createOffer(cmd, nowMs);
      case 'edit_offer':
        return this.editOffer(cmd, nowMs);
      case 'pause_offer':
      case 'resume_offer':
      case 'close_offer':
        return this.merchantSwitch(cmd, nowMs);
      case 'open_group':
        return this.openGroup(cmd, nowMs);
      case 'join_group':
        return this.joinGroup(cmd, nowMs);
      case 'match_group':
        return this.matchGroup(cmd, nowMs);
      case 'leave_group':
        return this.leaveGroup(cmd, nowMs);
      case 'quote':
        return this.quote(cmd, nowMs);
      case 'tick':
        return { ok: true };
      case 'set_rule_set':
        throw new Error('the reference model prices by group settings only; set_rule_set is tested on its own');
      default:
        throw new Error(`the reference model covers group-buys only, not ${cmd.type}; auctions and reservations have their own`);
    }
  }

  // ---- merchants --------------------------------------------------------------------------------------------

  private tiersInvalid(basePriceMinor: number, tiers: PriceTier[]): boolean {
    for (let i = 0; i < tiers.length; i++) {
      const tier = tiers[i]!;
      if (tier.priceMinor > basePriceMinor) return true;
      if (i > 0 && tier.minSize <= tiers[i - 1]!.minSize) return true;
      if (i > 0 && tier.priceMinor > tiers[i - 1]!.priceMinor) return true;
    }
    return false;
  }

  private createOffer(cmd: CommandOf<'create_offer'>, nowMs: number): RefResult {
    if (cmd.offerId === undefined) throw new Error('the reference model needs caller-chosen offer ids');
    if (this.offerById(cmd.offerId) || this.retired.includes(cmd.offerId)) return no('offer_exists');
    // A merchant's quota counts its offers in memory, closed ones included until they retire.
    if (this.offers.filter((offer) => offer.merchantId === cmd.merchantId).length >= this.config.maxOffersPerMerchant) return no('quota_exceeded');
    if (this.offers.length >= this.config.maxOffers) return no('capacity_exceeded');
    const m = cmd.mechanism;
    if (m.type !== 'group') throw new Error('the reference model covers group-buys only');
    if (m.maxSize !== undefined && m.maxSize < m.minSize) return no('invalid_settings');
    if (m.autoFillMaxSeats >= m.minSize) return no('invalid_settings');
    if (this.tiersInvalid(cmd.basePriceMinor, m.tiers)) return no('invalid_settings');
    if (cmd.endMs !== undefined && cmd.endMs <= nowMs) return no('invalid_settings');
    if (cmd.endMs !== undefined && cmd.startMs !== undefined && cmd.endMs <= cmd.startMs) return no('invalid_settings');
    this.offers.push({
      id: cmd.offerId,
      merchantId: cmd.merchantId,
      created: ++this.created,
      status: 'active',
      closedBy: null,
      closedAtMs: null,
      inventory: cmd.inventory,
      basePriceMinor: cmd.basePriceMinor,
      perShopperLimit: cmd.perShopperLimit ?? null,
      startMs: cmd.startMs ?? null,
      endMs: cmd.endMs ?? null,
      settings: {
        minSize: m.minSize,
        maxSize: m.maxSize ?? null,
        windowMs: m.windowMs,
        tiers: m.tiers.map((tier) => ({ ...tier })),
        leaderDiscountBps: m.leaderDiscountBps,
        newcomerOnly: m.newcomerOnly,
        autoFillMaxSeats: m.autoFillMaxSeats,
        matchOpensGroup: m.matchOpensGroup,
      },
      published: { priceMinor: 0, atMs: nowMs },
      publishAtMs: null,
    });
    // The first price is the offer's own, announced by its creation rather than by a price event.
    const offer = this.offers[this.offers.length - 1]!;
    offer.published = { priceMinor: this.unitPrice(offer, m.minSize, false), atMs: nowMs };
    this.trace.push({ type: 'offer_created', offerId: cmd.offerId, atMs: nowMs });
    return { ok: true, offerId: cmd.offerId };
  }

  /** Unknown offer, then ownership, then a closed offer: what every merchant command checks first. */
  private ownedOpenOffer(merchantId: string, offerId: string): Offer | RefResult {
    const offer = this.offerById(offerId);
    if (!offer) return this.missing(offerId);
    if (offer.merchantId !== merchantId) return no('not_owner');
    if (offer.status === 'closed') return no('offer_closed');
    return offer;
  }

  private editOffer(cmd: CommandOf<'edit_offer'>, nowMs: number): RefResult {
    const found = this.ownedOpenOffer(cmd.merchantId, cmd.offerId);
    if ('ok' in found) return found;
    const offer = found;
    const patch = cmd.patch;
    if (patch.inventory !== undefined && patch.inventory < this.heldUnits(offer.id) + this.soldUnits(offer.id)) return no('edit_breaks_promise');
    if (patch.endMs !== undefined && patch.endMs !== null) {
      // The contract does not order these two when both apply (an end in the past always lies before a live
      // group's deadline); an end that is not in the future is reported as invalid in itself.
      if (patch.endMs <= nowMs) return no('invalid_settings');
      if (offer.startMs !== null && patch.endMs <= offer.startMs) return no('invalid_settings');
      for (const group of this.liveGroupsOf(offer.id)) if (patch.endMs < group.deadlineMs) return no('edit_breaks_promise');
    }
    if (this.tiersInvalid(patch.basePriceMinor ?? offer.basePriceMinor, patch.tiers ?? offer.settings.tiers)) return no('invalid_settings');

    if (patch.inventory !== undefined) offer.inventory = patch.inventory;
    if (patch.basePriceMinor !== undefined) offer.basePriceMinor = patch.basePriceMinor;
    if (patch.perShopperLimit !== undefined) offer.perShopperLimit = patch.perShopperLimit;
    if (patch.endMs !== undefined) offer.endMs = patch.endMs;
    if (patch.tiers !== undefined) offer.settings.tiers = patch.tiers.map((tier) => ({ ...tier }));
    if (patch.leaderDiscountBps !== undefined) offer.settings.leaderDiscountBps = patch.leaderDiscountBps;
    return { ok: true, offerId: offer.id };
  }

  private merchantSwitch(cmd: CommandOf<'pause_offer' | 'resume_offer' | 'close_offer'>, nowMs: number): RefResult {
    const found = this.ownedOpenOffer(cmd.merchantId, cmd.offerId);
    if ('ok' in found) return found;
    const offer = found;
    if (cmd.type === 'pause_offer' && offer.status === 'active') {
      offer.status = 'paused';
      this.trace.push({ type: 'offer_paused', offerId: offer.id, atMs: nowMs });
    } else if (cmd.type === 'resume_offer' && offer.status === 'paused') {
      offer.status = 'active';
      this.trace.push({ type: 'offer_resumed', offerId: offer.id, atMs: nowMs });
    } else if (cmd.type === 'close_offer') {
      this.closeOffer(offer, 'merchant', nowMs);
    }
    return { ok: true, offerId: offer.id };
  }

  /** Formed groups complete, open ones fail (oldest first), and the offer refuses everything afterwards. */
  private closeOffer(offer: Offer, reason: 'merchant' | 'ended', atMs: number): void {
    for (const group of this.liveGroupsOf(offer.id)) {
      if (group.status === 'formed') this.complete(group, 'offer_closed', 0, atMs);
      else this.fail(group, 'offer_closed', atMs);
    }
    offer.status = 'closed';
    offer.closedBy = reason;
    offer.closedAtMs = atMs;
    this.trace.push({ type: 'offer_closed', offerId: offer.id, reason, atMs });
  }

  // ---- shoppers ---------------------------------------------------------------------------------------------

  /** Offer state, in the contract's order: ended (closed by its end time), closed by its merchant, not started, paused. */
  private offerStateProblem(offer: Offer, nowMs: number): RefResult | null {
    if (offer.status === 'closed') return no(offer.closedBy === 'ended' ? 'offer_ended' : 'offer_closed');
    if (offer.startMs !== null && nowMs < offer.startMs) return no('offer_not_started');
    if (offer.status === 'paused') return no('offer_paused');
    return null;
  }

  /** The per-shopper limit, then inventory. */
  private seatProblem(offer: Offer, shopperId: string, qty: number): RefResult | null {
    if (offer.perShopperLimit !== null && this.unitsOf(offer.id, shopperId) + qty > offer.perShopperLimit) return no('limit_exceeded');
    if (this.available(offer) < qty) return no('sold_out');
    return null;
  }

  /** Why this shopper may not take a seat in this live group: membership, fullness, newcomer rule. */
  private memberProblem(group: Group, shopperId: string, newcomer: boolean): RefResult | null {
    if (group.members.some((member) => member.shopperId === shopperId)) return no('already_member');
    if (group.members.length >= this.capacity(group)) return no('group_full');
    if (group.newcomerOnly && !newcomer) return no('not_newcomer');
    return null;
  }

  /** Opening checks: a caller id already in use (live or remembered), then the live-group bound. */
  private openingProblem(offer: Offer, groupId: string | undefined): RefResult | null {
    if (groupId !== undefined && this.groupById(groupId)) return no('group_exists');
    if (this.liveGroupsOf(offer.id).length >= this.config.maxLiveGroupsPerOffer) return no('too_many_groups');
    return null;
  }

  /** Finds a group for a shopper command by id: live, or settled and remembered (full / closed), or unknown. */
  private groupForShopper(groupId: string, settledCode: (group: Group) => RejectionCode): Group | RefResult {
    const group = this.groupById(groupId);
    if (!group) return no('unknown_group');
    if (!isLive(group)) return no(settledCode(group));
    return group;
  }

  private openGroup(cmd: CommandOf<'open_group'>, nowMs: number): RefResult {
    const offer = this.offerById(cmd.offerId);
    if (!offer) return this.missing(cmd.offerId);
    const problem = this.offerStateProblem(offer, nowMs) ?? this.seatProblem(offer, cmd.shopperId, cmd.qty) ?? this.openingProblem(offer, cmd.groupId);
    if (problem) return problem;
    return this.open(offer, cmd.shopperId, cmd.qty, cmd.groupId, nowMs);
  }

  private open(offer: Offer, shopperId: string, qty: number, groupId: string | undefined, nowMs: number): RefResult {
    const s = offer.settings;
    const group: Group = {
      // Generated ids follow the contract's `<offerId>~g<n>`; the test pairs them with the engine's own.
      id: groupId ?? `${offer.id}~g${++this.generatedGroups}`,
      offerId: offer.id,
      created: ++this.created,
      status: 'open',
      reason: '',
      leaderId: shopperId,
      members: [],
      deadlineMs: offer.endMs === null ? nowMs + s.windowMs : Math.min(nowMs + s.windowMs, offer.endMs),
      minSize: s.minSize,
      maxSize: s.maxSize,
      newcomerOnly: s.newcomerOnly,
      autoFillMaxSeats: s.autoFillMaxSeats,
      finalSize: 0,
      settledSeq: -1,
      forgotten: false,
    };
    this.groups.push(group);
    this.trace.push({ type: 'group_opened', groupId: group.id, leaderId: shopperId, deadlineMs: group.deadlineMs, atMs: nowMs });
    const seated = this.seat(offer, group, shopperId, qty, true, nowMs);
    return { ok: true, offerId: offer.id, groupId: group.id, opened: true, ...seated };
  }

  private seat(offer: Offer, group: Group, shopperId: string, qty: number, isLeader: boolean, nowMs: number) {
    const sizeAfterJoin = group.members.length + 1;
    const quote = this.quoteAtJoin(offer, sizeAfterJoin, group.minSize, isLeader);
    group.members.push({ shopperId, qty, quote, charged: quote * qty });
    this.trace.push({
      type: 'group_joined',
      groupId: group.id,
      shopperId,
      qty,
      chargedMinor: quote * qty,
      quotedUnitPriceMinor: quote,
      size: sizeAfterJoin,
      atMs: nowMs,
    });
    if (group.status === 'open' && sizeAfterJoin >= group.minSize) {
      group.status = 'formed';
      this.trace.push({ type: 'group_formed', groupId: group.id, size: sizeAfterJoin, atMs: nowMs });
    }
    if (sizeAfterJoin >= this.capacity(group)) this.complete(group, 'full', 0, nowMs);
    return { chargedMinor: quote * qty, unitPriceMinor: quote };
  }

  private joinGroup(cmd: CommandOf<'join_group'>, nowMs: number): RefResult {
    const found = this.groupForShopper(cmd.groupId, (group) => (group.reason === 'full' ? 'group_full' : 'group_closed'));
    if ('ok' in found) return found;
    const group = found;
    const offer = this.offerById(group.offerId)!;
    const problem =
      this.offerStateProblem(offer, nowMs) ?? this.memberProblem(group, cmd.shopperId, cmd.newcomer) ?? this.seatProblem(offer, cmd.shopperId, cmd.qty);
    if (problem) return problem;
    const seated = this.seat(offer, group, cmd.shopperId, cmd.qty, false, nowMs);
    return { ok: true, offerId: offer.id, groupId: group.id, ...seated };
  }

  private matchGroup(cmd: CommandOf<'match_group'>, nowMs: number): RefResult {
    const offer = this.offerById(cmd.offerId);
    if (!offer) return this.missing(cmd.offerId);
    const problem = this.offerStateProblem(offer, nowMs) ?? this.seatProblem(offer, cmd.shopperId, cmd.qty);
    if (problem) return problem;

    // Fewest seats missing to minSize first (formed groups after every group still missing seats), then the
    // nearest deadline, then the oldest.
    const missingRank = (group: Group) => (group.members.length < group.minSize ? group.minSize - group.members.length : Infinity);
    let best: Group | null = null;
    for (const group of this.liveGroupsOf(offer.id)) {
      if (this.memberProblem(group, cmd.shopperId, cmd.newcomer)) continue;
      if (
        best === null ||
        missingRank(group) < missingRank(best) ||
        (missingRank(group) === missingRank(best) &&
          (group.deadlineMs < best.deadlineMs || (group.deadlineMs === best.deadlineMs && group.created < best.created)))
      ) {
        best = group;
      }
    }
    if (best) {
      const seated = this.seat(offer, best, cmd.shopperId, cmd.qty, false, nowMs);
      return { ok: true, offerId: offer.id, groupId: best.id, opened: false, ...seated };
    }
    if (!offer.settings.matchOpensGroup) return no('no_joinable_group');
    const opening = this.openingProblem(offer, cmd.groupId);
    if (opening) return opening;
    return this.open(offer, cmd.shopperId, cmd.qty, cmd.groupId, nowMs);
  }

  private leaveGroup(cmd: CommandOf<'leave_group'>, nowMs: number): RefResult {
    // Leaving a group that filled up is refused as closed: "full" is about taking a seat, not giving one up.
    const found = this.groupForShopper(cmd.groupId, () => 'group_closed');
    if ('ok' in found) return found;
    const group = found;
    const member = group.members.find((m) => m.shopperId === cmd.shopperId);
    if (!member) return no('not_member');
    if (group.status !== 'open') return no('already_formed');
    group.members = group.members.filter((m) => m !== member);
    if (group.leaderId === cmd.shopperId && group.members.length > 0) group.leaderId = group.members[0]!.shopperId;
    this.trace.push({
      type: 'group_left',
      groupId: group.id,
      shopperId: cmd.shopperId,
      qty: member.qty,
      refundMinor: member.charged,
      size: group.members.length,
      atMs: nowMs,
    });
    if (group.members.length === 0) this.fail(group, 'empty', nowMs);
    return { ok: true, offerId: group.offerId, groupId: group.id, refundMinor: member.charged };
  }

  private quote(cmd: CommandOf<'quote'>, _nowMs: number): RefResult {
    const offer = this.offerById(cmd.offerId);
    if (!offer) return this.missing(cmd.offerId);
    if (cmd.groupId === undefined) {
      return { ok: true, offerId: offer.id, unitPriceMinor: this.quoteAtJoin(offer, 1, offer.settings.minSize, cmd.asLeader), availableUnits: this.available(offer) };
    }
    const found = this.groupForShopper(cmd.groupId, (group) => (group.reason === 'full' ? 'group_full' : 'group_closed'));
    if ('ok' in found) return found;
    const group = found;
    if (group.offerId !== offer.id) return no('unknown_group');
    return {
      ok: true,
      offerId: offer.id,
      groupId: group.id,
      unitPriceMinor: this.quoteAtJoin(offer, group.members.length + 1, group.minSize, false),
      availableUnits: this.available(offer),
    };
  }

  // ---- settlement -------------------------------------------------------------------------------------------

  /** Everyone pays the tier price of the final size (leader discount on top), capped at their own quote. */
  private complete(group: Group, reason: 'full' | 'deadline' | 'offer_closed', autoFilledSeats: number, atMs: number): void {
    const offer = this.offerById(group.offerId)!;
    const finalSize = group.members.length + autoFilledSeats;
    const members: SettledMember[] = group.members.map((member) => {
      const unitPriceMinor = Math.min(this.unitPrice(offer, finalSize, member.shopperId === group.leaderId), member.quote);
      const paidMinor = unitPriceMinor * member.qty;
      return { shopperId: member.shopperId, qty: member.qty, unitPriceMinor, paidMinor, refundMinor: member.charged - paidMinor };
    });
    for (const member of group.members) this.purchases.push({ offerId: offer.id, shopperId: member.shopperId, qty: member.qty });
    group.status = 'completed';
    group.finalSize = finalSize;
    this.trace.push({ type: 'group_completed', groupId: group.id, size: finalSize, autoFilledSeats, reason, members, atMs });
    this.retire(group, reason);
  }

  /** Every hold released, every member refunded in full. */
  private fail(group: Group, reason: 'deadline' | 'offer_closed' | 'empty', atMs: number): void {
    const refunds = group.members.map((member) => ({ shopperId: member.shopperId, qty: member.qty, refundMinor: member.charged }));
    group.status = 'failed';
    group.finalSize = group.members.length;
    this.trace.push({ type: 'group_failed', groupId: group.id, size: group.members.length, reason, refunds, atMs });
    this.retire(group, reason);
  }

  /** Settled groups are remembered up to the configured bound; past it the oldest settlement is forgotten. */
  private retire(group: Group, reason: string): void {
    group.reason = reason;
    group.settledSeq = ++this.settledCount;
    for (;;) {
      const remembered = this.groups.filter((g) => !isLive(g) && !g.forgotten);
      if (remembered.length <= this.config.settledGroupsRetained) return;
      let oldest = remembered[0]!;
      for (const g of remembered) if (g.settledSeq < oldest.settledSeq) oldest = g;
      oldest.forgotten = true;
    }
  }

  // ---- state ------------------------------------------------------------------------------------------------

  projection(): Projection {
    return {
      nowMs: this.clock,
      offers: this.offers.map((offer) => {
        const shoppers = new Set<string>();
        for (const group of this.liveGroupsOf(offer.id)) for (const member of group.members) shoppers.add(member.shopperId);
        for (const purchase of this.purchases) if (purchase.offerId === offer.id) shoppers.add(purchase.shopperId);
        const unitsByShopper = [...shoppers]
          .sort()
          .map((shopperId): [string, number] => [shopperId, this.unitsOf(offer.id, shopperId)])
          .filter(([, units]) => units > 0);
        return {
          offerId: offer.id,
          status: offer.status,
          inventory: offer.inventory,
          heldUnits: this.heldUnits(offer.id),
          soldUnits: this.soldUnits(offer.id),
          basePriceMinor: offer.basePriceMinor,
          perShopperLimit: offer.perShopperLimit,
          endMs: offer.endMs,
          unitsByShopper,
        };
      }),
      liveGroups: this.groups
        .filter(isLive)
        .sort((a, b) => a.created - b.created)
        .map((group) => ({
          groupId: group.id,
          offerId: group.offerId,
          status: group.status as 'open' | 'formed',
          leaderId: group.leaderId,
          deadlineMs: group.deadlineMs,
          members: group.members.map((m) => ({ shopperId: m.shopperId, qty: m.qty, quotedUnitPriceMinor: m.quote, chargedMinor: m.charged })),
        })),
      settledGroups: this.groups
        .filter((group) => !isLive(group) && !group.forgotten)
        .sort((a, b) => a.settledSeq - b.settledSeq)
        .map((group) => ({
          groupId: group.id,
          offerId: group.offerId,
          status: group.status as 'completed' | 'failed',
          reason: group.reason,
          size: group.finalSize,
        })),
    };
  }
}
