// A reproducible, realistic command stream for the engine benchmark.
//
// Realistic here means the engine does real work most of the time: offers have enough stock and group settings
// that let groups open, form, complete and fail during the run; leaves target shoppers who really sit in an open
// group; quotes ask about groups that exist. To get that without guessing, the generator drives a reference
// engine while it builds the stream and reads its events (which groups are open, who is in them). The engine is
// deterministic, so a fresh engine fed the same setup and the same commands reaches exactly the same results:
// the timed runs replay the stream and do the same work as the reference run did.
//
// Everything random comes from one seed, so a figure can be reproduced (and a regression bisected) by rerunning
// with the printed seed.
import { Engine, type Command, type CommandType, type EngineEvent } from '../../engine/index.ts';
import { Prng } from '../../simulations/prng.ts';

export interface WorkloadOptions {
  seed: number;
  offers: number;
  shoppers: number;
  /** Length of the timed stream (after the offers are created). */
  commands: number;
  /**
   * How fast the simulated clock runs: commands per simulated second. Together with the offers' windows it
   * decides how many shoppers reach a group before its deadline, i.e. how many groups form or fail.
   */
  simCommandsPerSecond: number;
  /** Range of the offers' group windows, in simulated seconds. */
  windowSeconds: readonly [number, number];
  /** Simulated start time (ms since the epoch) of the stream. */
  startMs: number;
}

export const DEFAULT_WORKLOAD: Omit<WorkloadOptions, 'seed' | 'commands'> = {
  offers: 10_000,
  shoppers: 200_000,
  simCommandsPerSecond: 10_000,
  windowSeconds: [5, 30],
  startMs: Date.UTC(2025, 0, 1),
};

/** Share of each command type in the stream, as the issue specifies. */
export const MIX: readonly { type: CommandType; share: number }[] = [
  { type: 'match_group', share: 0.6 },
  { type: 'open_group', share: 0.1 },
  { type: 'leave_group', share: 0.1 },
  { type: 'tick', share: 0.1 },
  { type: 'quote', share: 0.1 },
];

/** Offer popularity follows a Zipf law with this exponent: a few hot offers, a long tail of quiet ones. */
const ZIPF_EXPONENT = 0.8;
/** Shoppers whose index modulo 10 is below this count as newcomers (a stable attribute of each shopper). */
const NEWCOMER_TENTHS = 3;
/** Leaves that target a random recent join instead of a live member: late clicks, double submits. */
const STALE_LEAVE_SHARE = 0.1;
const RECENT_JOINS_KEPT = 4_096;

export interface OutcomeCounts {
  /** Per command type: outcome ('accepted' or a rejection code) → count. */
  byType: Record<string, Record<string, number>>;
  total: number;
  accepted: number;
}

export interface GroupCounts {
  opened: number;
  formed: number;
  completedFull: number;
  completedAtDeadline: number;
  /** Completed at the deadline with auto-filled seats (included in completedAtDeadline). */
  completedAutoFilled: number;
  completedOfferClosed: number;
  failedDeadline: number;
  failedEmpty: number;
  failedOfferClosed: number;
  /** Members seated across all groups (group_joined events). */
  seats: number;
  offersClosed: number;
  /**
   * Live (open or formed) groups of the offer a match_group asked for, at the time it ran: matching scans
   * them all, so this is what one match costs in the engine as written.
   */
  liveGroupsPerMatchMean: number;
  liveGroupsPerMatchMax: number;
}

export interface Workload {
  options: WorkloadOptions;
  /** create_offer commands, applied (untimed) to every engine before the stream. */
  setup: Command[];
  commands: Command[];
  /** The key each command touches (shopper, else offer), for the Map baseline. */
  baselineKeys: string[];
  /** What the reference engine answered and emitted; the timed runs replay the same outcomes. */
  outcomes: OutcomeCounts;
  groups: GroupCounts;
  events: number;
  simulatedSeconds: number;
}

interface RecentJoin {
  groupId: string;
  shopperId: string;
}

interface OpenGroupInfo {
  offerId: string;
  members: string[];
  /** Position in `openIds`, for O(1) removal. */
  index: number;
}

/** Groups that are open right now in the reference engine, sampled uniformly for leaves and quotes. */
class OpenGroups {
  private readonly byId = new Map<string, OpenGroupInfo>();
  private readonly ids: string[] = [];

  get size(): number {
    return this.ids.length;
  }

  add(groupId: string, offerId: string): void {
    this.byId.set(groupId, { offerId, members: [], index: this.ids.length });
    this.ids.push(groupId);
  }

  get(groupId: string): OpenGroupInfo | undefined {
    return this.byId.get(groupId);
  }

  remove(groupId: string): void {
    const info = this.byId.get(groupId);
    if (!info) return;
    const last = this.ids.pop()!;
    if (last !== groupId) {
      this.ids[info.index] = last;
      this.byId.get(last)!.index = info.index;
    }
    this.byId.delete(groupId);
  }

  randomId(prng: Prng): string {
    return prng.pick(this.ids);
  }
}

function emptyGroupCounts(): GroupCounts {
  return {
    opened: 0,
    formed: 0,
    completedFull: 0,
    completedAtDeadline: 0,
    completedAutoFilled: 0,
    completedOfferClosed: 0,
    failedDeadline: 0,
    failedEmpty: 0,
    failedOfferClosed: 0,
    seats: 0,
    offersClosed: 0,
    liveGroupsPerMatchMean: 0,
    liveGroupsPerMatchMax: 0,
  };
}

/** Offer settings spread the way a marketplace's are: mostly 2–5 person groups, some capped, some special. */
function buildOffers(prng: Prng, options: WorkloadOptions): Command[] {
  const runMs = (options.commands / options.simCommandsPerSecond) * 1000;
  const setup: Command[] = [];
  for (let i = 0; i < options.offers; i++) {
    const minSize = prng.int(2, 5);
    const basePriceMinor = prng.int(500, 50_000);
    const tiers = [{ minSize, priceMinor: Math.floor(basePriceMinor * 0.85) }];
    if (prng.chance(0.5)) tiers.push({ minSize: minSize + 3, priceMinor: Math.floor(basePriceMinor * 0.75) });
    const offer: Command = {
      type: 'create_offer',
      nowMs: options.startMs,
      merchantId: `m${i % 1_000}`,
      offerId: `o${i}`,
      currency: 'CNY',
      title: `Offer ${i}`,
      // A few offers have little stock, so selling out happens, but most never run dry during the run.
      inventory: prng.chance(0.03) ? prng.int(50, 500) : 10_000_000,
      basePriceMinor,
      mechanism: {
        type: 'group',
        minSize,
        // Most offers cap their groups (often at minSize: the classic 2-person 拼团); the rest grow until the deadline.
        ...(prng.chance(0.7) ? { maxSize: minSize + prng.int(0, 4) } : {}),
        windowMs: prng.int(options.windowSeconds[0], options.windowSeconds[1]) * 1000,
        tiers,
        leaderDiscountBps: prng.chance(0.5) ? 500 : 0,
        newcomerOnly: prng.chance(0.05),
        autoFillMaxSeats: prng.chance(0.2) ? 1 : 0,
        matchOpensGroup: !prng.chance(0.03),
      },
      ...(prng.chance(0.2) ? { perShopperLimit: prng.int(1, 3) } : {}),
      // A few offers end during the run, so offer ends settle groups and later commands meet a closed offer.
      ...(prng.chance(0.02) ? { endMs: options.startMs + Math.floor(runMs * (0.3 + 0.5 * prng.next())) + 1 } : {}),
    };
    setup.push(offer);
  }
  return setup;
}

/** Cumulative Zipf weights over offer ranks, and a shuffled rank → offer map so hot offers are spread out. */
function offerSampler(prng: Prng, offers: number): () => number {
  const cdf = new Float64Array(offers);
  let total = 0;
  for (let rank = 0; rank < offers; rank++) {
    total += 1 / (rank + 1) ** ZIPF_EXPONENT;
    cdf[rank] = total;
  }
  const offerOfRank = Array.from({ length: offers }, (_, i) => i);
  for (let i = offers - 1; i > 0; i--) {
    const j = prng.int(0, i);
    [offerOfRank[i], offerOfRank[j]] = [offerOfRank[j]!, offerOfRank[i]!];
  }
  return () => {
    const target = prng.next() * total;
    let lo = 0;
    let hi = offers - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! < target) lo = mid + 1;
      else hi = mid;
    }
    return offerOfRank[lo]!;
  };
}

function countOutcome(outcomes: OutcomeCounts, type: string, outcome: string): void {
  const row = (outcomes.byType[type] ??= {});
  row[outcome] = (row[outcome] ?? 0) + 1;
  outcomes.total += 1;
  if (outcome === 'accepted') outcomes.accepted += 1;
}

/** Builds the offers and the stream, running them through a reference engine to keep the stream coherent. */
export function buildWorkload(options: WorkloadOptions): Workload {
  const prng = new Prng(options.seed);
  const setup = buildOffers(prng, options);
  const reference = new Engine();
  for (const cmd of setup) {
    const applied = reference.apply(cmd);
    if (!applied.result.ok) throw new Error(`workload setup refused: ${applied.result.code} ${applied.result.message}`);
  }

  const offerIds = setup.map((cmd) => (cmd.type === 'create_offer' ? cmd.offerId! : ''));
  const shopperIds = Array.from({ length: options.shoppers }, (_, i) => `s${i}`);
  const nextOffer = offerSampler(prng, options.offers);
  const cumulativeMix: { type: CommandType; upTo: number }[] = [];
  let acc = 0;
  for (const { type, share } of MIX) cumulativeMix.push({ type, upTo: (acc += share) });

  const open = new OpenGroups();
  const recentJoins: RecentJoin[] = [];
  let recentJoinsNext = 0;
  const groups = emptyGroupCounts();
  const outcomes: OutcomeCounts = { byType: {}, total: 0, accepted: 0 };
  let events = 0;
  const liveByOffer = new Map<string, number>();
  let liveSeenByMatches = 0;
  let matches = 0;
  const retireGroup = (offerId: string, groupId: string): void => {
    liveByOffer.set(offerId, liveByOffer.get(offerId)! - 1);
    open.remove(groupId);
  };

  const onEvent = (event: EngineEvent): void => {
    events += 1;
    switch (event.type) {
      case 'group_opened':
        groups.opened += 1;
        open.add(event.groupId, event.offerId);
        liveByOffer.set(event.offerId, (liveByOffer.get(event.offerId) ?? 0) + 1);
        break;
      case 'group_joined': {
        groups.seats += 1;
        open.get(event.groupId)?.members.push(event.shopperId);
        const join = { groupId: event.groupId, shopperId: event.shopperId };
        if (recentJoins.length < RECENT_JOINS_KEPT) recentJoins.push(join);
        else recentJoins[recentJoinsNext] = join;
        recentJoinsNext = (recentJoinsNext + 1) % RECENT_JOINS_KEPT;
        break;
      }
      case 'group_left': {
        const members = open.get(event.groupId)?.members;
        if (members) members.splice(members.indexOf(event.shopperId), 1);
        break;
      }
      case 'group_formed':
        groups.formed += 1;
        open.remove(event.groupId);
        break;
      case 'group_completed':
        if (event.reason === 'full') groups.completedFull += 1;
        else if (event.reason === 'deadline') groups.completedAtDeadline += 1;
        else groups.completedOfferClosed += 1;
        if (event.autoFilledSeats > 0) groups.completedAutoFilled += 1;
        retireGroup(event.offerId, event.groupId);
        break;
      case 'group_failed':
        if (event.reason === 'deadline') groups.failedDeadline += 1;
        else if (event.reason === 'empty') groups.failedEmpty += 1;
        else groups.failedOfferClosed += 1;
        retireGroup(event.offerId, event.groupId);
        break;
      case 'offer_closed':
        groups.offersClosed += 1;
        break;
      default:
        break;
    }
  };

  const commands: Command[] = new Array(options.commands);
  const baselineKeys: string[] = new Array(options.commands);
  for (let i = 0; i < options.commands; i++) {
    const nowMs = options.startMs + Math.floor((i * 1000) / options.simCommandsPerSecond);
    const roll = prng.next();
    const type = cumulativeMix.find((entry) => roll < entry.upTo)?.type ?? 'match_group';
    const shopperIndex = prng.int(0, options.shoppers - 1);
    const shopperId = shopperIds[shopperIndex]!;
    const newcomer = shopperIndex % 10 < NEWCOMER_TENTHS;
    const qty = prng.chance(0.9) ? 1 : 2;
    let cmd: Command;
    switch (type) {
      case 'match_group': {
        const offerId = offerIds[nextOffer()]!;
        cmd = { type, nowMs, shopperId, newcomer, offerId, qty };
        // Deadlines due at this command settle before it runs; the count is read before that, so it is an
        // upper bound by the few groups that expire exactly here.
        const live = liveByOffer.get(offerId) ?? 0;
        liveSeenByMatches += live;
        matches += 1;
        if (live > groups.liveGroupsPerMatchMax) groups.liveGroupsPerMatchMax = live;
        break;
      }
      case 'open_group':
        cmd = { type, nowMs, shopperId, newcomer, offerId: offerIds[nextOffer()]!, qty };
        break;
      case 'leave_group': {
        const target = leaveTarget(prng, open, recentJoins);
        cmd = target ? { type, nowMs, shopperId: target.shopperId, groupId: target.groupId } : { type, nowMs, shopperId, groupId: 'none' };
        break;
      }
      case 'quote':
        if (open.size > 0 && prng.chance(0.5)) {
          const groupId = open.randomId(prng);
          cmd = { type, nowMs, offerId: open.get(groupId)!.offerId, groupId, asLeader: false, newcomer: false };
        } else {
          cmd = { type, nowMs, offerId: offerIds[nextOffer()]!, asLeader: prng.chance(0.5), newcomer: false };
        }
        break;
      default:
        cmd = { type: 'tick', nowMs };
        break;
    }
    commands[i] = cmd;
    baselineKeys[i] = 'shopperId' in cmd ? cmd.shopperId : 'offerId' in cmd ? (cmd.offerId ?? 'tick') : 'tick';
    const applied = reference.apply(cmd);
    countOutcome(outcomes, cmd.type, applied.result.ok ? 'accepted' : applied.result.code);
    for (const event of applied.events) onEvent(event);
  }

  groups.liveGroupsPerMatchMean = matches === 0 ? 0 : liveSeenByMatches / matches;
  return {
    options,
    setup,
    commands,
    baselineKeys,
    outcomes,
    groups,
    events,
    simulatedSeconds: options.commands / options.simCommandsPerSecond,
  };
}

/**
 * Who leaves: mostly a shopper who joined recently and still sits in an open group (people change their mind
 * soon after joining), sometimes a recent join whatever became of it (a late click after the group formed, a
 * double submit), which the engine refuses. `members[0]` is the leader: the engine seats the leader first and
 * hands leadership to the earliest remaining member, which is the order this list keeps.
 */
function leaveTarget(prng: Prng, open: OpenGroups, recentJoins: readonly RecentJoin[]): RecentJoin | null {
  if (recentJoins.length === 0) return null;
  if (!prng.chance(STALE_LEAVE_SHARE)) {
    // Leaders walk away from their own group less often than joiners do: prefer a joiner, settle for a leader.
    let leader: RecentJoin | null = null;
    for (let attempt = 0; attempt < 8; attempt++) {
      const join = prng.pick(recentJoins);
      const members = open.get(join.groupId)?.members;
      if (!members?.includes(join.shopperId)) continue;
      if (members[0] !== join.shopperId) return join;
      leader ??= join;
    }
    if (leader) return leader;
  }
  return prng.pick(recentJoins);
}

/** Creates an engine with the workload's offers in place (untimed). */
export function engineWithOffers(workload: Workload): Engine {
  const engine = new Engine();
  for (const cmd of workload.setup) engine.apply(cmd);
  return engine;
}
