// A reservation offer as its watchers see it: the snapshot's `reservation` view (counts, no amounts), kept live
// from the offer's channel. Events carry some counts exactly (`queue_changed` the line's length, `stock_changed`
// the free units) and move the others by one (a hold offered, a rental started); what no event carries (the mean
// service time, the estimated wait, which waiting booking a freed unit went to) is read again over HTTP
// (`GET /v1/offers/{id}/reservation`, public) shortly after the events, one read at a time, which also corrects
// any count a missed nuance of the rules would have put off.
import { callApi } from '../http-api.ts';
import type { ChannelEvent, OfferView, ReservationView } from '../wire.ts';

export type ReservationSettings = Extract<OfferView['mechanism'], { type: 'reservation' }>;

/** Waits this long after an event before reading the view again, so a burst of events costs one read. */
const REFRESH_AFTER_MS = 250;

export class ReservationBook {
  view: ReservationView | null = null;
  settings: ReservationSettings | null = null;
  private offerId = '';
  private timer: number | null = null;
  private reading = false;
  private readAgain = false;
  private stopped = false;

  /** `changed` is called after each HTTP read that replaced the view. */
  constructor(private readonly changed: () => void) {}

  reset(offer: OfferView): void {
    this.offerId = offer.offerId;
    this.view = offer.reservation ? { ...offer.reservation } : null;
    this.settings = offer.mechanism.type === 'reservation' ? offer.mechanism : null;
  }

  get queueMode(): boolean {
    return this.settings?.mode !== 'slots';
  }

  /** Applies an offer-channel event; true when anything shown changed. */
  apply(event: ChannelEvent): boolean {
    const view = this.view;
    if (event.type === 'offer_edited') {
      this.reset(event.offer);
      return true;
    }
    if (!view) return false;
    const add = (field: 'holds' | 'rentals' | 'confirmedBookings' | 'waiting' | 'waitlistedSlots', by: number): void => {
      view[field] = Math.max(0, view[field] + by);
    };
    switch (event.type) {
      case 'stock_changed':
        if (!this.queueMode) return false;
        view.unitsFree = event.availableUnits;
        view.capacity = event.inventory;
        return true;
      case 'queue_changed':
        view.waiting = event.waiting;
        view.served = event.served;
        view.headTicket = event.headTicket;
        break;
      case 'hold_offered':
        add('holds', 1);
        break;
      case 'hold_released':
      case 'hold_expired':
        add('holds', -1);
        break;
      case 'rental_started':
        add('holds', -1);
        add('rentals', 1);
        break;
      case 'rental_ended':
        add('rentals', -1);
        break;
      case 'booking_waitlisted':
        add('waiting', 1);
        if (event.waiting === 1) add('waitlistedSlots', 1);
        break;
      case 'waitlist_left':
        add('waiting', -1);
        if (event.waiting === 0) add('waitlistedSlots', -1);
        break;
      case 'waitlist_closed':
        add('waiting', -event.dropped);
        add('waitlistedSlots', -1);
        break;
      case 'booking_confirmed':
        add('holds', -1);
        add('confirmedBookings', 1);
        break;
      case 'booking_cancelled':
      case 'booking_completed':
        add('confirmedBookings', -1);
        break;
      default:
        return false;
    }
    this.refreshSoon();
    return true;
  }

  /** Reads the public view again after a short wait; reads never overlap, and one more follows a busy one. */
  refreshSoon(): void {
    if (this.stopped || this.timer !== null) return;
    this.timer = window.setTimeout(() => {
      this.timer = null;
      void this.read();
    }, REFRESH_AFTER_MS);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) window.clearTimeout(this.timer);
  }

  private async read(): Promise<void> {
    if (this.reading) {
      this.readAgain = true;
      return;
    }
    this.reading = true;
    const answer = await callApi<{ reservation: ReservationView }>('GET', `/v1/offers/${encodeURIComponent(this.offerId)}/reservation`);
    this.reading = false;
    if (this.stopped) return;
    // A refused read (rate limited, the server away) leaves the counts from the events; the next event reads again.
    if (answer.ok) {
      this.view = answer.value.reservation;
      this.changed();
    }
    if (this.readAgain) {
      this.readAgain = false;
      this.refreshSoon();
    }
  }
}
