// From engine events to channel deltas. Runs synchronously inside the sequencer, right after each apply, so a
// channel's offsets follow the engine's order exactly and a snapshot taken between two commands is never
// half-way through one.
//
// The gateway keeps no copy of the market: every event says who may see it (its public form, and the shoppers it
// names privately: engine/events.ts), so fan-out is the same for every mechanism and never asks the engine about
// an event. The public form goes to the offer's channel (and the group's, when the event names one), each private
// form to its shopper's own channel. Each form is serialized once and handed to uWS topics: the cost does not grow
// with the number of watchers.
import { privateEvents, publicEvent, type Applied, type Engine, type EngineEvent } from '../engine/index.ts';
import { groupChannel, offerChannel, shopperChannel } from './channel-names.ts';
import type { ChannelRegistry } from './channels.ts';
import { QueuePositions } from './queue-positions.ts';

/** Events after which shoppers waiting in the offer may stand elsewhere in its line or on its slots' waitlists. */
const POSITION_EVENTS: ReadonlySet<EngineEvent['type']> = new Set([
  'queue_changed',
  'booking_waitlisted',
  'waitlist_left',
  'waitlist_closed',
  'hold_offered',
  // The estimate follows observed service times, which a unit coming back updates.
  'rental_ended',
  'hold_released',
  'hold_expired',
]);

export class Fanout {
  /** Queue positions pushed to waiting shoppers' own channels, coalesced per event-loop turn. */
  readonly positions: QueuePositions;

  constructor(
    engine: Engine,
    private readonly channels: ChannelRegistry,
  ) {
    this.positions = new QueuePositions(engine, channels);
  }

  onApplied(applied: Applied): void {
    // Deltas go only to channels that exist (someone subscribed once; their history serves resumes even with no
    // watcher left). With none at all there is nothing to name, serialize or look up.
    if (applied.events.length === 0 || this.channels.size === 0) return;
    for (const event of applied.events) this.publish(event);
  }

  /** Stops pushing positions (the server is closing). */
  stop(): void {
    this.positions.stop();
  }

  private publish(event: EngineEvent): void {
    const { channels } = this;
    const offerTopic = offerChannel(event.offerId);
    const groupTopic = 'groupId' in event ? groupChannel(event.groupId) : null;
    let publicForm: Record<string, unknown> | undefined;
    if (channels.get(offerTopic) !== undefined || (groupTopic !== null && channels.get(groupTopic) !== undefined)) {
      publicForm = publicEvent(event);
      const json = JSON.stringify(publicForm);
      channels.publish(offerTopic, json);
      if (groupTopic !== null) channels.publish(groupTopic, json);
    }
    // One private form may go to many shoppers (an auction's losers): serialized once.
    let sharedForm: object | null = null;
    let sharedJson = '';
    privateEvents(
      event,
      (shopperId, form) => {
        const topic = shopperChannel(shopperId);
        if (channels.get(topic) === undefined) return;
        if (form !== sharedForm) {
          sharedForm = form;
          sharedJson = JSON.stringify(form);
        }
        channels.publish(topic, sharedJson);
      },
      publicForm,
    );
    if (POSITION_EVENTS.has(event.type)) this.positions.changed(event.offerId);
  }
}
