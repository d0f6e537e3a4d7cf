// The comparative table of `npm run bench` (bench/run-all.ts): one row per figure, tuan's value next to the
// baseline measured in the same run, written as JSON so runs can be compared, and the comparison itself. Pure
// functions of their inputs, so they are tested on fixed figures (test/bench/run-all.test.ts).
import { z } from 'zod';

export const RESULTS_SCHEMA_VERSION = 1;

const rowSchema = z.object({
  benchmark: z.string(),
  figure: z.string(),
  unit: z.string(),
  /** tuan's figure; null when the benchmark ran but did not produce it. */
  value: z.number().nullable(),
  baselineName: z.string(),
  baselineValue: z.number().nullable(),
  /** value / baselineValue: above 1, tuan did more of `unit` than the baseline. */
  ratio: z.number().nullable(),
  /** What bounded the figure (a saturated load generator, a busy machine), in words. */
  notes: z.array(z.string()),
});
export type Row = z.infer<typeof rowSchema>;

const benchRunSchema = z.object({
  name: z.string(),
  status: z.enum(['ok', 'failed', 'skipped']),
  seconds: z.number(),
  /** Why it failed or was skipped. */
  reason: z.string().optional(),
  /** 1-minute load average when it started: a busy machine makes every figure pessimistic. */
  loadAtStart: z.number().optional(),
  command: z.string().optional(),
});
export type BenchRun = z.infer<typeof benchRunSchema>;

const machineSchema = z.object({
  cpus: z.number(),
  cpuModel: z.string(),
  platform: z.string(),
  arch: z.string(),
  node: z.string(),
  totalMemoryBytes: z.number(),
  /** 1, 5 and 15-minute load averages before the first benchmark and after the last. */
  loadBefore: z.array(z.number()),
  loadAfter: z.array(z.number()),
  gitCommit: z.string().nullable(),
  /** Tracked files changed since that commit: the figures are of uncommitted code. */
  gitDirty: z.boolean().nullable(),
});
export type MachineInfo = z.infer<typeof machineSchema>;

export const resultsSchema = z.object({
  schemaVersion: z.literal(RESULTS_SCHEMA_VERSION),
  startedAt: z.string(),
  finishedAt: z.string(),
  machine: machineSchema,
  options: z.record(z.string(), z.unknown()),
  rows: z.array(rowSchema),
  benchmarks: z.array(benchRunSchema),
  /** Each benchmark's own JSON report, for figures the table leaves out. */
  reports: z.record(z.string(), z.unknown()),
});
export type Results = z.infer<typeof resultsSchema>;

/** Reads an earlier run's file; the error names the field that does not fit. */
export function parseResults(text: string, source: string): Results {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${source}: not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const parsed = resultsSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${source}: not a bench results file: ${issue.path.join('.') || '(top level)'}: ${issue.message}`);
  }
  return parsed.data;
}

export function row(benchmark: string, figure: string, unit: string, value: number | null, baselineName: string, baselineValue: number | null, notes: string[] = []): Row {
  const ratio = value !== null && baselineValue !== null && baselineValue > 0 ? value / baselineValue : null;
  return { benchmark, figure, unit, value, baselineName, baselineValue, ratio, notes };
}

/** The key a row is matched by across runs: what was measured, and against what. */
export const rowKey = (r: Pick<Row, 'benchmark' | 'figure' | 'baselineName'>): string => `${r.benchmark} · ${r.figure} vs ${r.baselineName}`;

/** Whole numbers from 100 up, thousands separated (1,234,567); below that one or two decimals. */
export function formatValue(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return '-';
  const abs = Math.abs(value);
  if (abs >= 100) return Math.round(value).toLocaleString('en-US');
  if (abs >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

export function formatRatio(ratio: number | null): string {
  if (ratio === null || !Number.isFinite(ratio)) return '-';
  if (ratio >= 10) return `${ratio.toFixed(1)}×`;
  // Small ratios (a cheap baseline) keep two significant digits, so 0.031 and 0.014 stay apart.
  return ratio >= 0.1 || ratio === 0 ? `${ratio.toFixed(2)}×` : `${ratio.toPrecision(2)}×`;
}

function formatChange(before: number | null, after: number | null): string {
  if (before === null || after === null || before === 0) return '-';
  const change = (after / before - 1) * 100;
  return `${change >= 0 ? '+' : ''}${change.toFixed(1)} %`;
}

type Align = 'left' | 'right';

/** A plain-text table: columns as wide as their widest cell, numbers right-aligned. */
export function textTable(header: string[], rows: string[][], align: Align[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((cell, i) => (align[i] === 'right' ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
}

export function formatRows(rows: readonly Row[]): string[] {
  const out = textTable(
    ['benchmark', 'figure', 'unit', 'tuan', 'baseline', 'baseline value', 'tuan/baseline'],
    rows.map((r) => [r.benchmark, r.figure, r.unit, formatValue(r.value), r.baselineName, formatValue(r.baselineValue), formatRatio(r.ratio)]),
    ['left', 'left', 'left', 'right', 'left', 'right', 'right'],
  );
  const noted = rows.filter((r) => r.notes.length > 0);
  if (noted.length > 0) {
    out.push('', 'Notes:');
    for (const r of noted) for (const note of r.notes) out.push(`  ${rowKey(r)}: ${note}`);
  }
  return out;
}

export function formatMachine(m: MachineInfo): string {
  const load = (l: number[]): string => l.map((v) => v.toFixed(2)).join(' ');
  const commit = m.gitCommit === null ? 'no git commit' : `commit ${m.gitCommit.slice(0, 12)}${m.gitDirty ? ' + uncommitted changes' : ''}`;
  return (
    `Node ${m.node} · ${m.platform} ${m.arch} · ${m.cpus} CPUs (${m.cpuModel}) · ${(m.totalMemoryBytes / 2 ** 30).toFixed(1)} GiB · ${commit}\n` +
    `load average (1, 5, 15 min) ${load(m.loadBefore)} before, ${load(m.loadAfter)} after`
  );
}

/** A busy machine makes every figure pessimistic; say so where the reader looks. */
export function loadWarning(m: MachineInfo): string | null {
  const worst = Math.max(m.loadBefore[0] ?? 0, m.loadAfter[0] ?? 0);
  if (worst <= m.cpus - 0.5) return null;
  return `the 1-minute load average reached ${worst.toFixed(1)} on ${m.cpus} CPUs: other processes competed, so figures are pessimistic and noisy`;
}

export function formatBenchmarks(runs: readonly BenchRun[]): string[] {
  return runs.map((r) => {
    const load = r.loadAtStart === undefined ? '' : `, load ${r.loadAtStart.toFixed(1)} at start`;
    const why = r.reason ? `: ${r.reason}` : '';
    return `  ${r.name.padEnd(10)} ${r.status.padEnd(8)} ${r.seconds.toFixed(1).padStart(6)} s${load}${why}`;
  });
}

/**
 * The change from an older run, row by row (matched by benchmark, figure and baseline): tuan's value, the baseline's, and
 * the ratio between them, which is the steadiest of the three on a shared machine since both sides ran together.
 */
export function compareResults(before: Results, after: Results): string[] {
  const out: string[] = [];
  out.push(`Compared with the run of ${before.startedAt} (${before.machine.gitCommit?.slice(0, 12) ?? 'no commit'}, load ${(before.machine.loadBefore[0] ?? 0).toFixed(2)} at start):`);
  if (before.machine.cpus !== after.machine.cpus || before.machine.cpuModel !== after.machine.cpuModel || before.machine.node !== after.machine.node) {
    out.push(`  different machine or Node: ${before.machine.cpus} × ${before.machine.cpuModel}, Node ${before.machine.node} then; compare the ratios, not the values`);
  }
  const old = new Map(before.rows.map((r) => [rowKey(r), r]));
  const seen = new Set<string>();
  const cells: string[][] = [];
  for (const r of after.rows) {
    const key = rowKey(r);
    const o = old.get(key);
    seen.add(key);
    if (!o) {
      cells.push([r.benchmark, r.figure, r.baselineName, '-', formatValue(r.value), 'new', '-', formatRatio(r.ratio), 'new']);
      continue;
    }
    cells.push([
      r.benchmark,
      r.figure,
      r.baselineName,
      formatValue(o.value),
      formatValue(r.value),
      formatChange(o.value, r.value),
      formatRatio(o.ratio),
      formatRatio(r.ratio),
      formatChange(o.ratio, r.ratio),
    ]);
  }
  for (const o of before.rows) {
    if (!seen.has(rowKey(o))) cells.push([o.benchmark, o.figure, o.baselineName, formatValue(o.value), '-', 'gone', formatRatio(o.ratio), '-', 'gone']);
  }
  out.push(
    ...textTable(
      ['benchmark', 'figure', 'baseline', 'tuan before', 'tuan now', 'change', 'ratio before', 'ratio now', 'change'],
      cells,
      ['left', 'left', 'left', 'right', 'right', 'right', 'right', 'right', 'right'],
    ),
  );
  return out;
}
