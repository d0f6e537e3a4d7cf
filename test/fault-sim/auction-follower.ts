// Follows one auction offer with the naive models of test/engine/auction-reference.ts: RefAuction for English,
// Vickrey and uniform-price auctions, RefDutch and the clock formula for Dutch ones. After every delivery the engine
// must agree with the model on the outcome of each command the model decides (bids, buy-now, acceptances, the
// merchant's pause, resume and close), on an accepted bid's answer and `bid_placed` and a buy-now's or acceptance's
// price, on the close (at most one, with the model's reason, time, clearing price and winners), on the Dutch clock's
// drops (each at its step time, at the formula's price) and on the public view (end,
// extensions, bidders, the English price and leader, the Dutch price). The models know nothing of edits: an edit
// the engine accepts is applied to the model as the engine took it (its validity is the engine's own tests' part).
import type { Applied, Command, CommandOf, EngineEvent, EngineSnapshot } from '../../engine/index.ts';
import { dutchPrice, englishPrice, RefAuction, RefDutch, type RefClose, type RefSettings } from '../engine/auction-reference.ts';
import { expectSame, expectTrue } from './check-failure.ts';
import type { SimEngine } from './engine-port.ts';
import { outcomeOf, targets, type FollowStep, type OfferFollower } from './offer-follower.ts';

type CreateOffer = CommandOf<'create_offer'>;
type Close = Omit<RefClose, 'reason'> & { reason: string };
type ClosedEvent = Extract<EngineEvent, { type: 'auction_closed' }>;

function closeSummary(event: ClosedEvent): Close {
  const winners = event.winners.map((w) => ({ shopperId: w.shopperId, qty: w.qty, unitPriceMinor: w.unitPriceMinor }));
  return { reason: event.reason, atMs: event.atMs, reserveMet: event.reserveMet, clearingPriceMinor: event.clearingPriceMinor, winners };
}

/**
 * A token's exposure limit is the shopper's total across open auctions; the model follows one auction, so it gets
 * what is left of the limit after the shopper's stakes in every other offer (from the engine's portfolios: a
 * command on this auction moves no stake elsewhere, so the state after it tells what the command met).
 */
function limitHere<C extends CommandOf<'place_bid' | 'buy_now' | 'accept_price'>>(cmd: C, snapshot: EngineSnapshot, offerId: string): C {
  if (cmd.exposureLimitMinor === undefined) return cmd;
  const stakes = snapshot.portfolios.find(([shopperId]) => shopperId === cmd.shopperId)?.[1] ?? [];
  const elsewhere = stakes.reduce((sum, [stakeOfferId, exposureMinor]) => (stakeOfferId === offerId ? sum : sum + exposureMinor), 0);
  return { ...cmd, exposureLimitMinor: cmd.exposureLimitMinor - elsewhere };
}

/** What every auction kind shares: the merchant's commands, the start, and the checks of the close. */
abstract class AuctionFollowerBase implements OfferFollower {
  readonly mechanism = 'auction';
  protected readonly merchantId: string;
  protected readonly startMs: number | null;

  constructor(
    readonly offerId: string,
    create: CreateOffer,
  ) {
    this.merchantId = create.merchantId;
    this.startMs = create.startMs ?? null;
  }

  abstract nextDeadlineMs(): number | null;
  /** The model's close, if any. */
  protected abstract closed(): Close | null;
  protected abstract advance(runsAtMs: number, events: readonly EngineEvent[]): void;
  /** The model's outcome for a shopper command on this offer ('accepted' or a code). */
  protected abstract shopperOutcome(cmd: CommandOf<'place_bid' | 'buy_now' | 'accept_price'>, runsAtMs: number, applied: Applied, events: readonly EngineEvent[]): string;
  protected abstract pause(paused: boolean): void;
  protected abstract closeByMerchant(atMs: number): void;
  protected abstract applyEdit(patch: CommandOf<'edit_offer'>['patch']): void;
  protected abstract checkView(engine: SimEngine, runsAtMs: number): void;

  protected notStarted(runsAtMs: number): boolean {
    return this.startMs !== null && runsAtMs < this.startMs;
  }

  step({ cmd, applied, fresh, runsAtMs, engine, snapshot, events }: FollowStep): string | null {
    const closedBefore = this.closed();
    this.advance(runsAtMs, events);
    let detach: string | null = null;
    if (fresh && targets(cmd, this.offerId)) {
      const expected = this.expect(cmd, runsAtMs, applied, events, snapshot);
      if (expected !== null) expectSame('auction: outcome differs from the auction reference', { command: cmd.type, outcome: outcomeOf(applied) }, { command: cmd.type, outcome: expected });
      if (cmd.type === 'edit_offer' && applied.result.ok) this.applyEdit(cmd.patch);
      if (cmd.type === 'set_rule_set' && applied.result.ok) detach = 'rule set';
    }
    const closes = events.filter((event): event is ClosedEvent => event.type === 'auction_closed');
    const closedNow = closedBefore === null ? this.closed() : null;
    expectTrue('auction: closes once, when its reference closes it', closes.length === (closedNow === null ? 0 : 1), () => `${this.offerId}: ${closes.length} auction_closed events, the reference ${closedNow === null ? 'did not close it' : `closed it (${closedNow.reason} at ${closedNow.atMs})`}`);
    if (closedNow !== null) expectSame('auction: close differs from the auction reference', closeSummary(closes[0]!), closedNow);
    if (events.length > 0 || targets(cmd, this.offerId)) this.checkView(engine, runsAtMs);
    return detach;
  }

  /** The model's outcome for a command on this offer, or null when the model does not decide it. */
  private expect(cmd: Command, runsAtMs: number, applied: Applied, events: readonly EngineEvent[], snapshot: EngineSnapshot): string | null {
    switch (cmd.type) {
      case 'place_bid':
      case 'buy_now':
      case 'accept_price':
        return this.shopperOutcome(limitHere(cmd, snapshot, this.offerId), runsAtMs, applied, events);
      case 'pause_offer':
      case 'resume_offer':
      case 'close_offer':
      case 'edit_offer':
      case 'set_rule_set': {
        if (cmd.merchantId !== this.merchantId) return 'not_owner';
        if (this.closed() !== null) return 'offer_closed';
        if (cmd.type === 'pause_offer' || cmd.type === 'resume_offer') this.pause(cmd.type === 'pause_offer');
        if (cmd.type === 'close_offer') this.closeByMerchant(runsAtMs);
        return cmd.type === 'edit_offer' || cmd.type === 'set_rule_set' ? null : 'accepted';
      }
      default:
        return null; // other mechanisms' commands on an auction: the engine's own checks
    }
  }
}

function settingsOf(create: CreateOffer): RefSettings {
  const m = create.mechanism;
  if (m.type !== 'auction') throw new Error(`${create.offerId} is not an auction`);
  return {
    merchantId: create.merchantId,
    openingMinor: create.basePriceMinor,
    reserveMinor: m.reservePriceMinor,
    increments: m.increments.map((band) => ({ ...band })),
    buyNowMinor: m.buyNowPriceMinor ?? null,
    softClose: m.softClose ? { ...m.softClose } : null,
    endMs: create.endMs!,
    units: m.kind === 'uniform' ? create.inventory : 1,
    perShopperLimit: create.perShopperLimit ?? null,
  };
}

/** English, Vickrey and uniform-price auctions. */
class BidFollower extends AuctionFollowerBase {
  private readonly ref: RefAuction;

  constructor(offerId: string, create: CreateOffer, kind: 'english' | 'vickrey' | 'uniform', atMs: number) {
    super(offerId, create);
    this.ref = new RefAuction(kind, settingsOf(create));
    this.ref.advance(atMs);
  }

  nextDeadlineMs(): number | null {
    return this.ref.closed === null ? this.ref.endMs : null;
  }

  protected closed(): Close | null {
    return this.ref.closed;
  }

  protected advance(runsAtMs: number): void {
    this.ref.advance(runsAtMs);
  }

  protected shopperOutcome(cmd: CommandOf<'place_bid' | 'buy_now' | 'accept_price'>, runsAtMs: number, applied: Applied, events: readonly EngineEvent[]): string {
    if (cmd.type === 'accept_price') return 'wrong_mechanism';
    if (cmd.type === 'buy_now' && this.ref.kind !== 'english') return 'wrong_mechanism';
    if (this.ref.closed !== null) return 'auction_closed';
    if (this.notStarted(runsAtMs)) return 'offer_not_started';
    if (cmd.type === 'buy_now') {
      const outcome = this.ref.buyNow(cmd.shopperId, cmd.exposureLimitMinor);
      if (outcome === 'accepted' && applied.result.ok) {
        expectSame('auction: a buy-now’s answer differs from the auction reference', applied.result.auction, { kind: 'english', bidMinor: null, qty: 1, leading: null, priceMinor: this.ref.s.buyNowMinor, closed: true, endMs: runsAtMs });
      }
      return outcome;
    }
    const english = this.ref.kind === 'english';
    const leaderBefore = english ? this.leader() : null;
    const outcome = this.ref.bid(cmd.shopperId, cmd.maxBidMinor, cmd.qty, cmd.exposureLimitMinor);
    if (outcome === 'accepted' && applied.result.ok) this.checkBid(cmd, applied, events, leaderBefore);
    return outcome;
  }

  private leader(): string | null {
    const leaderNo = this.ref.leaderNo();
    return leaderNo === null ? null : this.ref.bids[leaderNo - 1]!.shopperId;
  }

  /**
   * An accepted bid's answer and its `bid_placed` as the model has them: the bid as it stands, the English price,
   * leader, reserve and who was outbid (sealed kinds reveal none of it), the bidders, and the end after it.
   */
  private checkBid(cmd: CommandOf<'place_bid'>, applied: Applied, events: readonly EngineEvent[], leaderBefore: string | null): void {
    const ref = this.ref;
    const english = ref.kind === 'english';
    const leader = english ? this.leader() : null;
    const priceMinor = english ? englishPrice(ref.s, ref.bids) : null;
    const top = english ? ref.bids[ref.leaderNo()! - 1]! : null;
    expectSame('auction: a bid’s answer differs from the auction reference', applied.result.ok ? applied.result.auction : null, {
      kind: ref.kind,
      bidMinor: cmd.maxBidMinor,
      qty: cmd.qty,
      leading: english ? leader === cmd.shopperId : null,
      priceMinor,
      closed: false,
      endMs: ref.endMs,
    });
    const placed = events.filter((event) => event.type === 'bid_placed');
    const bidderNo = ref.bids.findIndex((bid) => bid.shopperId === cmd.shopperId) + 1;
    expectSame(
      'auction: bid_placed differs from the auction reference',
      placed.map(({ shopperId, bidderNo: no, bidMinor, qty, priceMinor: price, leaderNo, outbidShopperId, reserveMet, bidders }) => ({ shopperId, bidderNo: no, bidMinor, qty, priceMinor: price, leaderNo, outbidShopperId, reserveMet, bidders })),
      [
        {
          shopperId: cmd.shopperId,
          bidderNo,
          bidMinor: cmd.maxBidMinor,
          qty: cmd.qty,
          priceMinor,
          leaderNo: english ? ref.leaderNo() : null,
          outbidShopperId: english && leaderBefore !== null && leaderBefore !== leader ? leaderBefore : null,
          reserveMet: english ? top!.amountMinor >= ref.s.reserveMinor : null,
          bidders: ref.bids.length,
        },
      ],
    );
  }

  protected pause(paused: boolean): void {
    this.ref.paused = paused;
  }

  protected closeByMerchant(atMs: number): void {
    this.ref.close('offer_closed', atMs);
  }

  protected applyEdit(patch: CommandOf<'edit_offer'>['patch']): void {
    if (patch.endMs !== undefined && patch.endMs !== null) this.ref.endMs = patch.endMs;
    if (patch.basePriceMinor !== undefined) this.ref.s.openingMinor = patch.basePriceMinor;
    if (patch.inventory !== undefined && this.ref.kind === 'uniform') this.ref.s.units = patch.inventory;
    if (patch.perShopperLimit !== undefined) this.ref.s.perShopperLimit = patch.perShopperLimit;
  }

  protected checkView(engine: SimEngine): void {
    const view = engine.auction(this.offerId);
    const ref = this.ref;
    if (ref.closed !== null) {
      expectSame('auction: view differs from the auction reference', view?.status, 'closed');
      return;
    }
    const english = ref.kind === 'english';
    expectSame(
      'auction: view differs from the auction reference',
      { status: view?.status, bidders: view?.bidders, endMs: view?.endMs, extensionsUsed: view?.extensionsUsed, priceMinor: english ? view?.priceMinor : null, leaderNo: english ? view?.leaderNo : null },
      { status: 'open', bidders: ref.bids.length, endMs: ref.endMs, extensionsUsed: ref.extensions, priceMinor: english ? englishPrice(ref.s, ref.bids) : null, leaderNo: english ? ref.leaderNo() : null },
    );
  }
}

/** Dutch clocks: RefDutch decides acceptances; the drops and the view follow the clock formula. */
class DutchFollower extends AuctionFollowerBase {
  private readonly ref: RefDutch;
  private endMs: number | null;
  private paused = false;
  private close: Close | null = null;
  /** Steps at or before this time are accounted for. */
  private settledToMs: number;

  constructor(offerId: string, create: CreateOffer, atMs: number) {
    super(offerId, create);
    const m = create.mechanism;
    if (m.type !== 'auction' || m.dutch === undefined) throw new Error(`${offerId} is not a Dutch auction`);
    this.ref = new RefDutch({ startMinor: create.basePriceMinor, ...m.dutch }, Math.max(atMs, create.startMs ?? atMs), create.merchantId);
    this.endMs = create.endMs ?? null;
    this.settledToMs = atMs;
  }

  private priceAt(atMs: number): number {
    return dutchPrice(this.ref.clock.startMinor, { ...this.ref.clock, floorPriceMinor: this.ref.floor() }, this.ref.clockStartMs, atMs);
  }

  /** The next step time after `afterMs` while the price is above the floor, or null. */
  private nextStepAfter(afterMs: number): number | null {
    const { clockStartMs, clock } = this.ref;
    const k = Math.max(1, Math.floor((afterMs - clockStartMs) / clock.stepIntervalMs) + 1);
    const atMs = clockStartMs + k * clock.stepIntervalMs;
    return this.priceAt(atMs - 1) > this.ref.floor() ? atMs : null;
  }

  nextDeadlineMs(): number | null {
    if (this.close !== null) return null;
    const step = this.nextStepAfter(this.settledToMs);
    return step === null ? this.endMs : this.endMs === null ? step : Math.min(step, this.endMs);
  }

  protected closed(): Close | null {
    return this.close;
  }

  protected advance(runsAtMs: number, events: readonly EngineEvent[]): void {
    const expected: object[] = [];
    if (this.close === null) {
      // Each step due by now, at its own time; none at or after the end (the offer ends then).
      for (let atMs = this.nextStepAfter(this.settledToMs); atMs !== null && atMs <= runsAtMs && (this.endMs === null || atMs < this.endMs); atMs = this.nextStepAfter(atMs)) {
        const priceMinor = this.priceAt(atMs);
        expected.push({ priceMinor, previousPriceMinor: this.priceAt(atMs - 1), nextStepAtMs: priceMinor > this.ref.floor() ? atMs + this.ref.clock.stepIntervalMs : null, atMs });
      }
      if (this.endMs !== null && runsAtMs >= this.endMs) this.close = { reason: 'ended', atMs: this.endMs, reserveMet: false, clearingPriceMinor: null, winners: [] };
    }
    this.settledToMs = Math.max(this.settledToMs, runsAtMs);
    const drops = events.filter((event) => event.type === 'auction_price_dropped').map(({ priceMinor, previousPriceMinor, nextStepAtMs, atMs }) => ({ priceMinor, previousPriceMinor, nextStepAtMs, atMs }));
    expectSame('auction: Dutch clock drops differ from the clock formula', drops, expected);
  }

  protected shopperOutcome(cmd: CommandOf<'place_bid' | 'buy_now' | 'accept_price'>, runsAtMs: number, applied: Applied): string {
    if (cmd.type !== 'accept_price') return 'wrong_mechanism';
    if (this.close !== null) return 'auction_closed';
    if (this.notStarted(runsAtMs)) return 'offer_not_started';
    if (this.paused) return 'offer_paused';
    const outcome = this.ref.accept(cmd.shopperId, runsAtMs, cmd.exposureLimitMinor);
    if (outcome === 'accepted') {
      const priceMinor = this.ref.taken!.priceMinor;
      this.close = { reason: 'accepted', atMs: runsAtMs, reserveMet: true, clearingPriceMinor: priceMinor, winners: [{ shopperId: cmd.shopperId, qty: 1, unitPriceMinor: priceMinor }] };
      if (applied.result.ok) expectSame('auction: a Dutch acceptance pays the clock’s price', applied.result.auction?.priceMinor, priceMinor);
    }
    return outcome;
  }

  protected pause(paused: boolean): void {
    this.paused = paused;
  }

  protected closeByMerchant(atMs: number): void {
    this.close = { reason: 'offer_closed', atMs, reserveMet: false, clearingPriceMinor: null, winners: [] };
  }

  protected applyEdit(patch: CommandOf<'edit_offer'>['patch']): void {
    if (patch.endMs !== undefined) this.endMs = patch.endMs;
  }

  protected checkView(engine: SimEngine, runsAtMs: number): void {
    const view = engine.auction(this.offerId);
    const open = this.close === null;
    expectSame(
      'auction: view differs from the Dutch clock',
      { status: view?.status, ...(open ? { priceMinor: view?.priceMinor, endMs: view?.endMs } : {}) },
      { status: open ? 'open' : 'closed', ...(open ? { priceMinor: this.priceAt(runsAtMs), endMs: this.endMs } : {}) },
    );
  }
}

/** A follower for an auction offer the engine just created at `atMs`. */
export function followAuction(offerId: string, create: CreateOffer, atMs: number): OfferFollower {
  const m = create.mechanism;
  if (m.type !== 'auction') throw new Error(`${offerId} is not an auction`);
  return m.kind === 'dutch' ? new DutchFollower(offerId, create, atMs) : new BidFollower(offerId, create, m.kind, atMs);
}
