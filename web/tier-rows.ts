// Editable price tiers — groups of at least `minSize` members pay `priceMinor` a unit — as rows of two labelled
// number fields, each carrying its request path (`mechanism.tiers.1.priceMinor`) for server errors.
import { NumberRows } from './number-rows.ts';

export interface Tier {
  minSize: number;
  priceMinor: number;
}

export class TierRows {
  private readonly rows: NumberRows;

  /** `pathPrefix` is the tiers' path in the request, e.g. `mechanism.tiers` or `tiers`. */
  constructor(pathPrefix: string, initial: readonly Tier[], currency: () => string) {
    this.rows = new NumberRows(
      pathPrefix,
      [
        { key: 'minSize', label: (i) => `Tier ${i + 1}: from members`, min: 1 },
        { key: 'priceMinor', label: (i) => `Tier ${i + 1}: unit price (minor units)`, min: 0, money: true },
      ],
      initial.map((tier) => ({ ...tier })),
      currency,
      {
        legend: 'Price tiers (the price falls as the group grows)',
        addLabel: 'Add a tier',
        removeLabel: (i) => `Remove tier ${i + 1}`,
        nextRow: (last) => ({ minSize: last ? (last.minSize ?? 1) + 1 : 2, priceMinor: last?.priceMinor ?? 0 }),
      },
    );
  }

  get element(): HTMLElement {
    return this.rows.element;
  }

  /** Tiers as entered; a blank field is sent blank (undefined), so the server names it. */
  read(): Partial<Tier>[] {
    return this.rows.read();
  }
}
