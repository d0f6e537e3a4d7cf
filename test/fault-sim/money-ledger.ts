// Follows the money through the engine's events without any model: what a member is charged on joining comes back
// as paid + refund when the group completes (never paying above the quote), or in full on leaving or failure, and
// every charge is settled exactly once. It holds in engine-only seeds too, where no reference is there to compare.
// Auctions and reservations have their own rules (auction-ledger.ts, reservation-ledger.ts), checked against the
// engine's state after every delivery as well.
import type { EngineEvent, EngineSnapshot } from '../../engine/index.ts';
import { AuctionLedger } from './auction-ledger.ts';
import { CheckFailure, expectTrue } from './check-failure.ts';
import { ReservationLedger } from './reservation-ledger.ts';

interface Charge {
  qty: number;
  chargedMinor: number;
  quotedUnitPriceMinor: number;
}

export class MoneyLedger {
  /** Open charges by group and shopper; bounded by the members of live groups. */
  private readonly charges = new Map<string, Charge>();
  private readonly auctions = new AuctionLedger();
  private readonly reservations = new ReservationLedger();

  record(events: readonly EngineEvent[]): void {
    for (const event of events) {
      this.auctions.record(event);
      this.reservations.record(event);
      switch (event.type) {
        case 'group_joined': {
          expectTrue('money: charge = quote × qty', event.chargedMinor === event.quotedUnitPriceMinor * event.qty, () => JSON.stringify(event));
          const slot = `${event.groupId}\u0000${event.shopperId}`;
          if (this.charges.has(slot)) throw new CheckFailure('money: charged twice', `${event.shopperId} in ${event.groupId}`);
          this.charges.set(slot, { qty: event.qty, chargedMinor: event.chargedMinor, quotedUnitPriceMinor: event.quotedUnitPriceMinor });
          break;
        }
        case 'group_left': {
          const charge = this.take(event.groupId, event.shopperId, event.qty);
          expectTrue('money: leaving refunds the whole charge', event.refundMinor === charge.chargedMinor, () => `${JSON.stringify(event)} against ${JSON.stringify(charge)}`);
          break;
        }
        case 'group_completed':
          for (const member of event.members) {
            const charge = this.take(event.groupId, member.shopperId, member.qty);
            const detail = () => `${event.groupId}: ${JSON.stringify(member)} against ${JSON.stringify(charge)}`;
            expectTrue('money: paid + refund = charged', member.paidMinor + member.refundMinor === charge.chargedMinor, detail);
            expectTrue('money: paid = unit price × qty', member.paidMinor === member.unitPriceMinor * member.qty, detail);
            expectTrue('money: unit price paid ≤ quote at join', member.unitPriceMinor <= charge.quotedUnitPriceMinor, detail);
            expectTrue('money: refunds are never negative', member.refundMinor >= 0, detail);
          }
          this.expectSettled(event.groupId);
          break;
        case 'group_failed':
          for (const refund of event.refunds) {
            const charge = this.take(event.groupId, refund.shopperId, refund.qty);
            expectTrue('money: a failed group refunds the whole charge', refund.refundMinor === charge.chargedMinor, () => `${event.groupId}: ${JSON.stringify(refund)}`);
          }
          this.expectSettled(event.groupId);
          break;
        default:
          break; // events that move no group-buy money
      }
    }
  }

  /** What the events say is still open (auctions, holds, deposits) is what the engine's state holds. */
  checkState(snapshot: EngineSnapshot): void {
    this.auctions.checkState(snapshot);
    this.reservations.checkState(snapshot);
  }

  private take(groupId: string, shopperId: string, qty: number): Charge {
    const slot = `${groupId}\u0000${shopperId}`;
    const charge = this.charges.get(slot);
    if (!charge) throw new CheckFailure('money: settled without a charge', `${shopperId} in ${groupId}`);
    expectTrue('money: settled quantity = charged quantity', charge.qty === qty, () => `${shopperId} in ${groupId}: charged for ${charge.qty}, settled ${qty}`);
    this.charges.delete(slot);
    return charge;
  }

  private expectSettled(groupId: string): void {
    for (const slot of this.charges.keys()) {
      if (slot.startsWith(`${groupId}\u0000`)) throw new CheckFailure('money: a charge outlived its group', slot.replace('\u0000', ' / '));
    }
  }
}
