// The merchant's live view of an auction: the price, who leads (by bidder number), bids and bidders, the reserve
// (its amount is the merchant's own), the end with a countdown and the soft-close extensions used, buy-now while
// offered, a Dutch clock's next step, the recent bids, and how it closed.
import { el, replaceChildren } from '../dom.ts';
import { bidder, clockTime, formatDuration, money } from '../format.ts';
import { refreshCountdowns } from '../server-clock.ts';
import type { AuctionView, ChannelEvent, OfferSnapshot } from '../wire.ts';
import { AuctionBook, KIND_LABELS } from './auction-state.ts';
import { countdown, factList, type Fact } from './facts.ts';
import type { MerchantEnv, MerchantPanel } from './index.ts';

export function auctionMerchantPanel(env: MerchantEnv): MerchantPanel {
  const book = new AuctionBook();
  book.reset(env.offer);
  // The merchant's own read carries the reserve; the channel's public snapshot does not.
  const reserveMinor = env.offer.mechanism.type === 'auction' ? (env.offer.mechanism.reservePriceMinor ?? 0) : 0;
  let currency = env.offer.currency;
  const factsSlot = el('div');
  const outcome = el('p', { class: 'status', attrs: { role: 'status', 'data-testid': 'auction-outcome' } });
  const bidList = el('ol', { class: 'event-log bid-list', attrs: { 'aria-label': 'Recent bids' } });
  // A Dutch clock takes no bids: its first acceptance closes it.
  const bidsShown = book.view?.kind !== 'dutch';
  const element = el('section', { class: 'card', attrs: { 'aria-label': 'Auction' } }, [
    el('h3', { text: 'Auction' }),
    factsSlot,
    outcome,
    bidsShown ? el('h4', { text: 'Recent bids' }) : null,
    bidsShown ? bidList : null,
  ]);

  const render = (): void => {
    const view = book.view;
    if (!view) {
      replaceChildren(factsSlot, [el('p', { class: 'status error', text: 'The server sent no auction view for this offer.' })]);
      return;
    }
    replaceChildren(factsSlot, [factList(merchantFacts(view, reserveMinor, currency))]);
    const closed = view.outcome;
    if (closed) {
      const sold = closed.clearingPriceMinor === null ? 'nothing sold' : `${closed.unitsSold} unit${closed.unitsSold === 1 ? '' : 's'} sold at ${money(closed.clearingPriceMinor, currency)}`;
      const to = book.winners.length > 0 ? ` to ${book.winners.map((winner) => `${bidder(winner.bidderNo)} (${winner.qty})`).join(', ')}` : '';
      outcome.className = `status ${closed.clearingPriceMinor === null ? 'error' : 'ok'}`;
      outcome.textContent = `Closed at ${clockTime(closed.closedAtMs)} (${closed.reason.replace('_', ' ')}): ${sold}${to}${closed.reserveMet ? '' : '; the reserve was not met'}.`;
    } else {
      outcome.className = 'status';
      outcome.textContent = '';
    }
    replaceChildren(
      bidList,
      book.bids.length === 0
        ? [el('li', { class: 'hint', text: 'Bids appear here as they come.' })]
        : book.bids.map((line) =>
            el('li', {}, [
              el('time', { text: clockTime(line.atMs) }),
              el('span', {
                text:
                  line.priceMinor === null
                    ? `${bidder(line.bidderNo)}: a sealed bid`
                    : `${bidder(line.bidderNo)}: price ${money(line.priceMinor, currency)}, ${bidder(line.leaderNo)} leads`,
              }),
            ]),
          ),
    );
    refreshCountdowns(element);
  };
  render();

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
    destroy() {},
  };
}

function merchantFacts(view: AuctionView, reserveMinor: number, currency: string): (Fact | null)[] {
  const price = (minor: number | null) => (minor === null ? '—' : money(minor, currency));
  const english = view.kind === 'english';
  const sealed = view.kind === 'vickrey' || view.kind === 'uniform';
  const dutch = view.dutch;
  return [
    { label: 'Kind', value: KIND_LABELS[view.kind] },
    { label: 'Status', value: view.status, testid: 'auction-status', data: { status: view.status } },
    {
      label: dutch ? 'Clock price' : 'Price now',
      value: sealed ? 'sealed until the close' : view.priceMinor === null ? `no bid yet (opens at ${price(view.openingPriceMinor)})` : price(view.priceMinor),
      testid: 'auction-price',
      big: !sealed,
      data: { priceMinor: view.priceMinor },
    },
    english ? { label: 'Leader', value: view.leaderNo === null ? 'nobody yet' : bidder(view.leaderNo), testid: 'auction-leader' } : null,
    dutch ? null : { label: 'Bids', value: String(view.bids), testid: 'auction-bids', data: { count: view.bids } },
    dutch ? null : { label: 'Bidders', value: String(view.bidders) },
    view.units > 1 ? { label: 'Units on sale', value: String(view.units) } : null,
    view.kind !== 'dutch'
      ? {
          label: 'Reserve',
          value: reserveMinor === 0 ? 'none' : `${price(reserveMinor)}${view.reserveMet === null ? ' (sealed bids: known at the close)' : view.reserveMet ? ', met' : ', not met yet'}`,
        }
      : null,
    view.minimumBidMinor !== null ? { label: 'A new bid must be at least', value: price(view.minimumBidMinor) } : null,
    view.endMs !== null && view.status === 'open'
      ? {
          label: 'Ends in',
          value: el('span', {}, [countdown(view.endMs), ` (at ${clockTime(view.endMs)})`]),
          testid: 'auction-ends',
          data: { endMs: view.endMs },
        }
      : null,
    view.maxExtensions > 0 ? { label: 'Late-bid extensions', value: `${view.extensionsUsed} of ${view.maxExtensions} used`, testid: 'auction-extensions' } : null,
    english ? { label: 'Buy now', value: view.buyNowPriceMinor === null ? 'not offered now' : price(view.buyNowPriceMinor) } : null,
    dutch && dutch.nextStepAtMs !== null
      ? {
          label: 'Next drop',
          value: el('span', {}, [`to ${price(dutch.nextPriceMinor)} in `, countdown(dutch.nextStepAtMs)]),
          testid: 'dutch-next',
          data: { nextStepAtMs: dutch.nextStepAtMs },
        }
      : null,
    dutch ? { label: 'Clock', value: `falls ${price(dutch.stepMinor)} every ${formatDuration(dutch.stepIntervalMs)} to its floor ${price(dutch.floorPriceMinor)}` } : null,
  ];
}
