// Edits a live offer (PATCH /v1/offers/{id}): title, inventory, list price, per-shopper limit and, for group-buys
// priced by their tiers, the tiers and leader discount. Only the fields changed are sent, so an edit never restates
// (and re-checks) what the merchant did not touch — "changed" means changed from what the form showed, so a value
// someone else changed meanwhile is not written back. Refusals land next to their fields.
import { el, field, numberInput, numberValue, showStatus, statusLine, textInput } from './dom.ts';
import { clearProblems, placeProblems, problemsOf } from './field-errors.ts';
import { money } from './format.ts';
import { callApi, RetryKeys } from './http-api.ts';
import { TierRows } from './tier-rows.ts';
import type { OfferView } from './wire.ts';

export function offerEditForm(initial: OfferView, apiKey: string): HTMLElement {
  const keys = new RetryKeys();
  const title = textInput(initial.title);
  const inventory = numberInput(initial.inventory, { min: 0 });
  const basePrice = numberInput(initial.basePriceMinor, { min: 0 });
  const perShopperLimit = numberInput(initial.perShopperLimit, { min: 1, placeholder: 'no limit' });
  const group = initial.mechanism.type === 'group' ? initial.mechanism : null;
  const tiers = group ? new TierRows('tiers', group.tiers, () => initial.currency) : null;
  const leaderDiscount = numberInput(group?.leaderDiscountBps ?? 0, { min: 0, max: 10_000 });
  const summary = el('div', { class: 'form-problems', attrs: { role: 'alert' } });
  const status = statusLine();
  status.dataset.testid = 'edit-status';
  const baseField = field('List price (minor units)', basePrice, { path: 'basePriceMinor', hint: money(initial.basePriceMinor, initial.currency) });
  basePrice.addEventListener('input', () => {
    const value = numberValue(basePrice);
    baseField.wrapper.querySelector('.hint')!.textContent = value === undefined ? '' : `= ${money(value, initial.currency)}`;
  });

  const form = el('form', { class: 'card', attrs: { novalidate: true, 'aria-label': 'Edit the offer' } }, [
    el('h2', { text: 'Edit the offer' }),
    el('p', { class: 'hint', text: 'Changes apply now; members already in a group never pay more than their quote. Tiers and the leader discount price the offer only while no merchant rule set does.' }),
    el('div', { class: 'grid' }, [
      field('Title', title, { path: 'title' }).wrapper,
      field('Inventory (units)', inventory, { path: 'inventory' }).wrapper,
      baseField.wrapper,
      field('Most units per shopper (blank: no limit)', perShopperLimit, { path: 'perShopperLimit' }).wrapper,
      group ? field('Leader discount (basis points)', leaderDiscount, { path: 'leaderDiscountBps' }).wrapper : null,
    ]),
    tiers?.element ?? null,
    summary,
    status,
    el('div', { class: 'actions' }, [el('button', { text: 'Save changes', class: 'btn primary', attrs: { type: 'submit' } })]),
  ]);

  let shown = initial;
  const changes = (): Record<string, unknown> => {
    const offer = shown;
    const patch: Record<string, unknown> = {};
    if (title.value !== offer.title) patch.title = title.value;
    if (numberValue(inventory) !== offer.inventory) patch.inventory = numberValue(inventory);
    if (numberValue(basePrice) !== offer.basePriceMinor) patch.basePriceMinor = numberValue(basePrice);
    const limit = numberValue(perShopperLimit) ?? null;
    if (limit !== offer.perShopperLimit) patch.perShopperLimit = limit;
    if (tiers && offer.mechanism.type === 'group') {
      const entered = tiers.read();
      if (JSON.stringify(entered) !== JSON.stringify(offer.mechanism.tiers)) patch.tiers = entered;
      if (numberValue(leaderDiscount) !== offer.mechanism.leaderDiscountBps) patch.leaderDiscountBps = numberValue(leaderDiscount);
    }
    return patch;
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void (async () => {
      clearProblems(form);
      const patch = changes();
      if (Object.keys(patch).length === 0) return showStatus(status, 'info', 'Nothing changed.');
      const action = JSON.stringify(patch);
      const key = keys.key(action);
      showStatus(status, 'info', 'Saving…');
      const answer = await callApi<{ offer: OfferView }>('PATCH', `/v1/offers/${encodeURIComponent(initial.offerId)}`, { apiKey, body: patch, idempotencyKey: key });
      keys.settle(action, key, answer.ok ? null : answer.failure.code);
      if (!answer.ok) {
        showStatus(status, 'error', `Not saved: ${answer.failure.message} (${answer.failure.code})`);
        placeProblems(form, problemsOf(answer.failure), summary);
        return;
      }
      shown = answer.value.offer;
      showStatus(status, 'ok', `Saved: ${Object.keys(patch).join(', ')}. Price now ${money(answer.value.offer.priceMinor, answer.value.offer.currency)}.`);
    })();
  });
  return form;
}
