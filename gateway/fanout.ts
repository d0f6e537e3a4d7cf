// From engine events to channel deltas. Runs synchronously inside the sequencer, right after each apply, so a
// channel's offsets follow the engine's order exactly and a snapshot taken between two commands is never
// half-way through one. Each event is serialized once per audience (public, or the one shopper concerned) and
// handed to uWS topics: the cost does not grow with the number of watchers.
import type { Applied, Engine, EngineEvent } from '../engine/index.ts';
import { groupChannel, offerChannel, shopperChannel } from './channel-names.ts';
import { changesStock, privateEvents, publicEvent } from './channel-views.ts';
import type { ChannelRegistry } from './channels.ts';
import { QueuePositions } from './queue-positions.ts';
import type { ShopperLedger } from './shopper-ledger.ts';

export class Fanout {
  /** Queue positions pushed to waiting shoppers' own channels, coalesced per event-loop turn. */
  readonly positions: QueuePositions;

  constructor(
    private readonly engine: Engine,
    private readonly channels: ChannelRegistry,
    private readonly ledger: ShopperLedger,
  ) {
    this.positions = new QueuePositions(engine, channels, ledger.reservations);
  }

  onApplied(applied: Applied): void {
    const { events } = applied;
    if (events.length === 0) return;
    // Deltas go only to channels that exist (someone subscribed once; their history serves resumes even with
    // no watcher left). With none at all there is nothing to name, serialize or look up: only the ledger.
    if (this.channels.size === 0) {
      for (const event of events) this.ledger.apply(event);
      return;
    }
    let stockOffers: Set<string> | null = null;
    for (const event of events) {
      // Before the ledger applies the event: it still knows who an auction's close or a closing line concerns.
      const own = privateEvents(event, this.ledger);
      this.ledger.apply(event);
      const offerTopic = offerChannel(event.offerId);
      const groupTopic = 'groupId' in event ? groupChannel(event.groupId) : null;
      const watched = this.channels.get(offerTopic) !== undefined || (groupTopic !== null && this.channels.get(groupTopic) !== undefined);
      if (watched) {
        const json = JSON.stringify(publicEvent(this.engine, event));
        this.channels.publish(offerTopic, json);
        if (groupTopic !== null) this.channels.publish(groupTopic, json);
      }
      // One private form may go to many shoppers (an auction's losers): serialized once.
      let sharedEvent: object | null = null;
      let sharedJson = '';
      for (const { shopperId, event: form } of own) {
        const topic = shopperChannel(shopperId);
        if (this.channels.get(topic) === undefined) continue;
        if (form !== sharedEvent) {
          sharedEvent = form;
          sharedJson = JSON.stringify(form);
        }
        this.channels.publish(topic, sharedJson);
      }
      if (changesStock(this.engine, event)) (stockOffers ??= new Set()).add(event.offerId);
      if (movesPositions(event)) this.positions.changed(event.offerId);
    }
    // One stock update per offer per command, after all its events: the state a snapshot would show now.
    if (stockOffers) for (const offerId of stockOffers) this.publishStock(offerId);
  }

  /** Stops pushing positions (the server is closing). */
  stop(): void {
    this.positions.stop();
  }

  private publishStock(offerId: string): void {
    const topic = offerChannel(offerId);
    if (this.channels.get(topic) === undefined) return;
    const offer = this.engine.offer(offerId);
    if (!offer) return;
    const { inventory, heldUnits, soldUnits, availableUnits } = offer;
    this.channels.publish(topic, JSON.stringify({ type: 'stock_changed', offerId, inventory, heldUnits, soldUnits, availableUnits, atMs: this.engine.nowMs }));
  }
}

/** Events after which shoppers waiting in the offer may stand elsewhere in its line or on its slots' waitlists. */
function movesPositions(event: EngineEvent): boolean {
  switch (event.type) {
    case 'queue_changed':
    case 'booking_waitlisted':
    case 'waitlist_left':
    case 'waitlist_closed':
    case 'hold_offered':
    // The estimate follows observed service times, which a unit coming back updates.
    case 'rental_ended':
    case 'hold_released':
    case 'hold_expired':
      return true;
    default:
      return false;
  }
}
