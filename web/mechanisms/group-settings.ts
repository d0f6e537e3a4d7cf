// The group-buy settings of a new offer (docs/engine.md, `create_offer` with `mechanism.type = "group"`): sizes,
// the group window, tiers and discounts. Each field carries its path so the server's messages land beside it.
import { el, field, newId, numberInput, numberValue } from '../dom.ts';
import { TierRows } from '../tier-rows.ts';
import type { SettingsFields } from './index.ts';

export function groupSettingsFields(currency: () => string): SettingsFields {
  const minSize = numberInput(3, { min: 2 });
  const maxSize = numberInput(5, { min: 2 });
  const windowMinutes = numberInput(15, { min: 1 });
  const leaderDiscountBps = numberInput(1_000, { min: 0, max: 10_000 });
  const autoFillMaxSeats = numberInput(0, { min: 0 });
  const newcomerOnly = el('input', { attrs: { type: 'checkbox' } });
  const matchOpensGroup = el('input', { attrs: { type: 'checkbox', checked: true } });
  const tiers = new TierRows(
    'mechanism.tiers',
    [
      { minSize: 3, priceMinor: 6_600 },
      { minSize: 5, priceMinor: 5_900 },
    ],
    currency,
  );
  const element = el('fieldset', { class: 'mechanism-settings', attrs: { 'data-path': 'mechanism' } }, [
    el('legend', { text: 'Group-buy settings' }),
    el('div', { class: 'grid' }, [
      field('Members to form a group (minSize)', minSize, { path: 'mechanism.minSize' }).wrapper,
      field('Most members (maxSize, blank: no cap)', maxSize, { path: 'mechanism.maxSize' }).wrapper,
      field('Group window (minutes)', windowMinutes, { path: 'mechanism.windowMs', hint: 'How long a group has to form.' }).wrapper,
      field('Leader discount (basis points)', leaderDiscountBps, { path: 'mechanism.leaderDiscountBps', hint: '1000 = 10 % off for whoever opens the group.' }).wrapper,
      field('Seats the platform may fill at the deadline', autoFillMaxSeats, { path: 'mechanism.autoFillMaxSeats' }).wrapper,
    ]),
    tiers.element,
    checkboxField('Only newcomers may join (老带新)', newcomerOnly, 'mechanism.newcomerOnly'),
    checkboxField('"Match me" may open a new group', matchOpensGroup, 'mechanism.matchOpensGroup'),
    el('p', { class: 'field-error', attrs: { role: 'alert', hidden: true } }),
  ]);
  return {
    element,
    suggested: { inventory: 100, basePriceMinor: 8_800 },
    read() {
      const minutes = numberValue(windowMinutes);
      const max = numberValue(maxSize);
      return {
        type: 'group',
        minSize: numberValue(minSize),
        ...(max === undefined ? {} : { maxSize: max }),
        windowMs: minutes === undefined ? undefined : Math.round(minutes * 60_000),
        tiers: tiers.read(),
        leaderDiscountBps: numberValue(leaderDiscountBps) ?? 0,
        newcomerOnly: newcomerOnly.checked,
        autoFillMaxSeats: numberValue(autoFillMaxSeats) ?? 0,
        matchOpensGroup: matchOpensGroup.checked,
      };
    },
  };
}

function checkboxField(label: string, input: HTMLInputElement, path: string): HTMLElement {
  input.id ||= newId('cb');
  return el('div', { class: 'field checkbox', attrs: { 'data-path': path } }, [
    input,
    el('label', { text: label, attrs: { for: input.id } }),
    el('p', { class: 'field-error', attrs: { role: 'alert', hidden: true } }),
  ]);
}
