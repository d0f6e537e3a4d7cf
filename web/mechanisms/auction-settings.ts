// The settings of a new auction (docs/auctions.md, "Settings"): its kind, when it closes, the hidden reserve,
// buy-now and bid increments (English), late-bid extensions, or the Dutch clock. Only the fields of the chosen kind
// are shown and sent; each carries its request path, so the server's messages land beside it.
import { el, field, numberInput, numberValue, select } from '../dom.ts';
import { durationValue, moneyField } from '../money-field.ts';
import { NumberRows } from '../number-rows.ts';
import { KIND_LABELS } from './auction-state.ts';
import type { SettingsEnv, SettingsFields } from './index.ts';

const SECOND_MS = 1_000;
const MINUTE_MS = 60_000;

export function auctionSettingsFields(env: SettingsEnv): SettingsFields {
  const { currency } = env;
  const kind = select(
    Object.entries(KIND_LABELS).map(([value, text]) => [value, text] as const),
    'english',
  );
  const endsIn = numberInput(60, { min: 1 });
  const reserve = numberInput(0, { min: 0 });
  const buyNow = numberInput(null, { min: 1, placeholder: 'none' });
  const increments = new NumberRows(
    'mechanism.increments',
    [
      { key: 'fromMinor', label: (i) => `Band ${i + 1}: from price (minor units)`, min: 0, money: true },
      { key: 'stepMinor', label: (i) => `Band ${i + 1}: bid step (minor units)`, min: 1, money: true },
    ],
    [
      { fromMinor: 0, stepMinor: 100 },
      { fromMinor: 10_000, stepMinor: 500 },
    ],
    currency,
    {
      legend: 'Bid increments (from a price on, a new bid beats it by at least the step)',
      addLabel: 'Add a band',
      removeLabel: (i) => `Remove band ${i + 1}`,
      nextRow: (last) => ({ fromMinor: (last?.fromMinor ?? 0) * 2 || 10_000, stepMinor: (last?.stepMinor ?? 100) * 2 }),
    },
  );
  const windowS = numberInput(60, { min: 1 });
  const extendS = numberInput(60, { min: 1 });
  const maxExtensions = numberInput(10, { min: 0, max: 1_000 });
  const floor = numberInput(5_000, { min: 0 });
  const step = numberInput(500, { min: 1 });
  const stepEveryS = numberInput(30, { min: 1 });

  const endField = field('Ends in (minutes from now)', endsIn, { path: 'endMs', hint: 'The auction closes then. A Dutch clock may run without an end: leave it blank.' });
  const reserveField = moneyField('Reserve price (minor units, hidden; 0: none)', reserve, currency, { path: 'mechanism.reservePriceMinor', hint: 'Below it nothing sells. Shoppers see only whether it is met.' });
  const buyNowField = moneyField('Buy-now price (minor units, blank: none)', buyNow, currency, { path: 'mechanism.buyNowPriceMinor', hint: 'Offered until the first bid, and while the reserve is not met.' });
  const softClose = el('fieldset', { attrs: { 'data-path': 'mechanism.softClose' } }, [
    el('legend', { text: 'Late bids extend the auction (blank: never)' }),
    el('div', { class: 'grid' }, [
      field('A bid this close to the end (seconds)', windowS, { path: 'mechanism.softClose.windowMs' }).wrapper,
      field('…moves the end later by (seconds)', extendS, { path: 'mechanism.softClose.extendMs' }).wrapper,
      field('…at most this many times', maxExtensions, { path: 'mechanism.softClose.maxExtensions' }).wrapper,
    ]),
    el('p', { class: 'field-error', attrs: { role: 'alert', hidden: true } }),
  ]);
  const dutch = el('fieldset', { attrs: { 'data-path': 'mechanism.dutch' } }, [
    el('legend', { text: 'The Dutch clock (it starts at the list price)' }),
    el('div', { class: 'grid' }, [
      moneyField('Floor price (minor units)', floor, currency, { path: 'mechanism.dutch.floorPriceMinor' }).wrapper,
      moneyField('Falls by (minor units)', step, currency, { path: 'mechanism.dutch.stepMinor' }).wrapper,
      field('Every (seconds)', stepEveryS, { path: 'mechanism.dutch.stepIntervalMs' }).wrapper,
    ]),
    el('p', { class: 'field-error', attrs: { role: 'alert', hidden: true } }),
  ]);

  const showKind = (): void => {
    const chosen = kind.value;
    reserveField.wrapper.hidden = chosen === 'dutch';
    buyNowField.wrapper.hidden = chosen !== 'english';
    increments.element.hidden = chosen !== 'english';
    softClose.hidden = chosen === 'dutch';
    dutch.hidden = chosen !== 'dutch';
  };
  kind.addEventListener('change', showKind);
  showKind();

  const element = el('fieldset', { class: 'mechanism-settings', attrs: { 'data-path': 'mechanism' } }, [
    el('legend', { text: 'Auction settings' }),
    el('p', { class: 'hint', text: 'The list price is the opening price. English, Vickrey and Dutch auctions sell one unit (inventory 1); uniform-price auctions sell the inventory.' }),
    el('div', { class: 'grid' }, [field('Kind', kind, { path: 'mechanism.kind' }).wrapper, endField.wrapper, reserveField.wrapper, buyNowField.wrapper]),
    increments.element,
    softClose,
    dutch,
    el('p', { class: 'field-error', attrs: { role: 'alert', hidden: true } }),
  ]);

  return {
    element,
    suggested: { inventory: 1, basePriceMinor: 10_000 },
    read() {
      const chosen = kind.value;
      const mechanism: Record<string, unknown> = { type: 'auction', kind: chosen };
      if (chosen === 'dutch') {
        mechanism.dutch = { floorPriceMinor: numberValue(floor), stepMinor: numberValue(step), stepIntervalMs: durationValue(stepEveryS, SECOND_MS) };
        return mechanism;
      }
      mechanism.reservePriceMinor = numberValue(reserve) ?? 0;
      const window = durationValue(windowS, SECOND_MS);
      const extend = durationValue(extendS, SECOND_MS);
      const most = numberValue(maxExtensions);
      // All three blank: no soft close. Some blank: sent as entered, so the server names the missing one.
      if (window !== undefined || extend !== undefined || most !== undefined) mechanism.softClose = { windowMs: window, extendMs: extend, maxExtensions: most };
      if (chosen === 'english') {
        mechanism.increments = increments.read();
        const price = numberValue(buyNow);
        if (price !== undefined) mechanism.buyNowPriceMinor = price;
      }
      return mechanism;
    },
    offerFields() {
      const endMs = durationValue(endsIn, MINUTE_MS);
      return endMs === undefined ? {} : { endMs: env.clock.now() + endMs };
    },
  };
}
