// Charts as inline SVG strings, so the HTML report is one self-contained file that opens from disk with no
// server, no script and no network. Two kinds are enough: lines (optionally stepped, for prices that hold until
// they change, or dots for single events such as bids) and bars (histograms). Axes get "nice" ticks (1, 2 or 5 × 10^k).
export interface LineSeries {
  name: string;
  points: readonly (readonly [number, number])[];
  /** Hold each value until the next point (prices, counts) instead of drawing a slope. */
  step?: boolean;
  dashed?: boolean;
  /** Draw each point as a dot, unjoined (individual events such as bids). */
  dots?: boolean;
}

export interface Axis {
  label: string;
  format?: (value: number) => string;
}

const WIDTH = 720;
const HEIGHT = 280;
const MARGIN = { left: 70, right: 16, top: 30, bottom: 44 };
export const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777', '#4b5563', '#65a30d'];

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Tick values covering [lo, hi] at a step of 1, 2 or 5 × 10^k, about `count` of them. */
export function niceTicks(lo: number, hi: number, count = 6): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

export function compactNumber(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1e9) return `${trim(value / 1e9, 2)}G`;
  if (abs >= 1e6) return `${trim(value / 1e6, 2)}M`;
  return trim(value, 3);
}

function trim(value: number, decimals: number): string {
  return Number(value.toFixed(decimals)).toLocaleString('en-US', { maximumFractionDigits: decimals });
}

/** Tick labels with as many decimals as the tick step needs (0.25 steps show 0.25, 1000 steps show 1,000). */
function tickFormat(ticks: readonly number[]): (value: number) => string {
  const step = ticks.length > 1 ? Math.abs(ticks[1]! - ticks[0]!) : 1;
  const decimals = Math.min(6, Math.max(0, -Math.floor(Math.log10(step || 1))));
  return (value) => (Math.abs(value) >= 1e6 ? compactNumber(value) : value.toLocaleString('en-US', { minimumFractionDigits: 0, maximumFractionDigits: decimals }));
}

/** A unit for durations up to `maxMs`: the largest in which it is at least 2. */
export function durationUnit(maxMs: number): { divisor: number; name: string } {
  if (maxMs >= 2 * 86_400_000) return { divisor: 86_400_000, name: 'days' };
  if (maxMs >= 2 * 3_600_000) return { divisor: 3_600_000, name: 'hours' };
  if (maxMs >= 2 * 60_000) return { divisor: 60_000, name: 'minutes' };
  if (maxMs >= 2 * 1_000) return { divisor: 1_000, name: 'seconds' };
  return { divisor: 1, name: 'ms' };
}

interface Frame {
  x: (v: number) => number;
  y: (v: number) => number;
  svg: string[];
}

function frame(title: string, xLo: number, xHi: number, yLo: number, yHi: number, xAxis: Axis, yAxis: Axis): Frame {
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const xSpan = xHi - xLo || 1;
  const ySpan = yHi - yLo || 1;
  const x = (v: number) => MARGIN.left + ((v - xLo) / xSpan) * plotW;
  const y = (v: number) => MARGIN.top + plotH - ((v - yLo) / ySpan) * plotH;
  const yTicks = niceTicks(yLo, yHi);
  const xTicks = niceTicks(xLo, xHi);
  const fx = xAxis.format ?? tickFormat(xTicks);
  const fy = yAxis.format ?? tickFormat(yTicks);
  const svg = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="${escapeHtml(title)}">`,
    `<text x="${MARGIN.left}" y="18" class="chart-title">${escapeHtml(title)}</text>`,
  ];
  for (const t of yTicks) {
    svg.push(`<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" class="grid"/>`);
    svg.push(`<text x="${MARGIN.left - 6}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end" class="tick">${escapeHtml(fy(t))}</text>`);
  }
  for (const t of xTicks) {
    svg.push(`<line x1="${x(t).toFixed(1)}" x2="${x(t).toFixed(1)}" y1="${MARGIN.top + plotH}" y2="${MARGIN.top + plotH + 4}" class="axis"/>`);
    svg.push(`<text x="${x(t).toFixed(1)}" y="${MARGIN.top + plotH + 17}" text-anchor="middle" class="tick">${escapeHtml(fx(t))}</text>`);
  }
  svg.push(`<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${MARGIN.top + plotH}" y2="${MARGIN.top + plotH}" class="axis"/>`);
  svg.push(`<text x="${MARGIN.left + plotW / 2}" y="${HEIGHT - 6}" text-anchor="middle" class="label">${escapeHtml(xAxis.label)}</text>`);
  svg.push(`<text transform="translate(14 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle" class="label">${escapeHtml(yAxis.label)}</text>`);
  return { x, y, svg };
}

function empty(title: string, note: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} 60" width="${WIDTH}" height="60"><text x="${MARGIN.left}" y="18" class="chart-title">${escapeHtml(title)}</text><text x="${MARGIN.left}" y="44" class="tick">${escapeHtml(note)}</text></svg>`;
}

/** A line chart; `xEnd` extends stepped series to the end of the run. */
export function lineChart(title: string, series: readonly LineSeries[], xAxis: Axis, yAxis: Axis, options: { xEnd?: number; yFromZero?: boolean; legend?: boolean } = {}): string {
  const all = series.flatMap((s) => s.points);
  if (all.length === 0) return empty(title, 'no data in this run');
  let xLo = Math.min(...all.map((p) => p[0]));
  let xHi = Math.max(options.xEnd ?? -Infinity, ...all.map((p) => p[0]));
  let yLo = options.yFromZero === false ? Math.min(...all.map((p) => p[1])) : Math.min(0, ...all.map((p) => p[1]));
  let yHi = Math.max(...all.map((p) => p[1]));
  if (xHi === xLo) xHi = xLo + 1;
  if (yHi === yLo) [yLo, yHi] = [yLo - Math.max(1, Math.abs(yLo) * 0.1), yHi + Math.max(1, Math.abs(yHi) * 0.1)];
  const pad = (yHi - yLo) * 0.05;
  if (options.yFromZero === false) yLo -= pad;
  yHi += pad;
  xLo = Math.min(xLo, xHi);
  const f = frame(title, xLo, xHi, yLo, yHi, xAxis, yAxis);
  series.forEach((s, i) => {
    if (s.points.length === 0) return;
    const colour = PALETTE[i % PALETTE.length]!;
    if (s.dots) {
      const dots = s.points.map(([px, py]) => `<circle cx="${f.x(px).toFixed(1)}" cy="${f.y(py).toFixed(1)}" r="2.2"/>`).join('');
      f.svg.push(`<g fill="${colour}" fill-opacity="0.6"><title>${escapeHtml(s.name)}</title>${dots}</g>`);
      return;
    }
    const parts: string[] = [];
    s.points.forEach(([px, py], j) => {
      const X = f.x(px).toFixed(1);
      const Y = f.y(py).toFixed(1);
      if (j === 0) parts.push(`M${X},${Y}`);
      else if (s.step) parts.push(`H${X}V${Y}`);
      else parts.push(`L${X},${Y}`);
    });
    if (s.step && options.xEnd !== undefined) parts.push(`H${f.x(options.xEnd).toFixed(1)}`);
    f.svg.push(`<path d="${parts.join('')}" fill="none" stroke="${colour}" stroke-width="1.6"${s.dashed ? ' stroke-dasharray="5 4"' : ''}><title>${escapeHtml(s.name)}</title></path>`);
  });
  if (series.length > 1 && options.legend !== false) {
    series.slice(0, 12).forEach((s, i) => {
      const colour = PALETTE[i % PALETTE.length]!;
      const lx = MARGIN.left + 10 + (i % 4) * 160;
      const ly = MARGIN.top + 8 + Math.floor(i / 4) * 14;
      f.svg.push(`<rect x="${lx}" y="${ly - 8}" width="10" height="3" fill="${colour}"/><text x="${lx + 14}" y="${ly - 4}" class="legend">${escapeHtml(s.name.slice(0, 22))}</text>`);
    });
  }
  f.svg.push('</svg>');
  return f.svg.join('');
}

/**
 * A histogram from `[lowerBound, upperBound, count]` bins. Bins with lowerBound = upperBound are single values
 * (a distribution with few distinct values): each gets a bar centred on it.
 */
export function barChart(title: string, bins: readonly (readonly [number, number, number])[], xAxis: Axis, yLabel = 'count'): string {
  const used = bins.filter((b) => b[2] > 0);
  if (used.length === 0) return empty(title, 'no samples in this run');
  const points = bins.every((b) => b[0] === b[1]);
  let xLo = bins[0]![0];
  let xHi = bins[bins.length - 1]![1];
  let halfWidth = 0;
  if (points) {
    const gaps = bins.slice(1).map((b, i) => b[0] - bins[i]![0]);
    halfWidth = (gaps.length > 0 ? Math.min(...gaps) : Math.max(1, Math.abs(xLo) * 0.1)) * 0.4;
    xLo -= halfWidth * 1.5;
    xHi += halfWidth * 1.5;
  }
  if (xHi <= xLo) xHi = xLo + 1;
  const yHi = Math.max(...bins.map((b) => b[2])) * 1.05;
  const f = frame(title, xLo, xHi, 0, yHi, xAxis, { label: yLabel });
  const fx = xAxis.format ?? compactNumber;
  for (const [lo, hi, count] of bins) {
    const left = f.x(points ? lo - halfWidth : lo);
    const right = f.x(points ? lo + halfWidth : hi);
    const width = Math.max(1, right - left - 1);
    const top = f.y(count);
    const label = points ? `${fx(lo)}: ${count}` : `${fx(lo)}–${fx(hi)}: ${count}`;
    f.svg.push(`<rect x="${left.toFixed(1)}" y="${top.toFixed(1)}" width="${width.toFixed(1)}" height="${(f.y(0) - top).toFixed(1)}" fill="${PALETTE[0]}"><title>${escapeHtml(label)}</title></rect>`);
  }
  f.svg.push('</svg>');
  return f.svg.join('');
}
