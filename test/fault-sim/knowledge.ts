// What the simulated clients know of the market: only what they were told, the accepted commands' results and the
// events, exactly as real clients learn it from the gateway. Generators aim commands with it (join a group that is
// live, leave as one of its members, edit an offer that exists), so most commands get past the first checks and
// reach the interesting rules. It is bounded: settled groups and closed offers are forgotten after a while.
// Auctions and reservations keep what is particular to them in their own modules.
import type { Applied, Command } from '../../engine/index.ts';
import { AuctionKnowledge } from './auction-knowledge.ts';
import { ReservationKnowledge } from './reservation-knowledge.ts';

export interface KnownOffer {
  offerId: string;
  merchantId: string;
  /** The mechanism `type` it was created with ('group', 'auction', 'reservation'). */
  mechanism: string;
  closed: boolean;
}

export interface KnownGroup {
  groupId: string;
  offerId: string;
  deadlineMs: number;
  /** Shopper ids in join order. */
  members: string[];
}

const CLOSED_OFFERS_KEPT = 16;

export class MarketKnowledge {
  private readonly offers = new Map<string, KnownOffer>();
  private readonly groups = new Map<string, KnownGroup>();
  /** Settled group ids, kept for a while so clients sometimes act on a group that just ended. */
  private readonly settled: string[] = [];
  readonly auctions = new AuctionKnowledge();
  readonly reservations = new ReservationKnowledge();

  observe(cmd: Command, applied: Applied): void {
    this.auctions.observe(cmd, applied);
    this.reservations.observe(cmd, applied);
    if (cmd.type === 'create_offer' && applied.result.ok && applied.result.offerId !== undefined && !this.offers.has(applied.result.offerId)) {
      this.offers.set(applied.result.offerId, { offerId: applied.result.offerId, merchantId: cmd.merchantId, mechanism: cmd.mechanism.type, closed: false });
    }
    for (const event of applied.events) {
      switch (event.type) {
        case 'offer_closed': {
          const offer = this.offers.get(event.offerId);
          if (offer) offer.closed = true;
          this.forgetClosedOffers();
          break;
        }
        case 'group_opened':
          this.groups.set(event.groupId, { groupId: event.groupId, offerId: event.offerId, deadlineMs: event.deadlineMs, members: [] });
          break;
        case 'group_joined':
          this.groups.get(event.groupId)?.members.push(event.shopperId);
          break;
        case 'group_left': {
          const group = this.groups.get(event.groupId);
          if (group) group.members = group.members.filter((member) => member !== event.shopperId);
          break;
        }
        case 'group_completed':
        case 'group_failed':
          this.groups.delete(event.groupId);
          this.settled.push(event.groupId);
          if (this.settled.length > 32) this.settled.shift();
          break;
        default:
          break; // other facts (prices, other mechanisms) do not change what the generators aim at
      }
    }
  }

  /** Offers of a mechanism in creation order; closed ones stay visible for a while. */
  offersOf(mechanism: string): KnownOffer[] {
    return [...this.offers.values()].filter((offer) => offer.mechanism === mechanism);
  }

  allOffers(): KnownOffer[] {
    return [...this.offers.values()];
  }

  /** Groups last seen live. Some may have passed their deadline with no tick yet: they settle when a command comes. */
  liveGroups(): KnownGroup[] {
    return [...this.groups.values()];
  }

  recentlySettledGroups(): readonly string[] {
    return this.settled;
  }

  private forgetClosedOffers(): void {
    const closed = [...this.offers.values()].filter((offer) => offer.closed);
    for (const offer of closed.slice(0, Math.max(0, closed.length - CLOSED_OFFERS_KEPT))) {
      this.offers.delete(offer.offerId);
      this.auctions.forget(offer.offerId);
      this.reservations.forget(offer.offerId);
    }
  }
}
