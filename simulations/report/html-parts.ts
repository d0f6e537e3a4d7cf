// Small pieces the HTML report's sections share: number formats, histograms from distributions, tables, cards.
import type { DistributionSummary } from '../metrics/value-distribution.ts';
import { barChart, compactNumber, escapeHtml } from './svg-charts.ts';

export function fmt(value: number): string {
  return Number.isInteger(value) ? value.toLocaleString('en-US') : value.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

export function pct(ratio: number): string {
  return `${(ratio * 100).toFixed(1)} %`;
}

/** A histogram of a distribution, its values divided by `divisor` (ms → minutes, say). */
export function histogram(title: string, d: DistributionSummary, xLabel: string, divisor: number): string {
  const bins = d.bins.map(([lo, hi, count]) => [lo / divisor, hi / divisor, count] as [number, number, number]);
  const note = d.count > 0 ? ` — n=${fmt(d.count)}, p50 ${compactNumber(d.p50 / divisor)}, p99 ${compactNumber(d.p99 / divisor)}` : '';
  return barChart(`${title}${note}`, bins, { label: xLabel });
}

/** A table: a header row and rows of cells (already formatted; escaped here). */
export function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const th = head.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const trs = rows.map((row) => `<tr>${row.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`).join('');
  return `<table><tr>${th}</tr>${trs}</table>`;
}
