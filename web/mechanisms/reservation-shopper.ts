// The shopper's side of a reservation offer. Queue: join the line, see your place and the estimated wait move as
// the line moves (`queue_position`), then confirm, extend or release the unit held for you before its countdown
// runs out, and return it when done. Slots: see reservation-slots.ts. Both show the line's public counts and what
// became of places that ended; every refusal shows the server's message with what to do.
import { clearIfDone, CommandActions } from '../command-action.ts';
import { button, el, preservingFocus, replaceChildren, statusLine } from '../dom.ts';
import { clockTime, formatDuration, money } from '../format.ts';
import { refreshCountdowns } from '../server-clock.ts';
import { placeText } from '../describe-mechanism-event.ts';
import type { ChannelEvent, OfferSnapshot, ReservationView, ShopperSnapshot } from '../wire.ts';
import { countdown, factList } from './facts.ts';
import type { ShopperEnv, ShopperPanel } from './index.ts';
import { MyPlaces } from './reservation-places.ts';
import { RESERVATION_ADVICE, type ModePart, type PartContext } from './reservation-part.ts';
import { slotsPart } from './reservation-slots.ts';
import { ReservationBook } from './reservation-state.ts';

const RESULTS_MAX = 5;

export function reservationShopperPanel(env: ShopperEnv): ShopperPanel {
  const offerId = env.offer.offerId;
  let currency = env.offer.currency;
  const actions = new CommandActions(env.connection);
  const places = new MyPlaces(() => currency);
  const publicFacts = el('div', { attrs: { 'data-testid': 'reservation-facts' } });
  const mineBody = el('div', { class: 'my-places', attrs: { 'data-testid': 'my-place' } });
  const results = el('ul', { class: 'results', attrs: { 'aria-label': 'What became of your places' } });
  const render = (): void => {
    renderFacts();
    preservingFocus(mineBody, () => replaceChildren(mineBody, part.renderMine()));
    refreshCountdowns(mineBody);
  };
  const book = new ReservationBook(render);
  book.reset(env.offer);
  const context: PartContext = {
    env,
    offerId,
    places,
    actions,
    currency: () => currency,
    settings: () => book.settings,
    answered(result) {
      const reservation = result.reservation as Record<string, unknown> | undefined;
      if (reservation) places.answered(reservation);
      render();
    },
  };
  const part = book.queueMode ? queuePart(context) : slotsPart(context);
  const queue = book.queueMode;

  function renderFacts(): void {
    const view = book.view;
    if (!view) return replaceChildren(publicFacts, [el('p', { class: 'status error', text: 'The server sent no reservation view for this offer.' })]);
    replaceChildren(publicFacts, [factList(queue ? queueFacts(view) : slotFacts(view))]);
  }

  const settings = book.settings;
  const deposit =
    settings && settings.depositMinor > 0
      ? `A deposit of ${money(settings.depositMinor, currency)} is held while you ${queue ? 'rent' : 'have a booking'}, and released after${
          settings.depositWaiverCreditScore === undefined ? '' : `; waived from a credit score of ${settings.depositWaiverCreditScore}`
        }.`
      : 'No deposit.';
  const element = el('div', { class: 'mechanism reservation' }, [
    el('section', { class: 'card', attrs: { 'aria-label': queue ? 'The line' : 'Bookings' } }, [el('h3', { text: queue ? 'The line' : 'Bookings' }), publicFacts, el('p', { class: 'hint', text: deposit })]),
    part.form,
    el('section', { class: 'card', attrs: { 'aria-label': 'Your place' } }, [el('h3', { text: queue ? 'Your place' : 'Your bookings' }), mineBody, results]),
  ]);
  render();

  const addResult = (text: string, kind: string): void => {
    results.prepend(el('li', { text, attrs: { 'data-kind': kind } }));
    while (results.children.length > RESULTS_MAX) results.lastElementChild!.remove();
  };

  return {
    element,
    offerSnapshot(snapshot: OfferSnapshot) {
      currency = snapshot.offer.currency;
      book.reset(snapshot.offer);
      render();
    },
    offerEvent(event: ChannelEvent) {
      if (book.apply(event)) render();
    },
    shopperSnapshot(snapshot: ShopperSnapshot) {
      places.reset(snapshot.reservations?.find((own) => own.offerId === offerId));
      render();
    },
    shopperEvent(event: ChannelEvent) {
      const changed = places.apply(event);
      if (changed === false) return;
      if (changed !== true) addResult(changed.text, changed.kind);
      render();
    },
    destroy() {
      book.stop();
    },
  };
}

function queueFacts(view: ReservationView) {
  return [
    { label: 'Waiting in line', value: String(view.waiting), testid: 'queue-waiting', data: { count: view.waiting } },
    { label: 'Units free', value: `${view.unitsFree ?? 0} of ${view.capacity}`, testid: 'units-free', data: { count: view.unitsFree } },
    { label: 'Held / rented', value: `${view.holds} held, ${view.rentals} rented` },
    { label: 'A new joiner waits', value: view.estimatedWaitMs === null ? 'not known yet' : `about ${formatDuration(view.estimatedWaitMs)}` },
  ];
}

function slotFacts(view: ReservationView) {
  return [
    { label: 'Units', value: String(view.capacity) },
    { label: 'Confirmed bookings', value: String(view.confirmedBookings), testid: 'confirmed-bookings' },
    { label: 'Held, to be confirmed', value: String(view.holds) },
    { label: 'Waiting for a slot', value: `${view.waiting} on ${view.waitlistedSlots} waitlist${view.waitlistedSlots === 1 ? '' : 's'}`, testid: 'queue-waiting', data: { count: view.waiting } },
  ];
}

/** A queue's own places: join, wait with a position, a hold to confirm, a rental to return. */
function queuePart(context: PartContext): ModePart {
  const { actions, offerId, places } = context;
  const status = statusLine();
  status.dataset.testid = 'queue-status';
  const price = (minor: number) => money(minor, context.currency());
  const run = (action: string, message: Record<string, unknown>, success: (result: Record<string, unknown>) => string) =>
    void actions.run(action, { offerId, ...message }, status, success, RESERVATION_ADVICE).then((outcome) => {
      if (outcome.ok) context.answered(outcome.value);
      if (outcome.ok) context.env.onPriceMayHaveChanged();
    });

  const join = (): void =>
    run('join', { type: 'join_queue' }, (result) => {
      const reservation = result.reservation as { holdId?: string; position?: number };
      return reservation.holdId ? 'A unit was free: it is held for you now. Confirm it below.' : `You are in line: place ${placeText(reservation.position ?? 0)}.`;
    });

  let shownState = '';
  const renderMine = (): HTMLElement[] => {
    const nodes: HTMLElement[] = [];
    const waiting = places.waiting;
    // "You are in line" under a hold would be stale: a success message goes once the place moved on.
    const state = `${waiting ? 'w' : ''}${[...places.holds.keys()].join()}|${[...places.rentals.keys()].join()}`;
    if (state !== shownState) clearIfDone(status);
    shownState = state;
    if (waiting) {
      nodes.push(
        el('article', { class: 'my-group', attrs: { 'data-state': 'waiting' } }, [
          el('p', {}, [
            'Your place in line: ',
            el('strong', { text: waiting.position === null ? '…' : placeText(waiting.position), attrs: { 'data-testid': 'queue-position', 'data-position': waiting.position ?? undefined } }),
          ]),
          el('p', { text: `Estimated wait: ${waiting.estimatedWaitMs === null ? 'not known yet (no unit has come back yet)' : `about ${formatDuration(waiting.estimatedWaitMs)}`}` }),
          el('p', { class: 'hint', text: `Ticket ${waiting.ticket}. A unit is held for you the moment one frees up; this page says so.` }),
          button('Leave the line', () => run('leave', { type: 'leave_queue' }, () => 'You left the line.'), { attrs: { 'data-action': 'leave-queue' } }),
        ]),
      );
    }
    const allowsExtension = context.settings()?.holdExtensionMs !== undefined;
    for (const hold of places.holds.values()) {
      nodes.push(
        el('article', { class: 'my-group hold', attrs: { 'data-state': 'held', 'data-testid': 'hold', 'data-hold-id': hold.holdId } }, [
          el('h4', { text: 'A unit is held for you' }),
          el('p', {}, ['Confirm it within ', countdown(hold.expiresAtMs), ` (until ${clockTime(hold.expiresAtMs)}), or it passes to the next in line.`]),
          el('div', { class: 'actions' }, [
            button('Confirm and start', () => run(`confirm:${hold.holdId}`, { type: 'confirm_hold', holdId: hold.holdId }, (r) => `Your rental started: charged ${price(Number(r.chargedMinor ?? 0))}.`), {
              kind: 'primary',
              attrs: { 'data-action': `confirm:${hold.holdId}` },
            }),
            allowsExtension && !hold.extended
              ? button('Extend the hold', () => run(`extend:${hold.holdId}`, { type: 'extend_hold', holdId: hold.holdId }, () => 'Hold extended.'), { attrs: { 'data-action': `extend:${hold.holdId}` } })
              : null,
            button('Release it', () => run(`release:${hold.holdId}`, { type: 'release_hold', holdId: hold.holdId }, () => 'Released: the unit passes on.'), { kind: 'danger', attrs: { 'data-action': `release:${hold.holdId}` } }),
          ]),
        ]),
      );
    }
    for (const rental of places.rentals.values()) {
      nodes.push(
        el('article', { class: 'my-group', attrs: { 'data-state': 'renting', 'data-testid': 'rental', 'data-rental-id': rental.rentalId } }, [
          el('h4', { text: 'You are renting a unit' }),
          el('p', { text: `Since ${clockTime(rental.startedAtMs)}: charged ${price(rental.chargedMinor)}, deposit ${price(rental.depositMinor)} held until you return it.` }),
          button('Return the unit', () => run(`return:${rental.rentalId}`, { type: 'return_unit', rentalId: rental.rentalId }, (r) => {
            const released = (r.reservation as { depositReleasedMinor?: number } | undefined)?.depositReleasedMinor ?? 0;
            return `Returned; deposit released: ${price(released)}.`;
          }), { kind: 'primary', attrs: { 'data-action': `return:${rental.rentalId}` } }),
        ]),
      );
    }
    if (nodes.length === 0) {
      nodes.push(
        el('article', { class: 'my-group', attrs: { 'data-state': 'none' } }, [
          el('p', { class: 'hint', text: 'You have no place here yet. Join the line: a free unit is held for you at once, otherwise you wait your turn.' }),
          button('Join the line', join, { kind: 'primary', attrs: { 'data-action': 'join-queue' } }),
        ]),
      );
    }
    nodes.push(status);
    return nodes;
  };
  return { form: null, renderMine };
}
