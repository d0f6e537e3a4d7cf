// The shopper's side of an auction. English: state a hidden maximum (the server bids for you up to it), see the
// live price and whether you lead or were outbid, buy now while that is offered. Vickrey and uniform: one sealed
// bid (units too, for uniform), raised only; nothing is public before the close. Dutch: watch the clock fall and
// take the unit at its price. At the close: whether you won, and what you pay. Refusals (too low, over your
// exposure, closed) show the server's message under the button.
import { type Advice, clearIfDone, CommandActions } from '../command-action.ts';
import { button, el, field, numberInput, numberValue, replaceChildren, statusLine } from '../dom.ts';
import { bidsText } from '../describe-mechanism-event.ts';
import { bidder, clockTime, money } from '../format.ts';
import { refreshCountdowns } from '../server-clock.ts';
import type { ChannelEvent, OfferSnapshot, ShopperSnapshot, WonOrder } from '../wire.ts';
import { AuctionBook } from './auction-state.ts';
import { countdown, factList } from './facts.ts';
import type { ShopperEnv, ShopperPanel } from './index.ts';

interface MyBid {
  bidderNo: number;
  bidMinor: number;
  qty: number;
}

type Standing = 'none' | 'leading' | 'outbid' | 'sealed' | 'won' | 'lost';

export const AUCTION_ADVICE: Advice = {
  bid_too_low: 'Bid more: the hint under the field says how much.',
  exposure_exceeded: 'Your account allows less in open bids: bid less, or wait for your other auctions to close.',
  auction_closed: 'The auction has closed: its result is shown above.',
  buy_now_unavailable: 'A bid met the reserve, so buy-now is off: bid instead.',
  own_offer: 'A merchant cannot bid on its own offer.',
  offer_not_started: 'The auction has not started yet.',
  disconnected: 'Click again once the page says Live: it is applied once.',
};

export function auctionShopperPanel(env: ShopperEnv): ShopperPanel {
  const { connection, shopperId } = env;
  const offerId = env.offer.offerId;
  const book = new AuctionBook();
  book.reset(env.offer);
  const actions = new CommandActions(connection);
  let currency = env.offer.currency;
  let mine: MyBid | null = null;
  /** From our own channel at the close: the order we won, null when we bid and won nothing, undefined: not heard. */
  let won: WonOrder | null | undefined;
  let outbidBy: { bidderNo: number; atMs: number } | null = null;
  let shownStanding: Standing | null = null;

  const kind = book.view?.kind ?? 'english';
  const amount = numberInput(null, { min: 1 });
  const qty = numberInput(1, { min: 1 });
  const amountHint = el('p', { class: 'hint', attrs: { 'aria-live': 'polite' } });
  const amountField = field(kind === 'english' ? 'Your maximum bid (minor units)' : 'Your sealed bid, a unit (minor units)', amount, {
    path: 'maxBidMinor',
    hint: kind === 'english' ? 'The server bids for you, one increment at a time, up to this amount: nobody sees it.' : 'Nobody sees it before the close; you may only raise it.',
  });
  amountField.wrapper.insertBefore(amountHint, amountField.error);
  amount.addEventListener('input', () => showAmount());
  const bidStatus = statusLine();
  bidStatus.dataset.testid = 'bid-status';
  const buyStatus = statusLine();
  buyStatus.dataset.testid = 'buy-status';
  const standing = el('p', { class: 'standing', attrs: { 'data-testid': 'auction-standing', role: 'status', 'aria-live': 'polite' } });
  const factsSlot = el('div');

  const placeBid = button(kind === 'english' ? 'Place bid' : 'Place sealed bid', () => {
    const maxBidMinor = numberValue(amount);
    const units = kind === 'uniform' ? numberValue(qty) : undefined;
    void actions.run(`bid:${maxBidMinor}:${units}`, { type: 'place_bid', offerId, maxBidMinor, ...(units === undefined ? {} : { qty: units }) }, bidStatus, bidAccepted, AUCTION_ADVICE);
  }, { kind: 'primary' });
  const buyNow = button('Buy now', () => void actions.run('buy_now', { type: 'buy_now', offerId }, buyStatus, bought, AUCTION_ADVICE), { attrs: { 'data-action': 'buy-now' } });
  const accept = button('Buy at this price', () => void actions.run('accept', { type: 'accept_price', offerId }, buyStatus, bought, AUCTION_ADVICE), { kind: 'primary', attrs: { 'data-action': 'accept-price' } });

  // One form per kind: the Dutch clock is taken, the others are bid on.
  const form =
    kind === 'dutch'
      ? el('div', { class: 'bid-form' }, [
          el('p', { class: 'hint', text: 'The price falls step by step; the first shopper to take it wins the unit at that price.' }),
          el('div', { class: 'actions' }, [accept]),
          buyStatus,
        ])
      : el('div', { class: 'bid-form' }, [
          el('div', { class: 'grid' }, [amountField.wrapper, kind === 'uniform' ? field('Units wanted', qty, { path: 'qty' }).wrapper : null]),
          el('div', { class: 'actions' }, [placeBid, kind === 'english' ? buyNow : null]),
          bidStatus,
          buyStatus,
        ]);

  const element = el('div', { class: 'mechanism auction' }, [
    el('section', { class: 'card', attrs: { 'aria-label': 'Auction' } }, [el('h3', { text: 'Auction' }), standing, factsSlot, form]),
  ]);

  function showAmount(): void {
    const value = numberValue(amount);
    const minimum = book.view?.minimumBidMinor ?? null;
    const state = myStanding();
    let need = minimum === null ? '' : `At least ${money(minimum, currency)}.`;
    if (mine !== null && state === 'leading') need = `You lead: a new maximum must be above your ${money(mine.bidMinor, currency)}.`;
    // Sealed bids are raised only: Vickrey a higher price; uniform neither price nor units lower, one of them higher.
    if (mine !== null && state === 'sealed') need = `Your bid is ${money(mine.bidMinor, currency)}${kind === 'uniform' ? ` for ${mine.qty}: raise the price or the units, lower neither` : ': a new one must be higher'}.`;
    amountHint.textContent = `${value === undefined ? '' : `= ${money(value, currency)}. `}${need}`;
  }

  function bidAccepted(result: Record<string, unknown>): string {
    const auction = result.auction as { bidMinor: number; qty: number; leading: boolean | null; priceMinor: number | null };
    if (auction.leading === true) return `You lead: your maximum is ${money(auction.bidMinor, currency)}, the price ${money(auction.priceMinor ?? 0, currency)}.`;
    if (auction.leading === false) {
      return `Accepted, but another bidder's maximum is higher: the price is now ${money(auction.priceMinor ?? 0, currency)}. Bid more to lead.`;
    }
    return `Your sealed bid of ${money(auction.bidMinor, currency)}${auction.qty > 1 ? ` × ${auction.qty}` : ''} is in. Results at the close.`;
  }

  function bought(result: Record<string, unknown>): string {
    const auction = result.auction as { priceMinor: number | null };
    return `It is yours: you pay ${money(auction.priceMinor ?? 0, currency)}. The order follows at once.`;
  }

  function myStanding(): Standing {
    const view = book.view;
    if (view?.status === 'closed') {
      if (won !== undefined) return won === null ? 'lost' : 'won';
      if (mine === null) return 'none';
      return book.winners.some((winner) => winner.bidderNo === mine!.bidderNo) ? 'won' : 'lost';
    }
    if (mine === null) return 'none';
    if (view?.kind !== 'english') return 'sealed';
    return view.leaderNo === mine.bidderNo ? 'leading' : 'outbid';
  }

  function standingText(state: Standing): string {
    const view = book.view!;
    const price = (minor: number | null) => money(minor ?? 0, currency);
    switch (state) {
      case 'none':
        return view.status === 'closed' ? 'This auction has closed.' : view.kind === 'dutch' ? `The clock stands at ${price(view.priceMinor)}.` : 'You have not bid yet.';
      case 'leading':
        return `You lead at ${price(view.priceMinor)} (your maximum ${price(mine!.bidMinor)}, bidder #${mine!.bidderNo}).`;
      case 'outbid':
        return `You were outbid: ${bidder(view.leaderNo)} leads at ${price(view.priceMinor)}${outbidBy ? ` (since ${clockTime(outbidBy.atMs)})` : ''}. Your maximum was ${price(mine!.bidMinor)}.`;
      case 'sealed':
        return `Your sealed bid: ${price(mine!.bidMinor)}${mine!.qty > 1 ? ` × ${mine!.qty}` : ''} (bidder #${mine!.bidderNo}). Results at the close.`;
      case 'won':
        return won ? `You won ${won.qty} at ${price(won.unitPriceMinor)}: you pay ${price(won.paidMinor)} (order ${won.orderId}).` : 'You won this auction.';
      case 'lost':
        return 'The auction closed and you did not win: nothing is charged.';
      default:
        return state satisfies never;
    }
  }

  const render = (): void => {
    const view = book.view;
    if (!view) {
      replaceChildren(factsSlot, [el('p', { class: 'status error', text: 'The server sent no auction view for this offer.' })]);
      return;
    }
    const state = myStanding();
    // "You lead" under the button would contradict "you were outbid" above it: a success message goes stale.
    if (shownStanding !== null && state !== shownStanding) clearIfDone(bidStatus);
    shownStanding = state;
    standing.dataset.standing = state;
    standing.className = `standing ${state}`;
    // Set only when it changed: a live region re-announces any text written into it.
    const text = standingText(state);
    if (standing.textContent !== text) standing.textContent = text;
    const open = view.status === 'open';
    const sealed = view.kind === 'vickrey' || view.kind === 'uniform';
    replaceChildren(factsSlot, [
      factList([
        {
          label: view.kind === 'dutch' ? 'Clock price' : 'Price now',
          value: sealed ? 'sealed until the close' : view.priceMinor === null ? `no bid yet: opens at ${money(view.openingPriceMinor, currency)}` : money(view.priceMinor, currency),
          testid: 'auction-price',
          big: !sealed,
          data: { priceMinor: view.priceMinor },
        },
        view.kind === 'dutch' ? null : { label: 'Bids', value: bidsText(view.bids, view.bidders), testid: 'auction-bids', data: { count: view.bids } },
        view.units > 1 ? { label: 'Units on sale', value: String(view.units) } : null,
        view.hasReserve ? { label: 'Reserve', value: view.reserveMet === null ? 'a hidden reserve applies' : view.reserveMet ? 'met' : 'not met yet' } : null,
        open && view.endMs !== null ? { label: 'Ends in', value: el('span', {}, [countdown(view.endMs), view.extensionsUsed > 0 ? ` (extended ${view.extensionsUsed}×)` : '']), testid: 'auction-ends' } : null,
        open && view.dutch && view.dutch.nextStepAtMs !== null
          ? { label: 'Next drop', value: el('span', {}, [`to ${money(view.dutch.nextPriceMinor ?? 0, currency)} in `, countdown(view.dutch.nextStepAtMs)]), testid: 'dutch-next' }
          : null,
        view.dutch ? { label: 'Floor', value: money(view.dutch.floorPriceMinor, currency) } : null,
      ]),
    ]);
    placeBid.disabled = !open;
    accept.disabled = !open;
    accept.textContent = open && view.priceMinor !== null ? `Buy at ${money(view.priceMinor, currency)}` : 'Closed';
    buyNow.hidden = view.buyNowPriceMinor === null;
    buyNow.textContent = view.buyNowPriceMinor === null ? 'Buy now' : `Buy now for ${money(view.buyNowPriceMinor, currency)}`;
    showAmount();
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
    shopperSnapshot(snapshot: ShopperSnapshot) {
      const bid = snapshot.bids?.find((candidate) => candidate.offerId === offerId);
      mine = bid ? { bidderNo: bid.bidderNo, bidMinor: bid.bidMinor, qty: bid.qty } : null;
      render();
    },
    shopperEvent(event: ChannelEvent) {
      if (event.type === 'bid_placed' && event.shopperId === shopperId && event.bidMinor !== undefined) {
        mine = { bidderNo: event.bidderNo, bidMinor: event.bidMinor, qty: event.qty ?? 1 };
        outbidBy = null;
      } else if (event.type === 'bid_placed' && event.outbidShopperId === shopperId) {
        outbidBy = { bidderNo: event.bidderNo, atMs: event.atMs };
      } else if (event.type === 'auction_closed' && event.won !== undefined) {
        won = event.won;
      } else {
        return;
      }
      render();
    },
    destroy() {},
  };
}

