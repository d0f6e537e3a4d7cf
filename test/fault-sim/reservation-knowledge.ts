// What clients know of reservation offers, from the create command, results and events: each offer's mode, the
// live holds, rentals and bookings with their shoppers, who waits in which queue, and the ids that ended lately.
// Generators aim with it: the owner of a hold confirms, extends or releases it, a renter returns its unit, a booker
// cancels; sometimes a stranger tries, or someone acts on an id that ended or was never issued. Everything here
// mirrors something live in the engine (bounded by the engine's own bounds), plus the last few ended ids.
import type { Applied, Command } from '../../engine/index.ts';

export interface Place {
  id: string;
  offerId: string;
  shopperId: string;
}

export interface KnownBooking extends Place {
  status: 'waiting' | 'held' | 'confirmed';
  startMs: number;
  endMs: number;
}

const ENDED_KEPT = 32;

export class ReservationKnowledge {
  private readonly modes = new Map<string, 'queue' | 'slots'>();
  readonly holds = new Map<string, Place>();
  readonly rentals = new Map<string, Place>();
  readonly bookings = new Map<string, KnownBooking>();
  /** Waiting shoppers by `<offerId> <shopperId>`. */
  readonly waiters = new Map<string, Place>();
  /** Holds, rentals and bookings that ended, newest last: acting on them is refused. */
  readonly ended: Place[] = [];

  observe(cmd: Command, applied: Applied): void {
    const { result } = applied;
    if (cmd.type === 'create_offer' && result.ok && cmd.mechanism.type === 'reservation' && result.offerId !== undefined && !this.modes.has(result.offerId)) {
      this.modes.set(result.offerId, cmd.mechanism.mode);
    }
    for (const event of applied.events) {
      switch (event.type) {
        case 'hold_offered': {
          const place = { id: event.holdId, offerId: event.offerId, shopperId: event.shopperId };
          this.holds.set(event.holdId, place);
          if (event.slot !== null) this.bookings.set(event.holdId, { ...place, status: 'held', startMs: event.slot.startMs, endMs: event.slot.endMs });
          break;
        }
        case 'hold_released':
        case 'hold_expired':
          this.end(this.holds, event.holdId);
          this.end(this.bookings, event.holdId);
          break;
        case 'rental_started': {
          const hold = this.holds.get(event.rentalId);
          this.holds.delete(event.rentalId);
          if (hold) this.rentals.set(event.rentalId, hold);
          break;
        }
        case 'rental_ended':
          this.end(this.rentals, event.rentalId);
          break;
        case 'booking_waitlisted':
          this.bookings.set(event.bookingId, { id: event.bookingId, offerId: event.offerId, shopperId: event.shopperId, status: 'waiting', startMs: event.startMs, endMs: event.endMs });
          break;
        case 'booking_confirmed': {
          this.holds.delete(event.bookingId);
          const booking = this.bookings.get(event.bookingId);
          if (booking) booking.status = 'confirmed';
          break;
        }
        case 'booking_cancelled':
        case 'booking_completed':
        case 'waitlist_left':
          this.end(this.bookings, event.bookingId);
          break;
        case 'waitlist_closed':
          for (const booking of [...this.bookings.values()]) {
            if (booking.offerId === event.offerId && booking.status === 'waiting' && booking.startMs === event.startMs && booking.endMs === event.endMs) this.end(this.bookings, booking.id);
          }
          break;
        case 'queue_changed': {
          const key = `${event.offerId} ${event.shopperId}`;
          if (event.change === 'joined' && event.shopperId !== null) this.waiters.set(key, { id: key, offerId: event.offerId, shopperId: event.shopperId });
          if (event.change === 'left' || event.change === 'served') this.waiters.delete(key);
          if (event.change === 'closed') for (const [k, place] of [...this.waiters]) if (place.offerId === event.offerId) this.waiters.delete(k);
          break;
        }
        default:
          break;
      }
    }
  }

  modeOf(offerId: string): 'queue' | 'slots' | undefined {
    return this.modes.get(offerId);
  }

  forget(offerId: string): void {
    this.modes.delete(offerId);
  }

  private end<T extends Place>(map: Map<string, T>, id: string): void {
    const place = map.get(id);
    if (place === undefined) return;
    map.delete(id);
    this.ended.push(place);
    if (this.ended.length > ENDED_KEPT) this.ended.shift();
  }
}
