// A price with its explanation: one line per rule that applied, whose amounts add up to the price
// (docs/pricing.md). What a shopper reads to see why the price is what it is.
import { el, replaceChildren } from './dom.ts';
import { money, signedMoney } from './format.ts';
import type { ExplanationLine } from './wire.ts';

/** Explanation lines as the server sends them; quotes may leave out `ruleIndex` and `detail`. */
export type ExplanationInput = Pick<ExplanationLine, 'rule' | 'deltaMinor'> & Partial<Pick<ExplanationLine, 'detail' | 'label' | 'ruleIndex'>>;

export class PriceBox {
  readonly element: HTMLElement;
  private readonly amount: HTMLElement;
  private readonly caption: HTMLElement;
  private readonly lines: HTMLElement;
  private readonly heading: HTMLElement;

  constructor(title: string) {
    this.amount = el('p', { class: 'price', attrs: { 'data-testid': 'price' } });
    this.caption = el('p', { class: 'hint' });
    this.lines = el('ul', { class: 'explanation', attrs: { 'aria-label': 'How this price is made' } });
    this.heading = el('h3', { text: title });
    this.element = el('section', { class: 'card price-box', attrs: { 'aria-label': title } }, [this.heading, this.amount, this.caption, this.lines]);
  }

  setTitle(title: string): void {
    this.heading.textContent = title;
    this.element.setAttribute('aria-label', title);
  }

  show(priceMinor: number, currency: string, caption: string, explanation: readonly ExplanationInput[] | null): void {
    this.amount.textContent = money(priceMinor, currency);
    this.amount.dataset.priceMinor = String(priceMinor);
    this.caption.textContent = caption;
    if (explanation === null) return;
    replaceChildren(
      this.lines,
      explanation.map((line) =>
        el('li', {}, [
          el('span', { class: 'rule', text: line.label ? `${line.label} (${line.rule})` : line.rule }),
          el('span', { class: 'delta', text: line.rule === 'base' ? money(line.deltaMinor, currency) : signedMoney(line.deltaMinor, currency) }),
          line.detail ? el('span', { class: 'detail', text: line.detail }) : null,
        ]),
      ),
    );
  }
}
