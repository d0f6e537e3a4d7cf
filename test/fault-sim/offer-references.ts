// The per-offer reference checks: a naive model follows each auction and reservation offer on its own
// (auction-follower.ts, reservation-follower.ts), in every seed, from the moment the engine accepts its creation
// until something happens to it that the model does not cover (an accepted rule set, an edit it cannot take); then
// it stops following that offer, and the run counts why. The models follow every fault: late and duplicate
// deliveries (a keyed duplicate answered from memory only lets time pass), missing, late and repeated ticks;
// bad input never reaches them, and a crash is invisible to them (the restored engine must go on agreeing).
import type { Applied, Command, EngineEvent, EngineSnapshot } from '../../engine/index.ts';
import { followAuction } from './auction-follower.ts';
import { expectSame, expectTrue } from './check-failure.ts';
import type { SimEngine } from './engine-port.ts';
import type { KeyExpectation } from './idempotency-mirror.ts';
import type { OfferFollower } from './offer-follower.ts';
import { ReservationFollower, reservationUnfollowable } from './reservation-follower.ts';

export class OfferReferences {
  /** By offer id; bounded by the offers of the run (the engine never forgets an offer). */
  private readonly followers = new Map<string, OfferFollower>();

  constructor(private readonly count: (what: string) => void) {}

  check(cmd: Command, applied: Applied, expectation: KeyExpectation, clockBefore: number, engine: SimEngine, snapshot: EngineSnapshot): void {
    const runsAtMs = Math.max(clockBefore, cmd.nowMs);
    const fresh = expectation.kind === 'none' || expectation.kind === 'new';
    const byOffer = new Map<string, EngineEvent[]>();
    for (const event of applied.events) {
      const list = byOffer.get(event.offerId);
      if (list) list.push(event);
      else byOffer.set(event.offerId, [event]);
    }
    for (const [offerId, follower] of this.followers) {
      const events = byOffer.get(offerId) ?? [];
      const retired = events.find((event) => event.type === 'offer_retired');
      if (retired !== undefined) {
        // The kernel's, not the model's: a closed offer leaves memory one retention period after it closed.
        expectSame('a closed offer retires one retention period after its close', retired.atMs, retired.closedAtMs + snapshot.config.closedOfferRetentionMs);
        expectSame('a retired offer told of nothing else in its last delivery', events.map((event) => event.type), ['offer_retired']);
        this.followers.delete(offerId);
        this.count(`reference: stopped following a ${follower.mechanism} offer (retired)`);
        continue;
      }
      const stop = follower.step({ cmd, applied, fresh, runsAtMs, engine, snapshot, events });
      this.count(`reference: ${follower.mechanism} delivery compared`);
      if (stop !== null) {
        this.followers.delete(offerId);
        this.count(`reference: stopped following a ${follower.mechanism} offer (${stop})`);
      }
    }
    if (cmd.type === 'create_offer' && fresh && applied.result.ok && applied.result.offerId !== undefined) this.start(cmd, applied.result.offerId, runsAtMs);
    this.checkNextDeadline(engine, snapshot);
  }

  private start(cmd: Extract<Command, { type: 'create_offer' }>, offerId: string, atMs: number): void {
    const mechanism = cmd.mechanism.type;
    const problem = mechanism === 'group' ? 'no per-offer model' : cmd.ruleSet !== undefined ? 'rule set' : mechanism === 'reservation' ? reservationUnfollowable(cmd) : null;
    if (problem !== null) {
      if (mechanism !== 'group') this.count(`reference: ${mechanism} offer not followed (${problem})`);
      return;
    }
    this.followers.set(offerId, mechanism === 'auction' ? followAuction(offerId, cmd, atMs) : new ReservationFollower(offerId, cmd, atMs));
    this.count(`reference: ${mechanism} offer followed`);
  }

  /**
   * When every offer is followed, the engine's next deadline is the earliest of the models' and of the pricing
   * deadlines the state shows (a coalesced price event, a scheduled rule set, a closed offer's retirement: the
   * core's, which the models do not know); otherwise it is at most that (other offers may have earlier ones).
   */
  private checkNextDeadline(engine: SimEngine, snapshot: EngineSnapshot): void {
    if (this.followers.size === 0) return;
    let earliest: number | null = null;
    const consider = (due: number | null | undefined) => {
      if (due !== null && due !== undefined && (earliest === null || due < earliest)) earliest = due;
    };
    for (const follower of this.followers.values()) consider(follower.nextDeadlineMs());
    for (const offer of snapshot.offers) {
      // A closed offer's one deadline is its retirement from memory (the kernel's, which the models do not know).
      if (offer.status === 'closed') {
        consider(offer.retireAtMs);
        continue;
      }
      consider(offer.pricing.repriceAtMs);
      consider(offer.pricing.pending?.effectiveAtMs);
    }
    const actual = engine.nextDeadlineMs();
    if (snapshot.offers.length === this.followers.size) {
      expectSame('next deadline differs from the per-offer references', actual, earliest);
    } else if (earliest !== null) {
      expectTrue('next deadline is later than a per-offer reference’s', actual !== null && actual <= earliest, () => `engine ${actual}, a followed offer is due at ${earliest}`);
    }
  }
}
