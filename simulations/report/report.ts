// The report: one JSON document per run, the same shape in both modes. It names the scenario (with a fingerprint
// of its resolved settings), the seed and the overrides, so anyone can run it again; per variant, the timeline,
// the engine's final state hash and every metric; and, with several variants, a comparison table. In-process
// reports hold nothing from the wall clock, so the same scenario and seed give the same bytes.
import { canonicalJson, hash64 } from '../../engine/index.ts';
import type { EngineSummary, Timeline } from '../in-process/driver.ts';
import type { RunMetrics } from '../metrics/collector.ts';
import type { DistributionSummary } from '../metrics/value-distribution.ts';
import type { LoadedScenario } from '../scenario-load.ts';

export const REPORT_FORMAT = 'tuan-simulation-report/1';

export type Mode = 'in-process' | 'live';

/** Live mode only: what the clients measured, in real milliseconds. */
export interface LatencyMetrics {
  /** Command sent → its answer (ack or error) received. */
  ackMs: DistributionSummary;
  /** Command sent → the delta it caused received by a watcher of the offer's channel. */
  deliveryMs: DistributionSummary;
  /** Event's server time (`atMs`) → received by a watcher, corrected for the clock offset. */
  eventAgeMs: DistributionSummary;
}

export interface LiveFacts {
  /** `in-process server` or the URL driven. */
  target: string;
  timeScale: number;
  wallMs: number;
  /** Offer ids on the server (a per-run suffix keeps runs against one server apart). */
  offerIds: Record<string, string>;
  connectionsOpened: number;
  peakConnections: number;
  commandsSent: number;
  commandsPerS: number;
  /** Deltas received by watchers and shoppers. */
  deltasReceived: number;
  warnings: string[];
}

export interface VariantReport {
  name: string;
  description: string | null;
  timeline: Timeline;
  /** The engine's final state (live: only when the server's engine is in this process). */
  engine: EngineSummary | null;
  metrics: RunMetrics;
  latency: LatencyMetrics | null;
  live: LiveFacts | null;
}

export interface ComparisonRow {
  metric: string;
  values: Record<string, number>;
  /** (variant − first variant) / first variant, per variant after the first; null when the first is 0. */
  changeRatio: Record<string, number | null>;
}

export interface SimulationReport {
  format: typeof REPORT_FORMAT;
  scenario: { name: string; description: string | null; source: string; mechanism: string; fingerprint: string };
  mode: Mode;
  seed: number;
  overrides: string[];
  units: Record<string, string>;
  variants: VariantReport[];
  comparison: ComparisonRow[] | null;
}

const UNITS = {
  Ms: 'milliseconds (simulated time, except in `latency`, which is real time)',
  Minor: 'minor units of the offers’ currency (fen, cents)',
  Count: 'a count',
  Ratio: 'a share from 0 to 1',
  Units: 'units of inventory',
  PerS: 'per real second',
};

/** Metrics compared across variants, by path into a variant's `metrics` (or `latency`). */
const COMPARED = [
  'money.revenueMinor',
  'money.soldUnits',
  'money.averageUnitPriceMinor',
  'money.revenuePerShopperMinor',
  'shoppers.purchaseRatio',
  'shoppers.walkedAwayCount',
  'groups.openedCount',
  'groups.formationRatio',
  'groups.failureRatio',
  'groups.timeToFormMs.p50',
  'matching.seatedRatio',
  'matching.completedRatio',
  'auctions.revenueMinor',
  'auctions.clearingPriceMinor.mean',
  'auctions.bidCount',
  'auctions.extensionCount',
  'auctions.efficientRatio',
  'auctions.totalWinnerSurplusMinor',
  'queues.waitMs.p50',
  'queues.waitMs.p90',
  'queues.abandonmentRatio',
  'queues.holdExpiryRatio',
  'queues.utilizationRatio',
  'queues.revenueMinor',
  'latency.ackMs.p99',
];

export function buildReport(loaded: LoadedScenario, mode: Mode, variants: VariantReport[]): SimulationReport {
  const base = loaded.base;
  return {
    format: REPORT_FORMAT,
    scenario: {
      name: base.name,
      description: base.description ?? null,
      source: loaded.source,
      mechanism: base.behaviour.mechanism,
      fingerprint: hash64(canonicalJson(base)),
    },
    mode,
    seed: base.seed,
    overrides: loaded.overrides,
    units: UNITS,
    variants,
    comparison: variants.length > 1 ? compare(variants) : null,
  };
}

function compare(variants: VariantReport[]): ComparisonRow[] {
  const rows: ComparisonRow[] = [];
  for (const metric of COMPARED) {
    const values: Record<string, number> = {};
    for (const variant of variants) {
      const value = read(metric.startsWith('latency.') ? variant : variant.metrics, metric);
      if (typeof value === 'number') values[variant.name] = value;
    }
    if (Object.keys(values).length !== variants.length) continue;
    const first = values[variants[0]!.name]!;
    const changeRatio: Record<string, number | null> = {};
    for (const variant of variants.slice(1)) changeRatio[variant.name] = first === 0 ? null : Math.round(((values[variant.name]! - first) / first) * 10_000) / 10_000;
    rows.push({ metric, values, changeRatio });
  }
  return rows;
}

function read(root: unknown, path: string): unknown {
  let node = root;
  for (const key of path.split('.')) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

export function reportJson(report: SimulationReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
