// The shopper demo: what a client of tuan feels like. Pick who you are and an offer, then watch it live — price
// with its explanation, stock, groups with countdowns on the server's clock — and act through the offer's
// mechanism panel. The connection reconnects and resumes by itself; the status line says what happened.
import type { AppContext, Page } from '../app-context.ts';
import { button, el, field, replaceChildren, statusLine, textInput } from '../dom.ts';
import { EventLog } from '../event-log.ts';
import { clearProblems, placeProblems, problemsOf } from '../field-errors.ts';
import { callApi } from '../http-api.ts';
import { showConnection } from '../connection-status.ts';
import { LiveConnection, type Credential } from '../live-connection.ts';
import { mechanismFor, type ShopperPanel } from '../mechanisms/index.ts';
import { OfferHeader } from '../offer-header.ts';
import { PriceBox, type ExplanationInput } from '../price-box.ts';
import type { ChannelEvent, Failure, OfferSnapshot, Quote, ShopperSnapshot } from '../wire.ts';

interface DevToken {
  token: string;
  shopperId: string;
}

export const shopperPage: Page = (root, params, app) => {
  let stop: (() => void) | null = null;
  const shopperId = textInput(params.get('shopper') ?? 'alice', { autocomplete: 'username', required: true });
  const newcomer = el('input', { attrs: { type: 'checkbox', id: 'shopper-newcomer' } });
  const offerId = textInput(params.get('offer') ?? 'demo-tea', { required: true });
  const token = el('textarea', { attrs: { rows: 2, placeholder: app.config.devTokens ? 'optional: a development token is made for you' : 'paste a shopper token' } });
  const summary = el('div', { class: 'form-problems', attrs: { role: 'alert' } });
  const form = el('form', { class: 'card', attrs: { novalidate: true, 'aria-label': 'Who are you' } }, [
    el('h2', { text: 'Shopper demo' }),
    el('p', { class: 'hint', text: 'Pick a shopper and an offer. Open this page in a second window as another shopper to see both sides live.' }),
    el('div', { class: 'grid' }, [field('Shopper id', shopperId, { path: 'shopperId' }).wrapper, field('Offer id', offerId, { path: 'offerId' }).wrapper]),
    el('div', { class: 'field checkbox', attrs: { 'data-path': 'newcomer' } }, [newcomer, el('label', { text: 'First order on the platform (newcomer)', attrs: { for: 'shopper-newcomer' } })]),
    field('Shopper token', token, { path: 'token', hint: 'Tokens come from your login service; for development, `npm run mint -- shopper <id>`.' }).wrapper,
    summary,
    el('div', { class: 'actions' }, [el('button', { text: 'Start shopping', class: 'btn primary', attrs: { type: 'submit' } })]),
  ]);
  const session = el('div', { class: 'session' });
  replaceChildren(root, [form, session]);

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void start();
  });

  const start = async (): Promise<void> => {
    clearProblems(form);
    stop?.();
    stop = null;
    const who = shopperId.value.trim();
    const offer = offerId.value.trim();
    const pasted = token.value.trim();
    let first: Credential;
    if (pasted) {
      first = { token: pasted };
    } else {
      const minted = await mintToken(who, newcomer.checked, app.config.devTokens);
      if (!minted.ok) return placeProblems(form, problemsOf(minted.failure), summary);
      first = { token: minted.value.token };
    }
    history.replaceState(null, '', `#/shopper?offer=${encodeURIComponent(offer)}&shopper=${encodeURIComponent(who)}`);
    form.hidden = true;
    stop = openSession(session, app, { shopperId: who, offerId: offer, newcomer: newcomer.checked, first, pasted: pasted !== '' }, (failure) => {
      // Back to the form, with the reason (if any) next to the field it is about.
      stop?.();
      stop = null;
      form.hidden = false;
      session.replaceChildren();
      if (failure) placeProblems(form, problemsOf(failure), summary);
    });
  };

  if (params.get('start') === '1') void start();
  return () => stop?.();
};

async function mintToken(shopperId: string, newcomer: boolean, available: boolean) {
  const answer = await callApi<DevToken>('POST', '/dev/shopper-tokens', { body: { shopperId, newcomer } });
  if (!answer.ok && answer.failure.code === 'not_found' && !available) {
    const message = 'this server makes no development tokens (production mode): paste a shopper token from your login service';
    return { ok: false as const, failure: { code: 'no_dev_tokens', message, errors: [{ path: 'token', message }] } };
  }
  return answer;
}

interface SessionOptions {
  shopperId: string;
  offerId: string;
  newcomer: boolean;
  first: Credential;
  pasted: boolean;
}

function openSession(root: HTMLElement, app: AppContext, options: SessionOptions, onFatal: (failure: Failure | null) => void): () => void {
  const connectionLine = statusLine();
  connectionLine.dataset.testid = 'connection-status';
  const header = new OfferHeader();
  const priceBox = new PriceBox('Price');
  /** The mechanism's caption for the rule set's price, or null where the page shows none (auctions). */
  let priceCaption: string | null = null;
  priceBox.element.hidden = true;
  const log = new EventLog('What just happened', () => header.current?.currency ?? 'CNY');
  const panelSlot = el('div');
  const leave = button('Change shopper or offer', () => onFatal(null));
  replaceChildren(root, [
    el('div', { class: 'session-bar' }, [el('span', { text: `Signed in as ${options.shopperId}` }), connectionLine, leave]),
    header.element,
    el('div', { class: 'columns' }, [el('div', {}, [priceBox.element, panelSlot]), log.element]),
  ]);

  let panel: ShopperPanel | null = null;
  let usedFirst = false;
  let quoteInFlight = false;
  let quoteAgain = false;

  const connection = new LiveConnection({
    url: app.wsUrl,
    clock: app.clock,
    // The first token was checked already; later reconnects take a fresh one (a long visit outlives a token).
    credential: async () => {
      if (!usedFirst || options.pasted) {
        usedFirst = true;
        return options.first;
      }
      const minted = await mintToken(options.shopperId, options.newcomer, app.config.devTokens);
      if (!minted.ok) throw new Error(minted.failure.message);
      return { token: minted.value.token };
    },
    onStatus: (status) => {
      showConnection(connectionLine, status);
      // A token the server refuses (expired, signed for another server) is the form's problem, next to its field.
      if (status.state === 'refused') onFatal({ ...status.failure, errors: [{ path: options.pasted ? 'token' : 'shopperId', message: `${status.failure.message} (${status.failure.code})` }] });
    },
    onNotice: (failure) => log.note(`${failure.message} (${failure.code})`, app.clock.now()),
  });

  const showPrice = (priceMinor: number, explanation: readonly ExplanationInput[] | null): void => {
    const currency = header.current?.currency ?? 'CNY';
    if (priceCaption !== null) priceBox.show(priceMinor, currency, priceCaption, explanation);
  };

  const refreshQuote = async (): Promise<void> => {
    if (priceCaption === null) return;
    // One quote at a time; changes that arrive meanwhile ask for one more, not one each.
    if (quoteInFlight) {
      quoteAgain = true;
      return;
    }
    quoteInFlight = true;
    const outcome = await connection.command({ type: 'quote', offerId: options.offerId });
    quoteInFlight = false;
    if (outcome.ok) {
      const quote = outcome.value.quote as Quote;
      showPrice(quote.unitPriceMinor, quote.explanation);
    }
    if (quoteAgain) {
      quoteAgain = false;
      void refreshQuote();
    }
  };

  const onOfferSnapshot = (snapshot: OfferSnapshot, afterReconnect: boolean): void => {
    header.setOffer(snapshot.offer);
    if (afterReconnect) log.note('Reconnected: the server no longer had every missed update, so the page started again from a fresh snapshot.', app.clock.now(), 'resynced');
    if (panel) {
      void refreshQuote();
      return panel.offerSnapshot(snapshot);
    }
    const mechanism = mechanismFor(snapshot.offer.mechanism.type);
    if (!mechanism) {
      panelSlot.replaceChildren(el('p', { class: 'status error', text: `This console cannot show "${snapshot.offer.mechanism.type}" offers yet.` }));
      return;
    }
    const price = mechanism.shopperPrice(snapshot.offer);
    priceCaption = price?.caption ?? null;
    priceBox.setTitle(price?.title ?? '');
    priceBox.element.hidden = price === null;
    header.showPrice(price !== null);
    void refreshQuote();
    panel = mechanism.shopperPanel({ offer: snapshot.offer, connection, clock: app.clock, shopperId: options.shopperId, onPriceMayHaveChanged: () => void refreshQuote() });
    panelSlot.replaceChildren(panel.element);
    panel.offerSnapshot(snapshot);
    // The shopper's own channel after the panel exists, so its snapshot has somewhere to go.
    connection.watch(`shopper:${options.shopperId}`, {
      onSnapshot: (shopperSnapshot) => panel?.shopperSnapshot(shopperSnapshot as ShopperSnapshot),
      onEvent: (event) => {
        if (event.offerId !== options.offerId) return;
        log.add(event, 'shopper');
        panel?.shopperEvent(event);
      },
      onResumed: () => undefined,
      onRefused: (failure) => log.note(`Your own updates are unavailable: ${failure.message} (${failure.code})`, app.clock.now()),
    });
  };

  const onOfferEvent = (event: ChannelEvent): void => {
    header.apply(event);
    log.add(event, 'offer');
    panel?.offerEvent(event);
    if (event.type === 'price_changed') showPrice(event.priceMinor, event.explanation);
    else if (event.type === 'offer_edited' || event.type === 'rule_set_activated') void refreshQuote();
  };

  connection.watch(`offer:${options.offerId}`, {
    onSnapshot: (snapshot, afterReconnect) => onOfferSnapshot(snapshot as OfferSnapshot, afterReconnect),
    onEvent: onOfferEvent,
    onWatchers: (count) => header.setWatchers(count),
    onResumed: (offset) => log.note(`Reconnected and resumed at update #${offset}: anything missed follows, nothing twice.`, app.clock.now(), 'resumed'),
    onRefused: (failure) => onFatal({ ...failure, errors: [{ path: 'offerId', message: `${failure.message} (${failure.code})` }] }),
  });
  connection.start();

  return () => {
    panel?.destroy();
    connection.close();
  };
}
