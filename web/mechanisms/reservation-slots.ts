// The shopper's side of a slots offer (courts, rooms): pick a start and an end, book — a unit is held for you to
// confirm, or, when none is free then, you wait on that slot's waitlist with your place — then confirm, extend or
// cancel. Times are entered in the browser's time zone and sent as instants; "now" is the server's clock.
import { button, el, field, replaceChildren, statusLine } from '../dom.ts';
import { clockTime, formatDuration, money, slotText } from '../format.ts';
import { placeText } from '../describe-mechanism-event.ts';
import { countdown } from './facts.ts';
import type { Booking } from './reservation-places.ts';
import { RESERVATION_ADVICE, type ModePart, type PartContext } from './reservation-part.ts';

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

export function slotsPart(context: PartContext): ModePart {
  const { actions, offerId, places, env } = context;
  const settings = context.settings();
  const price = (minor: number) => money(minor, context.currency());
  const lengthMs = settings?.slotMinMs ?? HOUR_MS;
  // The next full hour at least an hour from now, on the server's clock.
  const firstStart = Math.ceil((env.clock.now() + HOUR_MS) / HOUR_MS) * HOUR_MS;
  const start = el('input', { attrs: { type: 'datetime-local', step: 60 } });
  const end = el('input', { attrs: { type: 'datetime-local', step: 60 } });
  start.value = toLocalInput(firstStart);
  end.value = toLocalInput(firstStart + lengthMs);
  // Moving the start keeps the length, as people expect of a calendar.
  let shownLengthMs = lengthMs;
  start.addEventListener('change', () => {
    const from = fromLocalInput(start.value);
    if (from !== null) end.value = toLocalInput(from + shownLengthMs);
  });
  end.addEventListener('change', () => {
    const from = fromLocalInput(start.value);
    const to = fromLocalInput(end.value);
    if (from !== null && to !== null && to > from) shownLengthMs = to - from;
  });
  const wait = el('input', { attrs: { type: 'checkbox', id: `wait-${offerId}`, checked: true } });
  const status = statusLine();
  status.dataset.testid = 'booking-status';
  const mineStatus = statusLine();
  mineStatus.dataset.testid = 'my-booking-status';

  const rules = [
    settings?.slotMinMs !== undefined ? `at least ${formatDuration(settings.slotMinMs)}` : null,
    `at most ${formatDuration(settings?.slotMaxMs ?? 30 * 24 * HOUR_MS)}`,
    settings && settings.slotBufferMs > 0 ? `${formatDuration(settings.slotBufferMs)} kept free after each booking` : null,
    settings ? `${formatDuration(settings.holdMs)} to confirm` : null,
  ].filter((rule): rule is string => rule !== null);

  const book = (): void => {
    const startMs = fromLocalInput(start.value);
    const endMs = fromLocalInput(end.value);
    if (startMs === null || endMs === null) {
      status.className = 'status error';
      status.textContent = 'Pick both a start and an end.';
      return;
    }
    void actions.run(`book:${startMs}:${endMs}:${wait.checked}`, { type: 'book_slot', offerId, startMs, endMs, waitlist: wait.checked }, status, (result) => {
      const reservation = result.reservation as { status: string; unit?: number; position?: number };
      return reservation.status === 'held'
        ? `Unit ${(reservation.unit ?? 0) + 1} is held for you: confirm it below.`
        : `No unit is free then: you wait for it, place ${placeText(reservation.position ?? 0)}.`;
    }, RESERVATION_ADVICE).then((outcome) => {
      if (outcome.ok) context.answered(outcome.value);
    });
  };

  const form = el('section', { class: 'card', attrs: { 'aria-label': 'Book a slot' } }, [
    el('h3', { text: 'Book a slot' }),
    el('div', { class: 'grid' }, [
      field('Start', start, { path: 'startMs', hint: `Your time zone. Bookings last ${rules.join('; ')}.` }).wrapper,
      field('End', end, { path: 'endMs' }).wrapper,
    ]),
    el('div', { class: 'field checkbox', attrs: { 'data-path': 'waitlist' } }, [wait, el('label', { text: 'If no unit is free then, wait for one', attrs: { for: wait.id } })]),
    el('div', { class: 'actions' }, [button('Book', book, { kind: 'primary', attrs: { 'data-action': 'book-slot' } })]),
    status,
  ]);

  const run = (action: string, message: Record<string, unknown>, success: (result: Record<string, unknown>) => string) =>
    void actions.run(action, { offerId, ...message }, mineStatus, success, RESERVATION_ADVICE).then((outcome) => {
      if (outcome.ok) context.answered(outcome.value);
    });

  const bookingItem = (booking: Booking): HTMLElement => {
    const id = booking.bookingId;
    const cancel = button(booking.status === 'waiting' ? 'Stop waiting' : 'Cancel booking', () => {
      if (booking.status === 'confirmed' && !window.confirm(`Cancel your booking of ${slotText(booking.startMs, booking.endMs)}? Before it starts you get everything back.`)) return;
      run(`cancel:${id}`, { type: 'cancel_booking', bookingId: id }, (r) => (r.refundMinor === undefined ? 'Cancelled.' : `Cancelled: refunded ${price(Number(r.refundMinor))}.`));
    }, { kind: 'danger', attrs: { 'data-action': `cancel:${id}` } });
    const allowsExtension = settings?.holdExtensionMs !== undefined && !booking.extended;
    const body: (HTMLElement | null)[] =
      booking.status === 'waiting'
        ? [el('p', {}, ['Waiting for a unit: place ', el('strong', { text: booking.position === null ? '…' : placeText(booking.position), attrs: { 'data-testid': 'waitlist-position' } }), ' on this slot’s waitlist.'])]
        : booking.status === 'held'
          ? [
              el('p', {}, [`Unit ${(booking.unit ?? 0) + 1} is held for you: confirm within `, countdown(booking.expiresAtMs ?? 0), ` (until ${clockTime(booking.expiresAtMs ?? 0)}).`]),
              el('div', { class: 'actions' }, [
                button('Confirm booking', () => run(`confirm:${id}`, { type: 'confirm_hold', holdId: id }, (r) => `Booked: charged ${price(Number(r.chargedMinor ?? 0))}.`), { kind: 'primary', attrs: { 'data-action': `confirm:${id}` } }),
                allowsExtension ? button('Extend the hold', () => run(`extend:${id}`, { type: 'extend_hold', holdId: id }, () => 'Hold extended.'), { attrs: { 'data-action': `extend:${id}` } }) : null,
              ]),
            ]
          : [el('p', { text: `Unit ${(booking.unit ?? 0) + 1}, confirmed: charged ${price(booking.chargedMinor)}, deposit ${price(booking.depositMinor)}.` })];
    return el('article', { class: 'my-group', attrs: { 'data-booking-id': id, 'data-status': booking.status } }, [
      el('div', { class: 'group-head' }, [el('strong', { text: slotText(booking.startMs, booking.endMs) }), el('span', { class: `badge ${booking.status === 'confirmed' ? 'formed' : ''}`, text: booking.status })]),
      ...body,
      cancel,
    ]);
  };

  const renderMine = (): HTMLElement[] => {
    const bookings = [...places.bookings.values()];
    const list = el('div');
    replaceChildren(list, bookings.length === 0 ? [el('p', { class: 'hint', text: 'No booking yet: pick a time above.' })] : bookings.map(bookingItem));
    return [list, mineStatus];
  };
  return { form, renderMine };
}

/** An instant as a `datetime-local` value in the browser's time zone ("2025-06-01T14:00"). */
function toLocalInput(ms: number): string {
  const date = new Date(Math.round(ms / MINUTE_MS) * MINUTE_MS);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** A `datetime-local` value (the browser's time zone) as an instant; null when blank or not a time. */
function fromLocalInput(value: string): number | null {
  if (value === '') return null;
  const ms = new Date(value).getTime();
  return Number.isFinite(ms) ? ms : null;
}
