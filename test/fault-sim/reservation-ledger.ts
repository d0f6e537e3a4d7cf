// Follows reservation money through the events alone, in every seed: every hold is offered once and ends exactly
// once (confirmed, released or expired; extended only while open); a rental or booking is charged its unit price
// once, at confirmation; each deposit held is released exactly once and in full (on return, cancellation or
// completion); a cancelled booking is refunded in full before its start and not at all from its start on; a
// booking completes at or after its end. Against the engine's state after every delivery: the holds still open
// by the events are exactly the engine's live holds, and the deposits still held by the events are exactly those
// of its running rentals and confirmed bookings — so deposits held = released + still held, per id.
import type { EngineEvent, EngineSnapshot } from '../../engine/index.ts';
import { CheckFailure, expectSame, expectTrue } from './check-failure.ts';

interface Charged {
  depositMinor: number;
  chargedMinor: number;
  startMs: number;
  endMs: number;
}

export class ReservationLedger {
  /** Every hold id ever offered: none is offered twice. Bounded by the holds of the run. */
  private readonly offered = new Set<string>();
  private readonly openHolds = new Set<string>();
  /** Running rentals and confirmed bookings by id, with what they hold. */
  private readonly running = new Map<string, Charged>();

  record(event: EngineEvent): void {
    const detail = () => JSON.stringify(event);
    switch (event.type) {
      case 'hold_offered':
        expectTrue('money: a hold is offered once', !this.offered.has(event.holdId), detail);
        this.offered.add(event.holdId);
        this.openHolds.add(event.holdId);
        break;
      case 'hold_extended':
        expectTrue('money: only an open hold is extended', this.openHolds.has(event.holdId) && event.expiresAtMs > event.atMs, detail);
        break;
      case 'hold_released':
      case 'hold_expired':
        this.endHold(event.holdId, event.type);
        break;
      case 'rental_started':
      case 'booking_confirmed': {
        const id = event.type === 'rental_started' ? event.rentalId : event.bookingId;
        this.endHold(id, event.type);
        expectTrue('money: a rental or booking is charged its unit price once', event.chargedMinor === event.unitPriceMinor && event.depositMinor >= 0, detail);
        const slot = event.type === 'booking_confirmed' ? { startMs: event.startMs, endMs: event.endMs } : { startMs: 0, endMs: 0 };
        this.running.set(id, { depositMinor: event.depositMinor, chargedMinor: event.chargedMinor, ...slot });
        break;
      }
      case 'rental_ended':
        this.release(event.rentalId, event.depositReleasedMinor, event.type);
        break;
      case 'booking_cancelled': {
        const booking = this.release(event.bookingId, event.depositReleasedMinor, event.type);
        const refund = event.atMs < booking.startMs ? booking.chargedMinor : 0;
        expectTrue('money: a cancelled booking is refunded in full before its start, nothing after', event.refundMinor === refund, () => `${detail()}: expected ${refund}`);
        break;
      }
      case 'booking_completed': {
        const booking = this.release(event.bookingId, event.depositReleasedMinor, event.type);
        expectTrue('money: a booking completes at or after its end', event.atMs >= booking.endMs, detail);
        break;
      }
      default:
        break;
    }
  }

  /** The open holds and the deposits still held, by the events, are the engine's. */
  checkState(snapshot: EngineSnapshot): void {
    const holds: string[] = [];
    const deposits: [string, number][] = [];
    for (const offer of snapshot.offers) {
      const r = offer.market;
      if (r.type !== 'reservation') continue;
      for (const turn of r.turns) {
        if (turn.status === 'held') holds.push(turn.id);
        else deposits.push([turn.id, turn.depositMinor]);
      }
      for (const booking of r.bookings) {
        if (booking.status === 'held') holds.push(booking.id);
        if (booking.status === 'confirmed') deposits.push([booking.id, booking.depositMinor]);
      }
    }
    if (holds.length !== this.openHolds.size || holds.some((id) => !this.openHolds.has(id))) {
      expectSame('money: the holds open by the events are the engine’s live holds', [...this.openHolds].sort(), holds.sort());
    }
    if (deposits.length !== this.running.size || deposits.some(([id, minor]) => this.running.get(id)?.depositMinor !== minor)) {
      const byEvents = [...this.running].map(([id, charged]): [string, number] => [id, charged.depositMinor]);
      expectSame('money: deposits held by the events are the engine’s (held = released + still held)', byEvents.sort(), deposits.sort());
    }
  }

  private endHold(holdId: string, how: string): void {
    if (!this.openHolds.delete(holdId)) throw new CheckFailure('money: every hold ends exactly once', `${how} of ${holdId}, which is not an open hold`);
  }

  private release(id: string, releasedMinor: number, how: string): Charged {
    const held = this.running.get(id);
    if (held === undefined) throw new CheckFailure('money: a deposit is released once, after it was held', `${how} of ${id}, which holds nothing`);
    expectTrue('money: a deposit is released in full', releasedMinor === held.depositMinor, () => `${how} of ${id} released ${releasedMinor}, ${held.depositMinor} was held`);
    this.running.delete(id);
    return held;
  }
}
