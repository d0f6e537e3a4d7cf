// Queue positions, pushed to each waiting shopper's own channel. A change of a line (someone joins, leaves or is
// served; a slot's waitlist moves) is one engine event whatever the line's length, and it may move everyone behind
// it: publishing every position with every event would cost O(line) per event. Instead:
// - only shoppers whose `shopper:<id>` channel exists (someone subscribed to it; like every delta, it is recorded
//   only where a client can hold an epoch) get positions: the others read theirs from a snapshot or over HTTP;
// - changes are coalesced per event-loop turn: the positions in an offer whose line changed are computed once,
//   after the turn's commands, from the engine's view (O(classes × log n) each), and only those that moved are sent;
// - a turn computes at most `viewsPerTurnMax` shoppers' views, so a long watched line never stalls the event loop:
//   a pass over an offer's line resumes in the next turn where it stopped (reading the state of that turn), and an
//   offer that changed again meanwhile gets another pass after it.
// A `queue_position` may therefore come before or after the ack of the command that moved it (the ack of a join
// carries the joiner's own position). Under aging a position also drifts with time alone: that shows at the next
// change of the line, in a fresh snapshot, or on `GET /v1/offers/{offerId}/reservation`.
import type { Engine } from '../engine/index.ts';
import { shopperChannel } from './channel-names.ts';
import type { ChannelRegistry } from './channels.ts';
import { QUEUE_PLACE, type Place, type ReservationLedger } from './reservation-ledger.ts';

/** About 20 ms of work a turn at the cost measured for a 10 000-shopper line (view, serialization, publish). */
export const POSITION_VIEWS_PER_TURN_MAX = 1_000;

interface Pass {
  offerId: string;
  /** Waiting shoppers whose channel existed when the pass began, in line-set order. */
  shoppers: string[];
  next: number;
}

export class QueuePositions {
  private readonly dirty = new Set<string>();
  private pass: Pass | null = null;
  private scheduled: NodeJS.Immediate | null = null;
  private stopped = false;
  /** Positions published since start. */
  published = 0;

  constructor(
    private readonly engine: Engine,
    private readonly channels: ChannelRegistry,
    private readonly places: ReservationLedger,
    private readonly viewsPerTurnMax = POSITION_VIEWS_PER_TURN_MAX,
  ) {}

  /** Something moved in the offer's line or waitlists: positions there are published after this turn. */
  changed(offerId: string): void {
    if (this.stopped || this.places.waitingIn(offerId).size === 0) return;
    this.dirty.add(offerId);
    this.scheduled ??= setImmediate(this.flush);
  }

  stop(): void {
    this.stopped = true;
    this.dirty.clear();
    this.pass = null;
    if (this.scheduled !== null) clearImmediate(this.scheduled);
    this.scheduled = null;
  }

  private readonly flush = (): void => {
    this.scheduled = null;
    let budget = this.viewsPerTurnMax;
    while (budget > 0) {
      if (this.pass === null) {
        const offerId = this.dirty.values().next().value;
        if (offerId === undefined) break;
        this.dirty.delete(offerId);
        this.pass = { offerId, shoppers: this.watchedShoppers(offerId), next: 0 };
      }
      const pass = this.pass;
      const start = pass.next;
      const end = Math.min(pass.shoppers.length, start + budget);
      for (; pass.next < end; pass.next++) this.publishShopper(pass.offerId, pass.shoppers[pass.next]!);
      // A pass with nobody watching still costs a step, so a turn always ends.
      budget -= Math.max(1, end - start);
      if (pass.next >= pass.shoppers.length) this.pass = null;
    }
    if (this.pass !== null || this.dirty.size > 0) this.scheduled = setImmediate(this.flush);
  };

  /** Waiting shoppers of the offer whose own channel exists; the others' last position is forgotten. */
  private watchedShoppers(offerId: string): string[] {
    const shoppers = new Set<string>();
    for (const place of this.places.waitingIn(offerId)) {
      if (this.channels.get(shopperChannel(place.shopperId)) === undefined) {
        // Nobody can hold this channel's epoch: whoever subscribes later starts from a snapshot with the position.
        place.published = null;
      } else {
        shoppers.add(place.shopperId);
      }
    }
    return [...shoppers];
  }

  /** Publishes the shopper's positions in the offer that moved since they were last published. */
  private publishShopper(offerId: string, shopperId: string): void {
    const places = this.places.waitingPlacesOf(shopperId, offerId);
    const channel = this.channels.get(shopperChannel(shopperId));
    if (places.length === 0 || channel === undefined) return;
    const you = this.engine.reservation(offerId, shopperId)?.you;
    if (!you) return;
    const atMs = this.engine.nowMs;
    for (const place of places) {
      const now = standing(you, place);
      if (now === null) continue;
      const last = place.published;
      // Compared within one life of the channel: a channel made again starts from a snapshot, not from this.
      if (last?.epoch === channel.epoch && last.position === now.position && last.estimatedWaitMs === now.estimatedWaitMs) continue;
      place.published = { ...now, epoch: channel.epoch };
      this.published++;
      const bookingId = place.id === QUEUE_PLACE ? null : place.id;
      this.channels.publish(channel.name, JSON.stringify({ type: 'queue_position', offerId, bookingId, ticket: place.ticket, ...now, atMs }));
    }
  }
}

type ShopperView = NonNullable<NonNullable<ReturnType<Engine['reservation']>>['you']>;

/** A waiting place's position now: in the queue line, or a booking's on its slot's waitlist. */
function standing(you: ShopperView, place: Place): { position: number; estimatedWaitMs: number | null } | null {
  if (place.id === QUEUE_PLACE) return you.waiting && { position: you.waiting.position, estimatedWaitMs: you.waiting.estimatedWaitMs };
  const booking = you.bookings.find((candidate) => candidate.bookingId === place.id);
  return booking !== undefined && booking.position !== null ? { position: booking.position, estimatedWaitMs: null } : null;
}
