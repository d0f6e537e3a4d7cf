// The merchant's live view of an offer's groups: each forming group with its seats, price and a countdown on the
// server's clock, updated from the offer channel as shoppers open, join and leave.
import { el, replaceChildren } from '../dom.ts';
import { money } from '../format.ts';
import { refreshCountdowns } from '../server-clock.ts';
import type { ChannelEvent, OfferSnapshot } from '../wire.ts';
import { GroupBook, seatsText } from './group-state.ts';
import type { MerchantEnv, MerchantPanel } from './index.ts';

export function groupMerchantPanel(env: MerchantEnv): MerchantPanel {
  const book = new GroupBook();
  let currency = env.offer.currency;
  const body = el('tbody');
  const empty = el('p', { class: 'hint', text: 'No group is forming right now. Groups appear here the moment a shopper opens one.' });
  const table = el('table', { class: 'groups', attrs: { 'aria-label': 'Groups forming' } }, [
    el('thead', {}, [el('tr', {}, ['Group', 'Leader', 'Seats', 'Unit price', 'Time left'].map((text) => el('th', { text, attrs: { scope: 'col' } })))]),
    body,
  ]);
  const count = el('span', { class: 'badge', attrs: { 'data-testid': 'live-groups' } });
  const element = el('section', { class: 'card', attrs: { 'aria-label': 'Groups forming' } }, [el('h3', {}, ['Groups forming ', count]), empty, el('div', { class: 'table-wrap' }, [table])]);

  const render = (): void => {
    const groups = book.list();
    count.textContent = String(groups.length);
    empty.hidden = groups.length > 0;
    table.hidden = groups.length === 0;
    replaceChildren(
      body,
      groups.map((group) =>
        el('tr', { attrs: { 'data-group-id': group.groupId, 'data-status': group.status } }, [
          el('td', { text: group.groupId }),
          el('td', { text: group.leaderId }),
          el('td', { text: seatsText(group) }),
          el('td', { text: money(group.unitPriceMinor, currency) }),
          el('td', { class: 'countdown', attrs: { 'data-deadline-ms': group.deadlineMs } }),
        ]),
      ),
    );
    refreshCountdowns(body);
  };
  render();

  return {
    element,
    offerSnapshot(snapshot: OfferSnapshot) {
      currency = snapshot.offer.currency;
      book.reset(snapshot.groups);
      render();
    },
    offerEvent(event: ChannelEvent) {
      if (book.apply(event)) render();
    },
    destroy() {},
  };
}
