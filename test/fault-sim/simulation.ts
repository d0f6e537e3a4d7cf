// The fault-injecting simulator (in the spirit of TigerBeetle's VOPR). From one integer seed it draws a run
// profile and then, step by step, a mix of client commands over hot and cold ids and faults: late (reordered)
// and duplicate deliveries with and without idempotency keys, ticks at, around, after and again after deadlines,
// time jumps with no tick at all, bad input, snapshots, and crashes restored from snapshot + journal. After every
// delivery it checks the engine (delivery-checks.ts); any broken check stops the run with the seed, the step and
// a command that replays exactly that failure. docs/simulation-testing.md describes it for users.
import { canonicalJson, hash64, type Command, type EngineSnapshot } from '../../engine/index.ts';
import { CheckFailure, expectSame, expectTrue } from './check-failure.ts';
import { checkDelivery, type DeliveryState } from './delivery-checks.ts';
import type { DurableStore } from './durability/durable-store.ts';
import { FileStore } from './durability/file-store.ts';
import { MemoryStore } from './durability/memory-store.ts';
import { REAL_ENGINE, type EngineFactory, type SimEngine } from './engine-port.ts';
import { SimFailure } from './failure.ts';
import { garble } from './garbage.ts';
import { merchantCommand, ruleSetCommand, type Draft, type GenContext } from './generators/index.ts';
import { ID_POOLS } from './id-pools.ts';
import { IdempotencyMirror } from './idempotency-mirror.ts';
import { MarketKnowledge } from './knowledge.ts';
import { MoneyLedger } from './money-ledger.ts';
import { OfferReferences } from './offer-references.ts';
import { bugsToSteerAround, type KnownEngineBug } from './known-engine-bugs.ts';
import { Prng } from './prng.ts';
import { describeProfile, profileFor, START_MS, type Action, type RunProfile } from './profile.ts';
import { ReferenceCheck } from './reference-check.ts';

export interface SimOptions {
  seed: number;
  steps: number;
  /** Makes and restores engines; the sensitivity test passes one that plants a bug. */
  factory?: EngineFactory;
  /** Receives one line per delivery, snapshot and crash (`--trace`, `TRACE=1`). */
  trace?: (line: string) => void;
  /** Drive into the engine bugs found and not fixed yet instead of steering around them (known-engine-bugs.ts). */
  runIntoKnownBugs?: boolean;
}

export interface SimReport {
  seed: number;
  steps: number;
  deliveries: number;
  /** A hash over every delivery in order: two runs with equal digests sent the same command sequence. */
  digest: string;
  finalStateHash: string;
  profile: string;
  /** How often each kind of delivery, fault, outcome and event happened. */
  counts: Map<string, number>;
}

/** Runs one seed. Resolves with a report, or rejects with a `SimFailure` naming the seed, step and replay command. */
export async function simulate(options: SimOptions): Promise<SimReport> {
  const simulation = await Simulation.start(options);
  try {
    await simulation.run();
  } finally {
    await simulation.close();
  }
  return simulation.report();
}

interface Held {
  cmd: Command;
  actor: string | null;
  deliveriesLeft: number;
}

const RECENT_KEPT = 24;
const LOG_KEPT = 14;

function actorOf(cmd: Command): string | null {
  if ('merchantId' in cmd) return `m:${cmd.merchantId}`;
  if ('shopperId' in cmd) return `s:${cmd.shopperId}`;
  return null;
}

class Simulation implements DeliveryState {
  engine: SimEngine;
  readonly reference: ReferenceCheck | null;
  readonly offerReferences = new OfferReferences((what) => this.count(what));
  readonly mirror: IdempotencyMirror;
  readonly ledger = new MoneyLedger();
  readonly knowledge = new MarketKnowledge();
  readonly counts = new Map<string, number>();
  lastSnapshot: EngineSnapshot | null = null;
  private readonly factory: EngineFactory;
  private readonly steerAround: ReadonlySet<KnownEngineBug>;
  private simNowMs = START_MS;
  private step = 0;
  private deliveries = 0;
  private digest = '0';
  /** Commands in flight, delivered after commands of other clients (each client's own order is kept). */
  private held: Held[] = [];
  private readonly recent: Command[] = [];
  private lastTick: Command | null = null;
  private readonly log: string[] = [];
  private what = 'setup';
  private failedDelivery = 0;

  private constructor(
    private readonly options: SimOptions,
    private readonly rng: Prng,
    private readonly profile: RunProfile,
    readonly store: DurableStore,
  ) {
    this.factory = options.factory ?? REAL_ENGINE;
    this.steerAround = bugsToSteerAround(options.runIntoKnownBugs === true);
    this.engine = this.factory.create(profile.config);
    this.reference = profile.marketReference ? new ReferenceCheck(profile.config) : null;
    this.mirror = new IdempotencyMirror(profile.config);
  }

  static async start(options: SimOptions): Promise<Simulation> {
    const rng = new Prng(options.seed);
    const profile = profileFor(options.seed, rng);
    const store = profile.store === 'file' ? await FileStore.open(rng) : new MemoryStore(rng);
    return new Simulation(options, rng, profile, store);
  }

  async run(): Promise<void> {
    await this.guard('setup', () => this.setup());
    for (this.step = 1; this.step <= this.options.steps; this.step++) {
      const action = this.rng.weighted(this.profile.actions);
      await this.guard(action, () => this.act(action));
      // Whatever is still in flight arrives after the last step.
      if (this.step === this.options.steps) await this.guard('in flight at the end', () => this.releaseHeld(() => true));
    }
  }

  async close(): Promise<void> {
    await this.store.close();
  }

  report(): SimReport {
    const { seed } = this.options;
    return { seed, steps: this.options.steps, deliveries: this.deliveries, digest: this.digest, finalStateHash: this.engine.stateHash(), profile: describeProfile(this.profile), counts: this.counts };
  }

  count(what: string): void {
    this.counts.set(what, (this.counts.get(what) ?? 0) + 1);
  }

  private note(line: string): void {
    this.log.push(line.length > 400 ? `${line.slice(0, 400)}…` : line);
    if (this.log.length > LOG_KEPT) this.log.shift();
    this.options.trace?.(line);
  }

  private async guard(what: string, body: () => void | Promise<void>): Promise<void> {
    this.what = what;
    this.failedDelivery = 0;
    try {
      await body();
    } catch (error) {
      if (error instanceof SimFailure) throw error;
      const context = {
        seed: this.options.seed,
        step: this.step,
        delivery: this.failedDelivery,
        what: this.what,
        profile: describeProfile(this.profile),
        recent: [...this.log],
        runIntoKnownBugs: this.options.runIntoKnownBugs === true,
      };
      throw new SimFailure(context, error);
    }
  }

  private context(): GenContext {
    return { rng: this.rng, ids: ID_POOLS, knowledge: this.knowledge, nowMs: this.simNowMs, steerAround: this.steerAround };
  }

  /** Two or three hot offers exist from the start, so shoppers have something to race for. */
  private setup(): void {
    const offers = ID_POOLS.offers.hotIds().slice(0, this.rng.int(2, 3));
    for (const offerId of offers) {
      const generator = this.rng.pick(this.profile.mechanisms);
      this.deliver({ ...generator.createOffer(this.context(), offerId, 'm1'), nowMs: this.simNowMs } as Command, 'setup');
    }
  }

  private advanceTime(): void {
    const rng = this.rng;
    this.simNowMs += rng.weighted([
      [0, 4],
      [rng.int(1, 30), 20],
      [rng.int(31, 600), 1],
    ]);
  }

  private async act(action: Action): Promise<void> {
    this.advanceTime();
    switch (action) {
      case 'client':
        return this.clientCommand();
      case 'duplicate':
        return this.duplicate();
      case 'tick':
        return this.tick();
      case 'time_jump':
        // Deadlines pass with no tick at all: the next command must settle them, each at its own time.
        this.simNowMs += this.rng.int(300, 5_000);
        this.count('fault: time jump without ticks');
        return;
      case 'bad_input':
        return this.badInput();
      case 'checkpoint':
        this.note(`step ${this.step} checkpoint: ${await this.store.checkpoint(this.engine)}`);
        this.count(`checkpoint: ${this.store.kind}`);
        return;
      case 'crash':
        return this.crashAndRestore();
    }
  }

  private draft(): Draft {
    const ctx = this.context();
    // Offers close (auctions end, merchants close them): when few are left open, merchants list new ones.
    const open = this.knowledge.allOffers().filter((offer) => !offer.closed).length;
    const kind = this.rng.weighted([
      ['shopper', 85],
      ['create', open < 2 ? 20 : 4],
      ['merchant', 8],
      ...(this.profile.ruleSets ? [['rule_set', 3] as const] : []),
    ]);
    switch (kind) {
      case 'shopper':
        return this.rng.pick(this.profile.mechanisms).shopperCommand(ctx);
      case 'create':
        return this.rng.pick(this.profile.mechanisms).createOffer(ctx, ID_POOLS.offers.pick(this.rng), ID_POOLS.merchants.pick(this.rng));
      case 'merchant':
        return merchantCommand(ctx, this.profile.mechanisms);
      case 'rule_set':
        return ruleSetCommand(ctx);
      default:
        throw new Error(`no such draft kind: ${String(kind)}`);
    }
  }

  private stamp(draft: Draft): Command {
    const keyed = this.rng.chance(this.profile.keyedShare);
    return { ...draft, nowMs: this.simNowMs, ...(keyed ? { idempotencyKey: ID_POOLS.keys.pick(this.rng) } : {}) } as Command;
  }

  private clientCommand(): void {
    const cmd = this.stamp(this.draft());
    const actor = actorOf(cmd);
    if (this.rng.chance(this.profile.reorderShare)) {
      this.held.push({ cmd, actor, deliveriesLeft: this.rng.int(1, 3) });
      this.count('fault: delivery held back');
      return;
    }
    // A client's own commands keep their order: what it sent earlier arrives first.
    if (actor !== null) this.releaseHeld((held) => held.actor === actor);
    this.deliver(cmd, 'client');
  }

  /** The same command again: verbatim (same `nowMs`, a network duplicate) or later (a client's retry). */
  private duplicate(): void {
    if (this.recent.length === 0) return;
    const keyed = this.recent.filter((cmd) => cmd.idempotencyKey !== undefined);
    const original = keyed.length > 0 && this.rng.chance(0.6) ? this.rng.pick(keyed) : this.rng.pick(this.recent);
    const verbatim = this.rng.chance(0.5);
    this.deliver({ ...structuredClone(original), ...(verbatim ? {} : { nowMs: this.simNowMs }) }, verbatim ? 'duplicate' : 'retry');
  }

  private tick(): void {
    const kind = this.rng.weighted([
      ['at deadline', 3],
      ['late', 2],
      ['now', 2],
      ['repeated', 1],
    ] as const);
    if (kind === 'repeated') {
      if (this.lastTick !== null) this.deliver(structuredClone(this.lastTick), 'tick: repeated');
      return;
    }
    const deadline = this.engine.nextDeadlineMs();
    let nowMs = this.simNowMs;
    if (deadline !== null && kind === 'at deadline') nowMs = Math.max(0, deadline + this.rng.int(-1, 1));
    if (deadline !== null && kind === 'late') nowMs = deadline + this.rng.int(1, 400);
    if (nowMs > this.simNowMs) this.simNowMs = nowMs;
    this.deliver({ type: 'tick', nowMs }, `tick: ${kind}`);
  }

  private badInput(): void {
    const base = this.rng.chance(0.3) && this.recent.length > 0 ? structuredClone(this.rng.pick(this.recent)) : this.stamp(this.draft());
    const { raw, how } = garble(this.rng, base as unknown as Record<string, unknown>);
    this.count(`fault: bad input on ${base.type}`);
    const n = this.beginDelivery('bad input', `${how}: ${canonicalJson(raw) ?? String(raw)}`);
    const stateBefore = this.lastSnapshot ?? this.engine.snapshot();
    const applied = this.engine.submit(raw);
    const code = applied.result.ok ? 'accepted' : applied.result.code;
    expectTrue('bad input must be refused as bad_request', code === 'bad_request', () => `#${n} (${how}) got ${code}`);
    expectTrue('bad input must emit nothing', applied.events.length === 0, () => `#${n} emitted ${applied.events.map((e) => e.type).join(', ')}`);
    this.lastSnapshot = this.engine.snapshot();
    expectSame('bad input must change nothing', this.lastSnapshot, stateBefore);
    this.count(`fault: bad input (${how.split(':')[0]})`);
  }

  private async crashAndRestore(): Promise<void> {
    const liveHash = this.engine.stateHash();
    const liveDeadline = this.engine.nextDeadlineMs();
    const { engine, detail } = await this.store.recover(this.factory, this.profile.config);
    const restoredHash = engine.stateHash();
    expectTrue('restored state hash equals the live engine’s', restoredHash === liveHash, () => `${detail}: live ${liveHash}, restored ${restoredHash}`);
    const violations = engine.checkInvariants();
    if (violations.length > 0) throw new CheckFailure('invariants after restore', violations.join('; '));
    expectTrue('restored next deadline equals the live engine’s', engine.nextDeadlineMs() === liveDeadline, () => `${detail}: live ${liveDeadline}, restored ${engine.nextDeadlineMs()}`);
    // The run goes on with the restored engine; the old one is gone, as in a real crash.
    this.engine = engine;
    this.lastSnapshot = null;
    this.note(`step ${this.step} crash and restore: ${detail}, state hash ${restoredHash}`);
    this.count(`crash: restored from the ${this.store.kind} store`);
    if (detail.includes('previous snapshot')) this.count('crash: restored from the previous snapshot');
    if (detail.includes('torn tail')) this.count('crash: torn journal tail repaired');
    for (const offer of this.engine.snapshot().offers) {
      const market = offer.market;
      if (market.type === 'auction' && market.status === 'open') this.count('crash: restored with an open auction');
      if (market.type === 'reservation' && market.turns.length + market.bookings.length > 0) this.count('crash: restored with live holds, rentals or bookings');
    }
  }

  /** Delivers the held commands `which` selects, oldest first. */
  private releaseHeld(which: (held: Held) => boolean): void {
    const due = this.held.filter(which);
    if (due.length === 0) return;
    this.held = this.held.filter((held) => !which(held));
    for (const held of due) this.deliverOne(held.cmd, 'reordered');
  }

  private beginDelivery(what: string, text: string): number {
    const n = ++this.deliveries;
    this.failedDelivery = n;
    this.what = what;
    this.digest = hash64(`${this.digest}|${what}|${text}`);
    this.note(`#${n} step ${this.step} [${what}] ${text}`);
    return n;
  }

  /** One delivery, then the held commands whose turn has come. */
  private deliver(cmd: Command, what: string): void {
    this.deliverOne(cmd, what);
    if (this.held.length === 0) return;
    for (const held of this.held) held.deliveriesLeft--;
    this.releaseHeld((held) => held.deliveriesLeft <= 0);
  }

  private deliverOne(cmd: Command, what: string): void {
    // Plain JSON: the generators build every command the same way each run, so it is as deterministic as canonical.
    this.beginDelivery(what, JSON.stringify(cmd));
    checkDelivery(this, cmd, what);
    this.recent.push(cmd);
    if (this.recent.length > RECENT_KEPT) this.recent.shift();
    if (cmd.type === 'tick') this.lastTick = cmd;
  }
}
