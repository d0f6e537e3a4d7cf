// npm run sim -- <scenario.yaml|json> [--mode in-process|live] [--seed N] [--set path=value …] [--out dir]
//   live only: [--time-scale X] [--max-wall 30s] [--url http://127.0.0.1:8080 --merchant-key tuan_mk_… [--token-secret …]]
// Runs the scenario, writes report.json and report.html, and prints a short summary with the report paths.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { formatDuration } from './durations.ts';
import { progressBar } from './progress.ts';
import type { SimulationReport } from './report/report.ts';
import { runScenario, writeReport } from './run.ts';
import { loadScenarioFile, ScenarioError } from './scenario-load.ts';

const USAGE = `usage: npm run sim -- <scenario.yaml|json> [--mode in-process|live] [--seed N] [--set path=value ...] [--out dir]
  live mode: [--time-scale X] [--max-wall 30s] [--url http://127.0.0.1:8080 --merchant-key tuan_mk_... [--token-secret ...]]
  scenarios ship in simulations/scenarios/; docs/simulations.md describes every field and metric`;

function usage(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

function readArgs() {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        mode: { type: 'string', default: 'in-process' },
        seed: { type: 'string' },
        set: { type: 'string', multiple: true, default: [] },
        out: { type: 'string' },
        'time-scale': { type: 'string' },
        'max-wall': { type: 'string' },
        url: { type: 'string' },
        'merchant-key': { type: 'string' },
        'token-secret': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    return usage((error as Error).message);
  }
}

async function main(): Promise<void> {
  const { values, positionals } = readArgs();
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (positionals.length !== 1) usage('name one scenario file');
  const mode = values.mode;
  if (mode !== 'in-process' && mode !== 'live') usage(`--mode must be in-process or live, not "${mode}"`);
  let seed: number | undefined;
  if (values.seed !== undefined) {
    seed = Number(values.seed);
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffff_ffff) usage(`--seed must be a whole number from 0 to 4294967295, not "${values.seed}"`);
  }
  const set = [...values.set];
  if (values['time-scale'] !== undefined) set.push(`live.timeScale=${values['time-scale']}`);
  if (values['max-wall'] !== undefined) set.push(`live.maxWall=${values['max-wall']}`);

  const loaded = loadScenarioFile(positionals[0]!, { set, ...(seed !== undefined ? { seed } : {}) });
  const progress = progressBar();
  const startedAt = Date.now();
  const report = await runScenario(loaded, {
    mode,
    onProgress: (fraction, variant) => progress.update(fraction, loaded.variants.length > 1 ? `variant ${variant}` : ''),
    live: {
      ...(values.url !== undefined ? { url: values.url } : {}),
      ...(values['merchant-key'] ?? process.env.TUAN_MERCHANT_KEY ? { merchantKey: values['merchant-key'] ?? process.env.TUAN_MERCHANT_KEY } : {}),
      ...(values['token-secret'] ?? process.env.TOKEN_SECRET ? { tokenSecret: values['token-secret'] ?? process.env.TOKEN_SECRET } : {}),
    },
  });
  progress.done();
  const out = values.out ?? join('reports', 'sim', `${report.scenario.name}${mode === 'live' ? '-live' : ''}`);
  const paths = writeReport(report, out);
  console.log(summary(report, Date.now() - startedAt));
  console.log(`report: ${paths.json}\n        ${paths.html}`);
}

function summary(report: SimulationReport, wallMs: number): string {
  const lines = [`${report.scenario.name} (${report.mode}, seed ${report.seed}) in ${formatDuration(wallMs)} of wall time`];
  for (const variant of report.variants) {
    const m = variant.metrics;
    const t = variant.timeline;
    const head = report.variants.length > 1 ? `  [${variant.name}] ` : '  ';
    lines.push(`${head}${formatDuration(t.simulatedMs)} simulated (ended: ${t.endedBy}); shoppers ${m.shoppers.arrivedCount} + ${m.shoppers.invitedArrivedCount} invited; bought ${pct(m.shoppers.purchaseRatio)}; walked away ${m.shoppers.walkedAwayCount}`);
    lines.push(`${' '.repeat(head.length)}revenue ${m.money.revenueMinor} minor (${m.money.currency}), ${m.money.soldUnits} units at ${m.money.averageUnitPriceMinor} avg`);
    if (m.groups && m.matching) {
      const g = m.groups;
      lines.push(`${' '.repeat(head.length)}groups ${g.openedCount}: formed ${pct(g.formationRatio)}, failed ${pct(g.failureRatio)} of settled; time to form p50 ${formatDuration(g.timeToFormMs.p50)}, p90 ${formatDuration(g.timeToFormMs.p90)}; matching seated ${pct(m.matching.seatedRatio)}`);
    }
    if (m.auctions) {
      const a = m.auctions;
      const prices = a.offers.map((o) => `${o.offerId} ${o.clearingPriceMinor ?? '—'}`).join(', ');
      lines.push(`${' '.repeat(head.length)}auctions ${a.soldCount}/${a.auctionCount} sold (clearing: ${prices}); ${a.bidCount} bids, ${a.extensionCount} extensions; efficient ${pct(a.efficientRatio)}, winner surplus ${a.totalWinnerSurplusMinor} minor`);
    }
    if (m.queues) {
      const q = m.queues;
      lines.push(`${' '.repeat(head.length)}queue: ${q.joinedCount} joined, wait p50 ${formatDuration(q.waitMs.p50)} p90 ${formatDuration(q.waitMs.p90)} p99 ${formatDuration(q.waitMs.p99)}; abandoned ${pct(q.abandonmentRatio)}, holds expired ${pct(q.holdExpiryRatio)}; utilization ${pct(q.utilizationRatio)}; deposits held ${q.deposits.heldMinor} minor (${q.deposits.waivedCount} waived)`);
    }
    const errors = Object.entries(m.errorsByCode).sort((a, b) => b[1] - a[1]).slice(0, 4);
    if (errors.length > 0) lines.push(`${' '.repeat(head.length)}refusals: ${errors.map(([code, count]) => `${code} ${count}`).join(', ')}`);
    if (variant.latency) {
      const a = variant.latency.ackMs;
      const d = variant.latency.deliveryMs;
      lines.push(`${' '.repeat(head.length)}ack ms p50 ${a.p50} p90 ${a.p90} p99 ${a.p99} p99.9 ${a.p999} (n=${a.count}); delivery ms p50 ${d.p50} p99 ${d.p99} (n=${d.count})`);
    }
    if (variant.live) lines.push(`${' '.repeat(head.length)}${variant.live.commandsSent} commands at ${variant.live.commandsPerS}/s, peak ${variant.live.peakConnections} connections${variant.live.warnings.length > 0 ? `; ${variant.live.warnings.length} warnings (see report)` : ''}`);
    if (variant.engine) lines.push(`${' '.repeat(head.length)}engine state hash ${variant.engine.stateHash}${variant.engine.invariantViolations.length > 0 ? `; INVARIANTS BROKEN: ${variant.engine.invariantViolations.join('; ')}` : ''}`);
  }
  return lines.join('\n');
}

function pct(ratio: number): string {
  return `${(ratio * 100).toFixed(1)} %`;
}

main().catch((error: unknown) => {
  if (error instanceof ScenarioError) {
    console.error(error.message);
    process.exit(2);
  }
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
