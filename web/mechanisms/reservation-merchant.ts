// The merchant's live view of a reservation offer: the line's length, units free, holds, rentals, bookings and
// waitlists (the whole offer's counts, from its channel), the mean service time and the estimated wait, and who
// waits, holds, rents or booked — as seen since the page opened: the offer's public view has counts only, so the
// people come from the channel's events (shopper ids, holds and slots are public; amounts are not).
import { el, replaceChildren } from '../dom.ts';
import { clockTime, formatDuration, slotText } from '../format.ts';
import { refreshCountdowns } from '../server-clock.ts';
import type { ChannelEvent, OfferSnapshot, ReservationView } from '../wire.ts';
import { countdown, factList, type Fact } from './facts.ts';
import type { MerchantEnv, MerchantPanel } from './index.ts';
import { ReservationBook } from './reservation-state.ts';

interface Place {
  id: string;
  shopperId: string;
  state: 'waiting' | 'held' | 'renting' | 'booked';
  /** Held: when the hold lapses. */
  untilMs: number | null;
  sinceMs: number;
  slot: { unit: number | null; startMs: number; endMs: number } | null;
}

const PLACES_MAX = 100;

export function reservationMerchantPanel(env: MerchantEnv): MerchantPanel {
  const places = new Map<string, Place>();
  const factsSlot = el('div');
  const body = el('tbody');
  const empty = el('p', { class: 'hint', text: 'Nobody has joined, held or booked since this page opened.' });
  const since = el('p', { class: 'hint', text: 'Since this page opened (the counts above are the whole offer).' });
  const table = el('table', { class: 'places', attrs: { 'aria-label': 'Places' } }, [
    el('thead', {}, [el('tr', {}, ['Shopper', 'State', 'Slot', 'Time'].map((text) => el('th', { text, attrs: { scope: 'col' } })))]),
    body,
  ]);
  const render = (): void => {
    const view = book.view;
    replaceChildren(factsSlot, [view ? factList(facts(view)) : el('p', { class: 'status error', text: 'The server sent no reservation view for this offer.' })]);
    const rows = [...places.values()];
    empty.hidden = rows.length > 0;
    since.hidden = rows.length === 0;
    table.hidden = rows.length === 0;
    replaceChildren(
      body,
      rows.map((place) =>
        el('tr', { attrs: { 'data-place-id': place.id, 'data-state': place.state } }, [
          el('td', { text: place.shopperId }),
          el('td', { text: place.state }),
          el('td', { text: place.slot ? `${place.slot.unit === null ? '' : `unit ${place.slot.unit + 1}, `}${slotText(place.slot.startMs, place.slot.endMs)}` : '—' }),
          el('td', {}, place.untilMs !== null ? ['confirm within ', countdown(place.untilMs)] : [`since ${clockTime(place.sinceMs)}`]),
        ]),
      ),
    );
    refreshCountdowns(element);
  };
  const book = new ReservationBook(render);
  book.reset(env.offer);
  const queue = book.queueMode;
  const element = el('section', { class: 'card', attrs: { 'aria-label': queue ? 'The line' : 'Bookings' } }, [
    el('h3', { text: queue ? 'The line' : 'Bookings' }),
    factsSlot,
    el('h4', { text: queue ? 'Waiting, holding and renting' : 'Waiting, held and booked' }),
    since,
    empty,
    el('div', { class: 'table-wrap' }, [table]),
  ]);

  const put = (place: Place): void => {
    places.delete(place.id);
    places.set(place.id, place);
    // Bounded: the oldest entry is forgotten first.
    if (places.size > PLACES_MAX) places.delete(places.keys().next().value!);
  };
  const track = (event: ChannelEvent): void => {
    switch (event.type) {
      case 'queue_changed':
        if (event.change === 'joined' && event.shopperId !== null) {
          put({ id: `line:${event.shopperId}`, shopperId: event.shopperId, state: 'waiting', untilMs: null, sinceMs: event.atMs, slot: null });
        } else if (event.change === 'closed') {
          for (const place of [...places.values()]) if (place.state === 'waiting') places.delete(place.id);
        } else if (event.shopperId !== null) {
          places.delete(`line:${event.shopperId}`);
        }
        return;
      case 'hold_offered':
        places.delete(`line:${event.shopperId}`);
        put({ id: event.holdId, shopperId: event.shopperId, state: 'held', untilMs: event.expiresAtMs, sinceMs: event.atMs, slot: event.slot });
        return;
      case 'hold_extended': {
        const place = places.get(event.holdId);
        if (place) place.untilMs = event.expiresAtMs;
        return;
      }
      case 'rental_started':
        put({ id: event.rentalId, shopperId: event.shopperId, state: 'renting', untilMs: null, sinceMs: event.atMs, slot: null });
        return;
      case 'booking_waitlisted':
        put({ id: event.bookingId, shopperId: event.shopperId, state: 'waiting', untilMs: null, sinceMs: event.atMs, slot: { unit: null, startMs: event.startMs, endMs: event.endMs } });
        return;
      case 'booking_confirmed':
        put({ id: event.bookingId, shopperId: event.shopperId, state: 'booked', untilMs: null, sinceMs: event.atMs, slot: { unit: event.unit, startMs: event.startMs, endMs: event.endMs } });
        return;
      case 'waitlist_closed':
        for (const place of [...places.values()]) {
          if (place.state === 'waiting' && place.slot?.startMs === event.startMs && place.slot.endMs === event.endMs) places.delete(place.id);
        }
        return;
      case 'hold_released':
      case 'hold_expired':
        places.delete(event.holdId);
        return;
      case 'rental_ended':
        places.delete(event.rentalId);
        return;
      case 'waitlist_left':
      case 'booking_cancelled':
      case 'booking_completed':
        places.delete(event.bookingId);
        return;
      default:
        return;
    }
  };
  render();

  return {
    element,
    offerSnapshot(snapshot: OfferSnapshot) {
      book.reset(snapshot.offer);
      render();
    },
    offerEvent(event: ChannelEvent) {
      track(event);
      book.apply(event);
      render();
    },
    destroy() {
      book.stop();
    },
  };
}

function facts(view: ReservationView): Fact[] {
  const service: Fact[] = [
    { label: 'Mean time a unit stays out', value: view.meanServiceMs === null ? 'not measured yet' : formatDuration(view.meanServiceMs) },
    { label: 'A new joiner waits', value: view.estimatedWaitMs === null ? 'not known yet' : `about ${formatDuration(view.estimatedWaitMs)}` },
  ];
  if (view.mode === 'queue') {
    return [
      { label: 'Waiting in line', value: String(view.waiting), testid: 'queue-waiting', data: { count: view.waiting } },
      { label: 'Units busy', value: `${view.capacity - (view.unitsFree ?? 0)} of ${view.capacity}`, testid: 'units-busy', data: { count: view.capacity - (view.unitsFree ?? 0) } },
      { label: 'Held, to be confirmed', value: String(view.holds), testid: 'holds', data: { count: view.holds } },
      { label: 'Rented', value: String(view.rentals), testid: 'rentals', data: { count: view.rentals } },
      { label: 'Served from the line', value: String(view.served) },
      ...service,
    ];
  }
  return [
    { label: 'Units', value: String(view.capacity) },
    { label: 'Confirmed bookings', value: String(view.confirmedBookings), testid: 'confirmed-bookings', data: { count: view.confirmedBookings } },
    { label: 'Held, to be confirmed', value: String(view.holds), testid: 'holds', data: { count: view.holds } },
    { label: 'Waiting for a slot', value: `${view.waiting} on ${view.waitlistedSlots} waitlist${view.waitlistedSlots === 1 ? '' : 's'}`, testid: 'queue-waiting', data: { count: view.waiting } },
  ];
}
