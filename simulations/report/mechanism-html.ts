// The HTML report's parts for auctions and reservation queues: key figures (cards), charts (each auction's price
// over time with its bids as dots; queue length, unit utilization and deposits over time; waits and rental times)
// and tables (each auction's outcome; waits by priority class). Same rules as html.ts: inline SVG, no script.
import { formatDuration } from '../durations.ts';
import type { RunMetrics } from '../metrics/collector.ts';
import type { SeriesPoint } from '../metrics/time-series.ts';
import { fmt, histogram, pct, table } from './html-parts.ts';
import { durationUnit, lineChart, type Axis, type LineSeries } from './svg-charts.ts';

/** How a variant's simulated times map onto its charts' x axis. */
export interface TimeAxis {
  xAxis: Axis;
  xEnd: number;
  toX(atMs: number): number;
  shift(points: readonly SeriesPoint[]): [number, number][];
}

export interface MechanismPart {
  cards: [string, string][];
  charts: string[];
  tables: string;
}

export function auctionPart(m: RunMetrics, t: TimeAxis): MechanismPart | null {
  const a = m.auctions;
  if (!a) return null;
  const currency = m.money.currency;
  const cards: [string, string][] = [
    ['auctions sold / closed / all', `${fmt(a.soldCount)} / ${fmt(a.closedCount)} / ${fmt(a.auctionCount)}`],
    ['auction revenue (minor units)', fmt(a.revenueMinor)],
    ['clearing price p50', a.clearingPriceMinor.count > 0 ? fmt(a.clearingPriceMinor.p50) : '—'],
    ['accepted bids', fmt(a.bidCount)],
    ['soft-close extensions', fmt(a.extensionCount)],
    ['efficient allocations', pct(a.efficientRatio)],
    ['value captured', pct(a.valueCapturedRatio)],
    ['winner surplus (total)', fmt(a.totalWinnerSurplusMinor)],
    ['wins by strategy', Object.entries(a.winsByStrategy).map(([s, n]) => `${s} ${n}`).join(', ') || '—'],
  ];
  const charts = a.offers.map((offer) => {
    const series: LineSeries[] = [
      { name: 'price', points: t.shift(m.series.priceMinor[offer.offerId] ?? []), step: true },
      { name: 'bids (maxima / sealed prices)', points: t.shift(offer.bidPoints), dots: true },
    ];
    const title = `Auction ${offer.offerId} (${offer.kind}): price over time, bids as dots`;
    return lineChart(title, series, t.xAxis, { label: `minor units, ${currency}` }, { xEnd: t.xEnd, yFromZero: false });
  });
  charts.push(histogram('Winner surplus (value − price paid)', a.winnerSurplusMinor, `minor units, ${currency}`, 1));
  const rows = a.offers.map((o) => {
    const winner = o.winners[0];
    const winners = o.winners.length === 0 ? '—' : o.winners.length === 1 && winner ? `${winner.shopperId} (${winner.strategy ?? '?'})` : `${o.winners.length} winners`;
    return [
      o.offerId,
      o.kind,
      o.reason ?? 'open',
      o.clearingPriceMinor === null ? '—' : fmt(o.clearingPriceMinor),
      `${fmt(o.soldUnits)} / ${fmt(o.units)}`,
      `${fmt(o.participantCount)} / ${fmt(o.bidderCount)}`,
      fmt(o.bidCount),
      fmt(o.extensionCount),
      o.highestValueMinor === null ? '—' : fmt(o.highestValueMinor),
      winners,
      o.winners.length === 0 ? '—' : fmt(o.winners.reduce((sum, w) => sum + (w.surplusMinor ?? 0), 0)),
      o.efficient === null ? '—' : o.efficient ? 'yes' : 'no',
    ];
  });
  const head = ['auction', 'kind', 'closed by', 'clearing price', 'units sold', 'arrived / bid', 'bids', 'extensions', 'highest value', 'won by', 'surplus', 'efficient'];
  return { cards, charts, tables: `<h3>Auctions</h3>${table(head, rows)}` };
}

export function queuePart(m: RunMetrics, t: TimeAxis): MechanismPart | null {
  const q = m.queues;
  if (!q) return null;
  const w = q.waitMs;
  const cards: [string, string][] = [
    ['joined (served at once)', `${fmt(q.joinedCount)} (${fmt(q.servedAtOnceCount)})`],
    ['wait p50 / p90 / p99', `${formatDuration(w.p50)} / ${formatDuration(w.p90)} / ${formatDuration(w.p99)}`],
    ['abandoned the line', `${fmt(q.abandonedCount)} (${pct(q.abandonmentRatio)})`],
    ['holds expired / declined', `${pct(q.holdExpiryRatio)} / ${pct(q.holdDeclineRatio)}`],
    ['utilization (held or rented)', pct(q.utilizationRatio)],
    ['utilization (rented)', pct(q.rentedUtilizationRatio)],
    ['peak waiting', fmt(q.peakWaitingCount)],
    ['rental revenue (minor units)', fmt(q.revenueMinor)],
    ['deposits held / waived', `${fmt(q.deposits.heldCount)} / ${fmt(q.deposits.waivedCount)}`],
    ['deposits held at end (minor units)', fmt(q.deposits.heldAtEndMinor)],
  ];
  const offers = q.offers;
  const charts: string[] = [];
  const queueLength = m.series.queueLength ?? {};
  const busyUnits = m.series.busyUnits ?? {};
  charts.push(lineChart('Queue length over time (waiting renters)', offers.map((o) => ({ name: o.offerId, points: t.shift(queueLength[o.offerId] ?? []), step: true })), t.xAxis, { label: 'waiting' }, { xEnd: t.xEnd }));
  const utilization = offers.map((o) => ({ name: o.offerId, points: t.shift(busyUnits[o.offerId] ?? []).map(([x, busy]) => [x, busy / Math.max(1, o.units)] as [number, number]), step: true }));
  charts.push(lineChart('Unit utilization over time (held or rented / units)', utilization, t.xAxis, { label: 'share of units busy' }, { xEnd: t.xEnd }));
  charts.push(lineChart('Deposits held over time', [{ name: 'deposits held', points: t.shift(m.series.depositsHeldMinor ?? []), step: true }], t.xAxis, { label: `minor units, ${m.money.currency}` }, { xEnd: t.xEnd }));
  const waitUnit = durationUnit(w.max);
  charts.push(histogram('Queue wait (join → unit held)', w, waitUnit.name, waitUnit.divisor));
  const rentalUnit = durationUnit(q.rentalDurationMs.max);
  charts.push(histogram('Rental duration', q.rentalDurationMs, rentalUnit.name, rentalUnit.divisor));
  const rows = Object.entries(q.waitByPriorityClassMs).map(([cls, d]) => [cls, fmt(d.count), formatDuration(d.p50), formatDuration(d.p90), formatDuration(d.p99), formatDuration(d.max)]);
  return { cards, charts, tables: `<h3>Wait by priority class (0 the highest)</h3>${table(['class', 'served', 'p50', 'p90', 'p99', 'max'], rows)}` };
}
