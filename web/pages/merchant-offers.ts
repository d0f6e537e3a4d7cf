// The merchant's offers (GET /v1/offers, a page at a time) and the form that lists a new one (POST /v1/offers).
// A refused offer shows each of the server's problems next to its field; a listed one opens its live page.
import type { Page } from '../app-context.ts';
import { button, el, field, numberInput, numberValue, replaceChildren, select, showStatus, statusLine, textInput } from '../dom.ts';
import { clearProblems, placeProblems, problemsOf } from '../field-errors.ts';
import { money } from '../format.ts';
import { callApi, RetryKeys } from '../http-api.ts';
import { MECHANISMS, mechanismFor, type SettingsFields } from '../mechanisms/index.ts';
import type { ServerClock } from '../server-clock.ts';
import type { OfferView } from '../wire.ts';
import { merchantKey, requireMerchant, signOut } from './merchant-session.ts';

interface OfferPage {
  offers: OfferView[];
  nextCursor: string | null;
}

const CURRENCIES = ['CNY', 'USD', 'EUR', 'JPY', 'GBP', 'HKD', 'SGD'] as const;

export const merchantOffersPage: Page = requireMerchant((root, _params, app) => {
  const apiKey = merchantKey()!;
  const listBody = el('tbody');
  const listStatus = statusLine();
  const more = button('Load more', () => void load(false));
  let cursor: string | null = null;

  const row = (offer: OfferView): HTMLElement =>
    el('tr', { attrs: { 'data-offer-id': offer.offerId } }, [
      el('td', {}, [el('a', { text: offer.title, attrs: { href: `#/merchant-offer?id=${encodeURIComponent(offer.offerId)}` } }), el('div', { class: 'hint', text: offer.offerId })]),
      el('td', { text: mechanismFor(offer.mechanism.type)?.label ?? offer.mechanism.type }),
      el('td', {}, [el('span', { class: `badge ${offer.status}`, text: offer.status })]),
      el('td', { text: money(offer.priceMinor, offer.currency) }),
      el('td', { text: `${offer.availableUnits} / ${offer.inventory}` }),
      el('td', { text: mechanismFor(offer.mechanism.type)?.summary(offer) ?? '' }),
    ]);

  const load = async (fresh: boolean): Promise<void> => {
    if (fresh) cursor = null;
    const query = new URLSearchParams({ limit: '50', ...(cursor ? { cursor } : {}) });
    const answer = await callApi<OfferPage>('GET', `/v1/offers?${query}`, { apiKey });
    if (!answer.ok) return showStatus(listStatus, 'error', `${answer.failure.message} (${answer.failure.code})`);
    if (fresh) listBody.replaceChildren();
    for (const offer of answer.value.offers) listBody.append(row(offer));
    cursor = answer.value.nextCursor;
    more.hidden = cursor === null;
    showStatus(listStatus, 'info', listBody.children.length === 0 ? 'No offers yet: list one below.' : `${listBody.children.length} offer(s).`);
  };

  const list = el('section', { class: 'card', attrs: { 'aria-label': 'Your offers' } }, [
    el('div', { class: 'title-row' }, [el('h2', { text: 'Your offers' }), button('Refresh', () => void load(true)), button('Sign out', signOut)]),
    listStatus,
    el('div', { class: 'table-wrap' }, [
      el('table', { attrs: { 'aria-label': 'Your offers' } }, [
        el('thead', {}, [el('tr', {}, ['Offer', 'Mechanism', 'Status', 'Price now', 'Available', 'Live'].map((text) => el('th', { text, attrs: { scope: 'col' } })))]),
        listBody,
      ]),
    ]),
    more,
  ]);
  replaceChildren(root, [list, createOfferForm(apiKey, app.clock)]);
  void load(true);
  return () => undefined;
});

function createOfferForm(apiKey: string, clock: ServerClock): HTMLElement {
  const keys = new RetryKeys();
  const offerId = textInput('', { placeholder: 'optional, e.g. spring-tea', autocomplete: 'off' });
  const title = textInput('', { required: true, placeholder: 'Oolong tea, 500 g' });
  const currency = select(
    CURRENCIES.map((code) => [code, code] as const),
    'CNY',
  );
  const inventory = numberInput(100, { min: 0 });
  const basePrice = numberInput(8_800, { min: 0 });
  const perShopperLimit = numberInput(null, { min: 1, placeholder: 'no limit' });
  const mechanismType = select(
    MECHANISMS.map((mechanism) => [mechanism.type, mechanism.label] as const),
    MECHANISMS[0]!.type,
  );
  const basePriceField = field('List price (minor units)', basePrice, { path: 'basePriceMinor', hint: ' ' });
  let meaning = '';
  const showBase = (): void => {
    const value = numberValue(basePrice);
    basePriceField.wrapper.querySelector('.hint')!.textContent = `${value === undefined ? '' : `= ${money(value, currency.value)}: `}${meaning}`;
  };
  basePrice.addEventListener('input', showBase);
  currency.addEventListener('change', showBase);

  const settingsSlot = el('div');
  let settings: SettingsFields;
  const showSettings = (): void => {
    const mechanism = mechanismFor(mechanismType.value)!;
    settings = mechanism.settingsFields({ currency: () => currency.value, clock });
    settingsSlot.replaceChildren(settings.element);
    meaning = mechanism.basePriceMeaning;
    if (settings.suggested) {
      inventory.value = String(settings.suggested.inventory);
      basePrice.value = String(settings.suggested.basePriceMinor);
    }
    showBase();
  };
  mechanismType.addEventListener('change', showSettings);
  showSettings();

  const summary = el('div', { class: 'form-problems', attrs: { role: 'alert' } });
  const status = statusLine();
  const form = el('form', { class: 'card', attrs: { novalidate: true, 'aria-label': 'List an offer' } }, [
    el('h2', { text: 'List an offer' }),
    el('div', { class: 'grid' }, [
      field('Offer id', offerId, { path: 'offerId', hint: 'Blank: the server makes one.' }).wrapper,
      field('Title', title, { path: 'title' }).wrapper,
      field('Currency', currency, { path: 'currency' }).wrapper,
      field('Inventory (units)', inventory, { path: 'inventory' }).wrapper,
      basePriceField.wrapper,
      field('Most units per shopper', perShopperLimit, { path: 'perShopperLimit' }).wrapper,
      field('Mechanism', mechanismType, { path: 'mechanism.type' }).wrapper,
    ]),
    settingsSlot,
    summary,
    status,
    el('div', { class: 'actions' }, [el('button', { text: 'List offer', class: 'btn primary', attrs: { type: 'submit' } })]),
  ]);

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void submit();
  });

  const submit = async (): Promise<void> => {
    clearProblems(form);
    const limit = numberValue(perShopperLimit);
    const id = offerId.value.trim();
    const body = {
      ...(id ? { offerId: id } : {}),
      title: title.value,
      currency: currency.value,
      inventory: numberValue(inventory),
      basePriceMinor: numberValue(basePrice),
      ...(limit === undefined ? {} : { perShopperLimit: limit }),
      mechanism: settings.read(),
      ...settings.offerFields?.(),
    };
    const action = JSON.stringify(body);
    const key = keys.key(action);
    showStatus(status, 'info', 'Listing…');
    const answer = await callApi<{ offerId: string }>('POST', '/v1/offers', { apiKey, body, idempotencyKey: key });
    keys.settle(action, key, answer.ok ? null : answer.failure.code);
    if (!answer.ok) {
      showStatus(status, 'error', `Not listed: ${answer.failure.message} (${answer.failure.code})`);
      placeProblems(form, problemsOf(answer.failure), summary);
      return;
    }
    showStatus(status, 'ok', `Listed ${answer.value.offerId}.`);
    location.hash = `#/merchant-offer?id=${encodeURIComponent(answer.value.offerId)}`;
  };
  return form;
}
