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
import type { Engine, ShopperReservationView } from '../engine/index.ts';
import { shopperChannel } from './channel-names.ts';
import type { ChannelRegistry } from './channels.ts';

/** About 20 ms of work a turn at the cost measured for a 10 000-shopper line (view, serialization, publish). */
export const POSITION_VIEWS_PER_TURN_MAX = 1_000;
/** Positions remembered as last published (a forgotten one is simply published again): bounded like every map. */
export const PUBLISHED_POSITIONS_MAX = 100_000;

/** The id of a shopper's place in a queue line (bookings go by their ids). */
const QUEUE_PLACE = 'queue';

interface Published {
  position: number;
  estimatedWaitMs: number | null;
  /** The life of the shopper's channel it was published on. */
  epoch: string;
}

interface Pass {
  offerId: string;
  /** Waiting shoppers whose channel existed when the pass began, in line-set order. */
  shoppers: string[];
  next: number;
}

export class QueuePositions {
  private readonly dirty = new Set<string>();
  /** `offerId shopperId placeId` → what was last published for that waiting place, oldest first. */
  private readonly published = new Map<string, Published>();
  private pass: Pass | null = null;
  private scheduled: NodeJS.Immediate | null = null;
  private stopped = false;
  /** Positions published since start. */
  publishedCount = 0;

  constructor(
    private readonly engine: Engine,
    private readonly channels: ChannelRegistry,
    private readonly viewsPerTurnMax = POSITION_VIEWS_PER_TURN_MAX,
    private readonly publishedMax = PUBLISHED_POSITIONS_MAX,
  ) {}

  /** Something moved in the offer's line or waitlists: positions there are published after this turn. */
  changed(offerId: string): void {
    if (this.stopped) return;
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

  /** Shoppers with a stake in the offer (the engine names them) whose own channel exists. */
  private watchedShoppers(offerId: string): string[] {
    return this.engine.participantsOf(offerId).filter((shopperId) => this.channels.get(shopperChannel(shopperId)) !== undefined);
  }

  /** Publishes the shopper's positions in the offer that moved since they were last published. */
  private publishShopper(offerId: string, shopperId: string): void {
    const channel = this.channels.get(shopperChannel(shopperId));
    const you = channel && this.engine.reservation(offerId, shopperId)?.you;
    if (!channel || !you) return;
    const atMs = this.engine.nowMs;
    for (const place of waitingPlaces(you)) {
      const key = `${offerId} ${shopperId} ${place.id}`;
      const last = this.published.get(key);
      // Compared within one life of the channel: a channel made again starts from a snapshot, not from this.
      if (last?.epoch === channel.epoch && last.position === place.position && last.estimatedWaitMs === place.estimatedWaitMs) continue;
      this.published.delete(key);
      this.published.set(key, { position: place.position, estimatedWaitMs: place.estimatedWaitMs, epoch: channel.epoch });
      if (this.published.size > this.publishedMax) this.published.delete(this.published.keys().next().value!);
      this.publishedCount++;
      const bookingId = place.id === QUEUE_PLACE ? null : place.id;
      this.channels.publish(channel.name, JSON.stringify({ type: 'queue_position', offerId, bookingId, ticket: place.ticket, position: place.position, estimatedWaitMs: place.estimatedWaitMs, atMs }));
    }
  }
}

/** The shopper's waiting places in one offer with where they stand now: its place in the line, its waitlisted bookings. */
function waitingPlaces(you: ShopperReservationView): { id: string; ticket: number; position: number; estimatedWaitMs: number | null }[] {
  const places = [];
  if (you.waiting) places.push({ id: QUEUE_PLACE, ticket: you.waiting.ticket, position: you.waiting.position, estimatedWaitMs: you.waiting.estimatedWaitMs });
  for (const booking of you.bookings) {
    if (booking.status === 'waiting' && booking.position !== null) places.push({ id: booking.bookingId, ticket: booking.ticket, position: booking.position, estimatedWaitMs: null });
  }
  return places;
}
