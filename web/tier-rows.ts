// Editable price tiers — groups of at least `minSize` members pay `priceMinor` a unit — as rows of two labelled
// number fields. Each field carries its request path (`mechanism.tiers.1.priceMinor`) for server errors.
import { button, el, field, numberInput, numberValue } from './dom.ts';
import { money } from './format.ts';

export interface Tier {
  minSize: number;
  priceMinor: number;
}

const TIERS_MAX = 32;

export class TierRows {
  readonly element: HTMLElement;
  private readonly rows: HTMLElement;
  private readonly inputs: { minSize: HTMLInputElement; priceMinor: HTMLInputElement }[] = [];

  /** `pathPrefix` is the tiers' path in the request, e.g. `mechanism.tiers` or `tiers`. */
  constructor(
    private readonly pathPrefix: string,
    initial: readonly Tier[],
    private readonly currency: () => string,
  ) {
    this.rows = el('div', { class: 'tier-rows' });
    const add = button('Add a tier', () => this.addRow({ minSize: this.nextSize(), priceMinor: this.lastPrice() }));
    this.element = el('fieldset', { class: 'tiers', attrs: { 'data-path': pathPrefix } }, [
      el('legend', { text: 'Price tiers (the price falls as the group grows)' }),
      this.rows,
      add,
      el('p', { class: 'field-error', attrs: { role: 'alert', hidden: true } }),
    ]);
    for (const tier of initial) this.addRow(tier);
  }

  /** Tiers as entered; a blank field is sent blank (undefined), so the server names it. */
  read(): Partial<Tier>[] {
    return this.inputs.map(({ minSize, priceMinor }) => ({ minSize: numberValue(minSize), priceMinor: numberValue(priceMinor) }));
  }

  private addRow(tier: Tier): void {
    if (this.inputs.length >= TIERS_MAX) return;
    const index = this.inputs.length;
    const minSize = numberInput(tier.minSize, { min: 1 });
    const priceMinor = numberInput(tier.priceMinor, { min: 0 });
    const sizeField = field(`Tier ${index + 1}: from members`, minSize, { path: `${this.pathPrefix}.${index}.minSize` });
    const priceField = field(`Tier ${index + 1}: unit price (minor units)`, priceMinor, { path: `${this.pathPrefix}.${index}.priceMinor`, hint: ' ' });
    const hint = priceField.wrapper.querySelector('.hint')!;
    const showMoney = (): void => {
      const value = numberValue(priceMinor);
      hint.textContent = value === undefined ? '' : `= ${money(value, this.currency())}`;
    };
    priceMinor.addEventListener('input', showMoney);
    showMoney();
    const row = el('div', { class: 'tier-row', attrs: { 'data-path': `${this.pathPrefix}.${index}` } }, [
      sizeField.wrapper,
      priceField.wrapper,
      button(`Remove tier ${index + 1}`, () => this.removeRow(index)),
      el('p', { class: 'field-error', attrs: { role: 'alert', hidden: true } }),
    ]);
    this.inputs.push({ minSize, priceMinor });
    this.rows.append(row);
  }

  private removeRow(index: number): void {
    const tiers = this.read();
    tiers.splice(index, 1);
    this.inputs.length = 0;
    this.rows.replaceChildren();
    // Rebuilt so paths and labels stay numbered in order.
    for (const tier of tiers) this.addRow({ minSize: tier.minSize ?? 0, priceMinor: tier.priceMinor ?? 0 });
  }

  private nextSize(): number {
    const last = this.inputs[this.inputs.length - 1];
    return last ? (numberValue(last.minSize) ?? 1) + 1 : 2;
  }

  private lastPrice(): number {
    const last = this.inputs[this.inputs.length - 1];
    return last ? (numberValue(last.priceMinor) ?? 0) : 0;
  }
}
