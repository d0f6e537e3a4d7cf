// Charts with uPlot: one series over time, drawn as steps (a value holds until it changes). Used for an offer's
// live price, a rule set's preview curve and a simulation's series. Prices are given in minor units with their
// currency and drawn in major units; counts (units held, live groups) have no currency. Bounded: a live chart
// keeps its latest points only.
import uPlot from 'uplot';
import { el } from './dom.ts';
import { majorUnits, money } from './format.ts';

/** A value at a time: a price in minor units (charts with a currency) or a count. */
export interface ChartPoint {
  atMs: number;
  value: number;
}

const LIVE_POINTS_MAX = 500;
const HEIGHT_PX = 220;

export class TimeChart {
  readonly element: HTMLElement;
  private readonly plot: uPlot;
  private readonly resize: ResizeObserver;
  private times: number[] = [];
  private prices: number[] = [];
  private untilS: number | null = null;

  /** `currency` null: the values are counts, shown as they are. */
  constructor(
    label: string,
    private readonly currency: string | null,
  ) {
    this.element = el('div', { class: 'chart', attrs: { role: 'img', 'aria-label': `${label} chart` } });
    const opts: uPlot.Options = {
      width: 600,
      height: HEIGHT_PX,
      // One point alone would span years: give it a minute either side.
      scales: { x: { time: true, range: (_plot, min, max) => (min === max ? [min - 60, max + 60] : [min, max]) } },
      series: [
        {},
        {
          label,
          stroke: '#c2410c',
          width: 2,
          fill: 'rgba(194, 65, 12, 0.08)',
          paths: uPlot.paths.stepped!({ align: 1 }),
          value: (_plot, value) => (value === null ? '—' : currency === null ? String(value) : money(Math.round(value / majorUnits(1, currency)), currency)),
        },
      ],
      axes: [{}, { size: 64 }],
      legend: { live: true },
    };
    this.plot = new uPlot(opts, [[], []], this.element);
    this.resize = new ResizeObserver(() => {
      const width = Math.max(240, Math.floor(this.element.clientWidth));
      if (width !== this.plot.width) this.plot.setSize({ width, height: HEIGHT_PX });
    });
    this.resize.observe(this.element);
  }

  /** Replaces the history; points added live that are newer than its last one are kept (they raced the read). */
  setPoints(points: readonly ChartPoint[]): void {
    const lastS = points.length > 0 ? points[points.length - 1]!.atMs / 1_000 : Number.NEGATIVE_INFINITY;
    const newer = this.times.flatMap((atS, index) => (atS > lastS ? [{ atS, value: this.prices[index]! }] : []));
    const kept = points.slice(-LIVE_POINTS_MAX);
    this.times = [...kept.map((point) => point.atMs / 1_000), ...newer.map((point) => point.atS)].slice(-LIVE_POINTS_MAX);
    this.prices = [...kept.map((point) => this.scaled(point.value)), ...newer.map((point) => point.value)].slice(-LIVE_POINTS_MAX);
    this.redraw();
  }

  /** Appends a point; a point at the same time as the last replaces it (the latest price at that instant wins). */
  add(point: ChartPoint): void {
    const atS = point.atMs / 1_000;
    const value = this.scaled(point.value);
    if (this.times.length > 0 && this.times[this.times.length - 1] === atS) {
      this.prices[this.prices.length - 1] = value;
    } else {
      this.times.push(atS);
      this.prices.push(value);
    }
    if (this.times.length > LIVE_POINTS_MAX) {
      this.times.shift();
      this.prices.shift();
    }
    this.redraw();
  }

  /** Draws the last price on until `atMs` (a price holds until it changes, so a live chart reaches "now"). */
  extendTo(atMs: number): void {
    this.untilS = atMs / 1_000;
    this.redraw();
  }

  private scaled(value: number): number {
    return this.currency === null ? value : majorUnits(value, this.currency);
  }

  destroy(): void {
    this.resize.disconnect();
    this.plot.destroy();
  }

  private redraw(): void {
    const times = [...this.times];
    const prices = [...this.prices];
    const lastS = times[times.length - 1];
    if (this.untilS !== null && lastS !== undefined && this.untilS > lastS) {
      times.push(this.untilS);
      prices.push(prices[prices.length - 1]!);
    }
    this.plot.setData([times, prices]);
  }
}
