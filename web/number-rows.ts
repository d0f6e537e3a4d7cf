// An editable list of rows of labelled number fields — a group-buy's price tiers, an auction's bid increments —
// each field carrying its request path (`mechanism.tiers.1.priceMinor`) so the server's messages land beside it.
// Money columns show the amount in the offer's currency as it is typed.
import { button, el, field, numberInput, numberValue } from './dom.ts';
import { money } from './format.ts';

export interface RowColumn {
  /** The field's name in the request (`minSize`, `priceMinor`). */
  key: string;
  label(index: number): string;
  min: number;
  money?: boolean;
}

export interface RowsOptions {
  legend: string;
  addLabel: string;
  removeLabel(index: number): string;
  /** Values of a row added after `last` (undefined: the first row). */
  nextRow(last: Record<string, number | undefined> | undefined): Record<string, number>;
}

const ROWS_MAX = 32;

export class NumberRows {
  readonly element: HTMLElement;
  private readonly rows: HTMLElement;
  private readonly inputs: Record<string, HTMLInputElement>[] = [];

  /** `pathPrefix` is the rows' path in the request, e.g. `mechanism.tiers` or `tiers`. */
  constructor(
    private readonly pathPrefix: string,
    private readonly columns: readonly RowColumn[],
    initial: readonly Record<string, number>[],
    private readonly currency: () => string,
    private readonly options: RowsOptions,
  ) {
    this.rows = el('div', { class: 'tier-rows' });
    const add = button(options.addLabel, () => this.addRow(options.nextRow(this.read().at(-1))));
    this.element = el('fieldset', { class: 'tiers', attrs: { 'data-path': pathPrefix } }, [
      el('legend', { text: options.legend }),
      this.rows,
      add,
      el('p', { class: 'field-error', attrs: { role: 'alert', hidden: true } }),
    ]);
    for (const row of initial) this.addRow(row);
  }

  /** Rows as entered; a blank field is sent blank (undefined), so the server names it. */
  read(): Record<string, number | undefined>[] {
    return this.inputs.map((inputs) => Object.fromEntries(this.columns.map((column) => [column.key, numberValue(inputs[column.key]!)])));
  }

  private addRow(values: Record<string, number | undefined>): void {
    if (this.inputs.length >= ROWS_MAX) return;
    const index = this.inputs.length;
    const inputs: Record<string, HTMLInputElement> = {};
    const fields = this.columns.map((column) => {
      const input = numberInput(values[column.key] ?? null, { min: column.min });
      inputs[column.key] = input;
      const parts = field(column.label(index), input, { path: `${this.pathPrefix}.${index}.${column.key}`, ...(column.money ? { hint: ' ' } : {}) });
      if (column.money) {
        const hint = parts.wrapper.querySelector('.hint')!;
        const showMoney = (): void => {
          const value = numberValue(input);
          hint.textContent = value === undefined ? '' : `= ${money(value, this.currency())}`;
        };
        input.addEventListener('input', showMoney);
        showMoney();
      }
      return parts.wrapper;
    });
    const row = el('div', { class: 'tier-row', attrs: { 'data-path': `${this.pathPrefix}.${index}` } }, [
      ...fields,
      button(this.options.removeLabel(index), () => this.removeRow(index)),
      el('p', { class: 'field-error', attrs: { role: 'alert', hidden: true } }),
    ]);
    this.inputs.push(inputs);
    this.rows.append(row);
  }

  private removeRow(index: number): void {
    const rows = this.read();
    rows.splice(index, 1);
    this.inputs.length = 0;
    this.rows.replaceChildren();
    // Rebuilt so paths and labels stay numbered in order.
    for (const row of rows) this.addRow(row);
  }
}
