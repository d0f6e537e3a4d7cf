// Each shopper's live group memberships with what it was charged: the snapshot of a `shopper:<id>` channel.
// The engine's views are by offer and group and never show amounts, so the gateway keeps this index itself,
// derived only from engine events (and rebuilt from an engine snapshot after a restore). It is bounded by the
// engine: one entry per live membership, and every membership holds at least one unit of inventory. The
// shopper's auction bids and reservation places are kept beside it, in their own ledgers (same rules).
import type { EngineEvent, EngineSnapshot } from '../engine/index.ts';
import { AuctionLedger } from './auction-ledger.ts';
import { ReservationLedger } from './reservation-ledger.ts';

export interface Membership {
  offerId: string;
  groupId: string;
  qty: number;
  chargedMinor: number;
  quotedUnitPriceMinor: number;
  joinedAtMs: number;
}

export class ShopperLedger {
  private readonly byShopper = new Map<string, Map<string, Membership>>();

  constructor(
    readonly auctions: AuctionLedger = new AuctionLedger(),
    readonly reservations: ReservationLedger = new ReservationLedger(),
  ) {}

  static fromSnapshot(snapshot: EngineSnapshot): ShopperLedger {
    const ledger = new ShopperLedger(AuctionLedger.fromSnapshot(snapshot), ReservationLedger.fromSnapshot(snapshot));
    for (const group of snapshot.groups) {
      for (const member of group.members) {
        ledger.add(member.shopperId, {
          offerId: group.offerId,
          groupId: group.id,
          qty: member.qty,
          chargedMinor: member.chargedMinor,
          quotedUnitPriceMinor: member.quotedUnitPriceMinor,
          joinedAtMs: group.openedAtMs,
        });
      }
    }
    return ledger;
  }

  /** Live memberships of a shopper, in join order. */
  membershipsOf(shopperId: string): Membership[] {
    return [...(this.byShopper.get(shopperId)?.values() ?? [])];
  }

  get shoppers(): number {
    return this.byShopper.size;
  }

  apply(event: EngineEvent): void {
    this.applyToMemberships(event);
    this.auctions.apply(event);
    this.reservations.apply(event);
  }

  private applyToMemberships(event: EngineEvent): void {
    switch (event.type) {
      case 'group_joined':
        this.add(event.shopperId, {
          offerId: event.offerId,
          groupId: event.groupId,
          qty: event.qty,
          chargedMinor: event.chargedMinor,
          quotedUnitPriceMinor: event.quotedUnitPriceMinor,
          joinedAtMs: event.atMs,
        });
        return;
      case 'group_left':
        this.remove(event.shopperId, event.groupId);
        return;
      case 'group_completed':
        for (const member of event.members) this.remove(member.shopperId, event.groupId);
        return;
      case 'group_failed':
        for (const refund of event.refunds) this.remove(refund.shopperId, event.groupId);
        return;
      case 'offer_created':
      case 'offer_edited':
      case 'offer_paused':
      case 'offer_resumed':
      case 'offer_closed':
      case 'group_opened':
      case 'group_formed':
      case 'rule_set_activated':
      case 'price_changed':
      case 'bid_placed':
      case 'auction_extended':
      case 'auction_price_dropped':
      case 'auction_closed':
      case 'queue_changed':
      case 'hold_offered':
      case 'hold_extended':
      case 'hold_released':
      case 'hold_expired':
      case 'rental_started':
      case 'rental_ended':
      case 'booking_waitlisted':
      case 'waitlist_left':
      case 'waitlist_closed':
      case 'booking_confirmed':
      case 'booking_cancelled':
      case 'booking_completed':
        return;
      default:
        return unreachable(event);
    }
  }

  private add(shopperId: string, membership: Membership): void {
    let memberships = this.byShopper.get(shopperId);
    if (!memberships) this.byShopper.set(shopperId, (memberships = new Map()));
    memberships.set(membership.groupId, membership);
  }

  private remove(shopperId: string, groupId: string): void {
    const memberships = this.byShopper.get(shopperId);
    if (!memberships) return;
    memberships.delete(groupId);
    if (memberships.size === 0) this.byShopper.delete(shopperId);
  }
}

function unreachable(value: never): never {
  throw new Error(`unhandled event ${JSON.stringify(value)}`);
}
