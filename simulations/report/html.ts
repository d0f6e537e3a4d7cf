// The HTML report: the JSON report's figures as tables and inline SVG charts in one file with no script, no
// stylesheet link and no network access, so it opens from disk (file://) in any browser and can be mailed around.
import type { FillCurve } from '../metrics/group-metrics.ts';
import type { SeriesPoint } from '../metrics/time-series.ts';
import { formatDuration } from '../durations.ts';
import { fmt, histogram, pct } from './html-parts.ts';
import { auctionPart, queuePart } from './mechanism-html.ts';
import type { SimulationReport, VariantReport } from './report.ts';
import { durationUnit, escapeHtml, lineChart, type LineSeries } from './svg-charts.ts';

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:1500px;padding:0 16px;color:#111827}
h1{font-size:22px;margin:0 0 4px} h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #e5e7eb;padding-bottom:4px} h3{font-size:15px;margin:16px 0 6px}
.meta{color:#4b5563} code{background:#f3f4f6;padding:1px 4px;border-radius:3px;font-size:12.5px}
table{border-collapse:collapse;margin:6px 0 12px} td,th{border:1px solid #e5e7eb;padding:3px 8px;text-align:right} th{background:#f9fafb} td:first-child,th:first-child{text-align:left}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(190px,1fr));gap:8px;margin:8px 0}
.card{border:1px solid #e5e7eb;border-radius:6px;padding:6px 10px} .card b{display:block;font-size:17px} .card span{color:#6b7280;font-size:12px}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(720px,1fr));gap:10px}
svg{max-width:100%;height:auto;background:#fff;border:1px solid #f3f4f6;border-radius:4px}
.chart-title{font-weight:600;font-size:13px;fill:#111827} .tick{font-size:11px;fill:#4b5563} .label{font-size:11.5px;fill:#374151}
.legend{font-size:10.5px;fill:#374151} .grid{stroke:#f1f5f9} .axis{stroke:#9ca3af}
`;

export function renderHtml(report: SimulationReport): string {
  const title = `${report.scenario.name} — ${report.mode} simulation`;
  const reproduce = ['npm run sim --', report.scenario.source, `--mode ${report.mode}`, `--seed ${report.seed}`, ...report.overrides.map((o) => `--set '${o}'`)].join(' ');
  return [
    '<!doctype html><html lang="en"><head><meta charset="utf-8">',
    `<title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>`,
    `<h1>${escapeHtml(title)}</h1>`,
    report.scenario.description ? `<p>${escapeHtml(report.scenario.description)}</p>` : '',
    `<p class="meta">seed <code>${report.seed}</code> · scenario fingerprint <code>${report.scenario.fingerprint}</code> · mechanism <code>${escapeHtml(report.scenario.mechanism)}</code> · format <code>${report.format}</code><br>`,
    `run it again: <code>${escapeHtml(reproduce)}</code></p>`,
    report.comparison ? comparisonTable(report) : '',
    ...report.variants.map((variant) => variantSection(variant, report.variants.length > 1)),
    '</body></html>\n',
  ].join('\n');
}

function comparisonTable(report: SimulationReport): string {
  const names = report.variants.map((v) => v.name);
  const head = `<tr><th>metric</th>${names.map((n) => `<th>${escapeHtml(n)}</th>`).join('')}${names.slice(1).map((n) => `<th>${escapeHtml(n)} vs ${escapeHtml(names[0]!)}</th>`).join('')}</tr>`;
  const rows = report.comparison!.map((row) => {
    const values = names.map((n) => `<td>${fmt(row.values[n] ?? 0)}</td>`).join('');
    const changes = names.slice(1).map((n) => {
      const change = row.changeRatio[n];
      return `<td>${change === null || change === undefined ? '—' : `${change >= 0 ? '+' : ''}${(change * 100).toFixed(1)} %`}</td>`;
    }).join('');
    return `<tr><td><code>${escapeHtml(row.metric)}</code></td>${values}${changes}</tr>`;
  });
  return `<h2>Comparison</h2><table>${head}${rows.join('')}</table>`;
}

function variantSection(variant: VariantReport, titled: boolean): string {
  const m = variant.metrics;
  const t = variant.timeline;
  const unit = durationUnit(t.simulatedMs);
  const toX = (atMs: number) => (atMs - t.startMs) / unit.divisor;
  const xAxis = { label: `simulated ${unit.name} since start` };
  const xEnd = toX(t.endedAtMs);
  const shift = (points: readonly SeriesPoint[]) => points.map(([at, v]) => [toX(at), v] as [number, number]);

  const timeAxis = { xAxis, xEnd, toX, shift };
  const mechanism = auctionPart(m, timeAxis) ?? queuePart(m, timeAxis);
  const charts: string[] = [];
  // Auctions draw their price per auction, with the bids (mechanism-html.ts).
  if (!m.auctions) {
    const priceSeries: LineSeries[] = Object.entries(m.series.priceMinor).map(([offerId, points]) => ({ name: offerId, points: shift(points), step: true }));
    charts.push(lineChart(m.queues ? 'Rental price over time' : 'Headline price over time', priceSeries, xAxis, { label: `price (minor units, ${m.money.currency})` }, { xEnd, yFromZero: false }));
    charts.push(lineChart('Units held and sold', [
      { name: m.queues ? 'held or rented' : 'held (in live groups)', points: shift(m.series.heldUnits), step: true },
      { name: m.queues ? 'sold (rentals)' : 'sold', points: shift(m.series.soldUnits), step: true },
    ], xAxis, { label: 'units' }, { xEnd }));
  }
  if (mechanism) charts.push(...mechanism.charts);
  if (m.groups) {
    charts.push(lineChart('Live groups', [{ name: 'live groups', points: shift(m.series.liveGroups), step: true }], xAxis, { label: 'groups' }, { xEnd }));
    charts.push(fillCurveChart(m.groups.fillCurves));
    const formUnit = durationUnit(m.groups.timeToFormMs.max);
    charts.push(histogram('Time to form (reaching the minimum size)', m.groups.timeToFormMs, `${formUnit.name} after opening`, formUnit.divisor));
    charts.push(histogram('Final group size', m.groups.finalSize, 'members', 1));
  }
  for (const [name, points] of Object.entries(m.series)) {
    if (['priceMinor', 'heldUnits', 'soldUnits', 'liveGroups', 'depositsHeldMinor'].includes(name) || !Array.isArray(points)) continue;
    charts.push(lineChart(name, [{ name, points: shift(points as SeriesPoint[]), step: true }], xAxis, { label: name }, { xEnd }));
  }
  charts.push(histogram('Unit price paid', m.money.pricePaidMinor, `price (minor units, ${m.money.currency})`, 1));
  if (variant.latency) {
    charts.push(histogram('Ack latency (command → answer)', variant.latency.ackMs, 'ms (real time)', 1));
    charts.push(histogram('Delivery latency (command → delta at a watcher)', variant.latency.deliveryMs, 'ms (real time)', 1));
  }

  const cards: [string, string][] = [
    ['revenue (minor units)', fmt(m.money.revenueMinor)],
    ['units sold', fmt(m.money.soldUnits)],
    ['average unit price', fmt(m.money.averageUnitPriceMinor)],
    ['shoppers (arrived + invited)', `${fmt(m.shoppers.arrivedCount)} + ${fmt(m.shoppers.invitedArrivedCount)}`],
    ['bought', pct(m.shoppers.purchaseRatio)],
    ['walked away (price)', fmt(m.shoppers.walkedAwayCount)],
  ];
  if (m.groups && m.matching) {
    cards.push(['groups opened', fmt(m.groups.openedCount)], ['formation', pct(m.groups.formationRatio)], ['failure', pct(m.groups.failureRatio)]);
    cards.push(['time to form p50 / p90', `${formatDuration(m.groups.timeToFormMs.p50)} / ${formatDuration(m.groups.timeToFormMs.p90)}`]);
    cards.push(['matching seated', pct(m.matching.seatedRatio)], ['matched seats completed', pct(m.matching.completedRatio)]);
  }
  if (mechanism) cards.push(...mechanism.cards);
  if (variant.latency) {
    const a = variant.latency.ackMs;
    const d = variant.latency.deliveryMs;
    cards.push(['ack p50 / p99 / p99.9 (ms)', `${a.p50} / ${a.p99} / ${a.p999}`], ['delivery p50 / p99 / p99.9 (ms)', `${d.p50} / ${d.p99} / ${d.p999}`]);
  }
  cards.push(['simulated time', formatDuration(t.simulatedMs)], ['ended by', t.endedBy]);
  if (variant.engine) cards.push(['engine state hash', variant.engine.stateHash], ['invariant violations', String(variant.engine.invariantViolations.length)]);
  if (variant.live) cards.push(['wall time', formatDuration(variant.live.wallMs)], ['connections (peak)', fmt(variant.live.peakConnections)]);

  const commands = Object.entries(m.commands).map(([type, c]) => `<tr><td>${escapeHtml(type)}</td><td>${fmt(c.sentCount)}</td><td>${fmt(c.acceptedCount)}</td><td>${fmt(c.refusedCount)}</td></tr>`);
  const errors = Object.entries(m.errorsByCode).map(([code, count]) => `<tr><td><code>${escapeHtml(code)}</code></td><td>${fmt(count)}</td></tr>`);
  return [
    titled ? `<h2>Variant ${escapeHtml(variant.name)}</h2>` : '<h2>Results</h2>',
    variant.description ? `<p>${escapeHtml(variant.description)}</p>` : '',
    `<div class="cards">${cards.map(([label, value]) => `<div class="card"><span>${escapeHtml(label)}</span><b>${escapeHtml(value)}</b></div>`).join('')}</div>`,
    `<div class="charts">${charts.join('\n')}</div>`,
    ...(mechanism ? [mechanism.tables] : []),
    '<h3>Commands</h3><table><tr><th>command</th><th>sent</th><th>accepted</th><th>refused</th></tr>' + commands.join('') + '</table>',
    errors.length > 0 ? '<h3>Refusals and errors by code</h3><table><tr><th>code</th><th>count</th></tr>' + errors.join('') + '</table>' : '<p>No refusals or errors.</p>',
    variant.live && variant.live.warnings.length > 0 ? `<h3>Warnings</h3><ul>${variant.live.warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join('')}</ul>` : '',
  ].join('\n');
}

function fillCurveChart(curves: readonly FillCurve[]): string {
  const unit = durationUnit(Math.max(0, ...curves.flatMap((c) => c.points.map((p) => p[0]))));
  const series: LineSeries[] = curves.map((c) => ({ name: `${c.groupId} (${c.outcome})`, points: c.points.map(([dt, size]) => [dt / unit.divisor, size] as [number, number]), step: true, dashed: c.outcome === 'failed' }));
  const minSize = curves[0]?.minSize;
  const title = `Group fill curves: the first ${curves.length} groups${minSize ? ` (forms at ${minSize}; failed dashed)` : ''}`;
  return lineChart(title, series, { label: `${unit.name} since the group opened` }, { label: 'members' }, { legend: false });
}

