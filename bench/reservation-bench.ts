// Reservation benchmark: throughput and paced latency of `Engine.apply` on queue offers (join, hold offered,
// confirm, extend, release, return, leave, expiries) and on slots offers (book, confirm, release, cancel, expiries,
// completions, waitlists), each next to a plain Map baseline measured in the same process.
//
//   npm run bench:reservations                        both modes with defaults (well under a minute on 2 cores)
//   npm run bench:reservations -- --mode queue --commands 2m --rate 300k --json
//   npm run bench:reservations -- --profile           CPU profile of the throughput runs, with the top functions
//
// What is measured, as in bench/engine-bench.ts: `Engine.apply` on already typed commands, one thread, commands
// built before timing by driving a reference engine (bench/lib/reservation-workload.ts). Latency is measured without
// coordinated omission: each command has an intended start on a fixed schedule and its latency is completion minus
// that start. Figures are printed, never asserted.
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { HistogramSummary } from './lib/histogram.ts';
import { profile } from './lib/profile.ts';
import { now, paced as pacedRun, timed as timedRun } from './lib/timed-loop.ts';
import { buildReservationWorkload, engineWithReservationOffers, RESERVATION_MIX, type ReservationMode, type ReservationWorkload } from './lib/reservation-workload.ts';

const GOAL_OPS_PER_SECOND = 1_000_000;


interface Options {
  modes: ReservationMode[];
  commands: number;
  latencyCommands: number;
  rate: number;
  offers: number;
  shoppers: number;
  seed: number;
  queueSimRate: number;
  slotsSimRate: number;
  json: boolean;
  profile: boolean;
}

const NUMERIC = {
  commands: [1_000_000, 'commands per mode in the stream and the throughput run'],
  'latency-commands': [200_000, 'commands in each paced latency run (a prefix of the stream)'],
  rate: [200_000, 'paced rate of the latency runs, commands/s'],
  offers: [2_000, 'offers per mode, created before the stream'],
  shoppers: [100_000, 'distinct shoppers'],
  seed: [1, 'PRNG seed of the workloads'],
  'queue-sim-rate': [10_000, 'queue stream: commands per simulated second (how soon holds lapse)'],
  'slots-sim-rate': [100, 'slots stream: commands per simulated second (how soon slots start and end)'],
} as const;

const USAGE = `Usage: npm run bench:reservations -- [options]
${Object.entries(NUMERIC).map(([name, [value, help]]) => `  --${name.padEnd(17)} ${help} (default ${value})`).join('\n')}
  --mode queue|slots|both  which streams to run (default both)
  --json                   print the figures as JSON
  --profile                profile the throughput runs instead (no baseline, no latency) and print the hot spots
Numbers accept _ separators and k/m suffixes (200k, 2m).`;

function count(name: string, raw: string): number {
  const match = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(raw.replace(/_/g, ''));
  const value = match ? Number(match[1]) * ({ k: 1e3, m: 1e6 }[match[2]!.toLowerCase() as 'k' | 'm'] ?? 1) : Number.NaN;
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name}: expected a non-negative integer, got "${raw}"`);
  return value;
}

function readOptions(argv: string[]): Options | null {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...Object.fromEntries(Object.keys(NUMERIC).map((name) => [name, { type: 'string' as const }])),
      mode: { type: 'string' },
      json: { type: 'boolean' },
      profile: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return null;
  const get = (name: keyof typeof NUMERIC): number => {
    const raw = (values as Record<string, unknown>)[name];
    return typeof raw === 'string' ? count(name, raw) : NUMERIC[name][0];
  };
  const mode = (values.mode as string | undefined) ?? 'both';
  if (!['queue', 'slots', 'both'].includes(mode)) throw new Error(`--mode: expected queue, slots or both, got "${mode}"`);
  const commands = Math.max(1, get('commands'));
  return {
    modes: mode === 'both' ? ['queue', 'slots'] : [mode as ReservationMode],
    commands,
    latencyCommands: Math.min(commands, get('latency-commands')),
    rate: Math.max(1, get('rate')),
    offers: Math.max(1, get('offers')),
    shoppers: Math.max(1, get('shoppers')),
    seed: get('seed') >>> 0,
    queueSimRate: Math.max(1, get('queue-sim-rate')),
    slotsSimRate: Math.max(1, get('slots-sim-rate')),
    json: values.json === true,
    profile: values.profile === true,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Measurements

interface Throughput {
  commands: number;
  perSecond: number;
  nsPerCommand: number;
  perCpuSecond: number;
}

/** One `step` call per command, as this bench has always timed both its engine and its baseline runs. */
function timed(count: number, step: (i: number) => void): Throughput {
  return {
    commands: count,
    ...timedRun(count, () => {
      for (let i = 0; i < count; i++) step(i);
    }),
  };
}

function engineThroughput(workload: ReservationWorkload): { throughput: Throughput; accepted: number } {
  const engine = engineWithReservationOffers(workload);
  const commands = workload.commands;
  let accepted = 0;
  const throughput = timed(commands.length, (i) => {
    if (engine.apply(commands[i]!).result.ok) accepted++;
  });
  return { throughput, accepted };
}

function baselineThroughput(keys: readonly string[]): Throughput {
  const map = new Map<string, number>();
  return timed(keys.length, (i) => {
    const key = keys[i]!;
    map.set(key, (map.get(key) ?? 0) + 1);
  });
}

interface Paced {
  rate: number;
  latencyNs: HistogramSummary;
  serviceNs: HistogramSummary;
  achievedRate: number;
}

/** The shared paced run, reported with the fields this bench has always printed. */
function paced(count: number, rate: number, step: (i: number) => void): Paced {
  const { latencyNs, serviceNs, achievedRate } = pacedRun(count, rate, step);
  return { rate, latencyNs, serviceNs, achievedRate };
}

interface ModeReport {
  mode: ReservationMode;
  simulatedSeconds: number;
  buildSeconds: number;
  outcomes: ReservationWorkload['outcomes'];
  events: Record<string, number>;
  eventsPerCommand: number;
  engine: Throughput;
  baseline: Throughput;
  replayMatchesReference: boolean;
  latency: { engine: Paced; baseline: Paced } | null;
}

function build(options: Options, mode: ReservationMode): { workload: ReservationWorkload; buildSeconds: number } {
  const start = now();
  const workload = buildReservationWorkload({
    mode,
    seed: options.seed,
    offers: options.offers,
    shoppers: options.shoppers,
    commands: options.commands,
    simCommandsPerSecond: mode === 'queue' ? options.queueSimRate : options.slotsSimRate,
    startMs: Date.UTC(2025, 0, 1),
  });
  return { workload, buildSeconds: (now() - start) / 1000 };
}

function measure(options: Options, mode: ReservationMode, log: (line: string) => void): ModeReport {
  log(`${mode}: building ${int(options.commands)} commands by driving a reference engine (also the warm-up)…`);
  const { workload, buildSeconds } = build(options, mode);
  log(`${mode}: throughput…`);
  const engine = engineThroughput(workload);
  const baseline = baselineThroughput(workload.baselineKeys);
  let latency: ModeReport['latency'] = null;
  if (options.latencyCommands > 0) {
    log(`${mode}: latency at ${int(options.rate)}/s…`);
    paced(20_000, 1_000_000, () => undefined);
    const fresh = engineWithReservationOffers(workload);
    const engineLatency = paced(options.latencyCommands, options.rate, (i) => {
      fresh.apply(workload.commands[i]!);
    });
    const map = new Map<string, number>();
    const baselineLatency = paced(options.latencyCommands, options.rate, (i) => {
      const key = workload.baselineKeys[i]!;
      map.set(key, (map.get(key) ?? 0) + 1);
    });
    latency = { engine: engineLatency, baseline: baselineLatency };
  }
  return {
    mode,
    simulatedSeconds: workload.simulatedSeconds,
    buildSeconds,
    outcomes: workload.outcomes,
    events: workload.events,
    eventsPerCommand: workload.eventTotal / workload.outcomes.total,
    engine: engine.throughput,
    baseline,
    replayMatchesReference: engine.accepted === workload.outcomes.accepted,
    latency,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Reporting

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const pct = (part: number, whole: number): string => `${whole === 0 ? '0.0' : ((100 * part) / whole).toFixed(1)} %`;
const us = (ns: number): string => (ns / 1000 < 10 ? (ns / 1000).toFixed(2) : (ns / 1000).toFixed(1));

function printMode(r: ModeReport, options: Options): string[] {
  const out: string[] = [];
  out.push(`${r.mode === 'queue' ? 'Queue' : 'Slots'} offers: ${int(options.offers)} offers, ${int(options.shoppers)} shoppers, ${int(r.outcomes.total)} commands, ${int(r.simulatedSeconds)} s simulated (built in ${r.buildSeconds.toFixed(1)} s)`);
  out.push(`  ${'command'.padEnd(15)}${'count'.padStart(10)}${'accepted'.padStart(10)}   rejected, by code`);
  for (const { type } of RESERVATION_MIX[r.mode]) {
    const row = r.outcomes.byType[type] ?? {};
    const total = Object.values(row).reduce((a, b) => a + b, 0);
    const rejected = Object.entries(row).filter(([code]) => code !== 'accepted').sort((a, b) => b[1] - a[1]).map(([code, n]) => `${code} ${pct(n, total)}`).join(', ');
    out.push(`  ${type.padEnd(15)}${int(total).padStart(10)}${pct(row.accepted ?? 0, total).padStart(10)}   ${rejected || '-'}`);
  }
  const events = Object.entries(r.events).sort((a, b) => b[1] - a[1]).map(([type, n]) => `${type} ${int(n)}`).join(', ');
  out.push(`  events: ${r.eventsPerCommand.toFixed(2)} per command: ${events}`);
  out.push(`  throughput:   engine ${int(r.engine.perSecond)} commands/s (${r.engine.nsPerCommand.toFixed(0)} ns each, ${int(r.engine.perCpuSecond)} per CPU-s); ` +
    `Map baseline ${int(r.baseline.perSecond)}/s; baseline/engine ${(r.baseline.perSecond / r.engine.perSecond).toFixed(1)}×`);
  out.push(`  goal ≥ ${int(GOAL_OPS_PER_SECOND)} commands/s: ${r.engine.perSecond >= GOAL_OPS_PER_SECOND ? 'met' : 'NOT met'}` +
    `${r.replayMatchesReference ? '' : '  (WARNING: the timed run accepted a different number of commands than the reference run)'}`);
  if (r.latency) {
    const row = (label: string, s: HistogramSummary) => `  ${label.padEnd(20)}${[s.p50, s.p90, s.p99, s.p999, s.max].map((v) => us(v).padStart(10)).join('')}`;
    out.push(`  latency at ${int(r.latency.engine.rate)}/s, paced, µs (completion − intended start; service: the command alone):`);
    out.push(`  ${''.padEnd(20)}${['p50', 'p90', 'p99', 'p99.9', 'max'].map((h) => h.padStart(10)).join('')}`);
    out.push(row('engine', r.latency.engine.latencyNs));
    out.push(row('engine service', r.latency.engine.serviceNs));
    out.push(row('Map baseline', r.latency.baseline.latencyNs));
    out.push(`  achieved ${int(r.latency.engine.achievedRate)}/s (baseline ${int(r.latency.baseline.achievedRate)}/s)`);
  }
  return out;
}

async function main(): Promise<void> {
  const options = readOptions(process.argv.slice(2));
  if (!options) return console.log(USAGE);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  if (options.profile) {
    for (const mode of options.modes) {
      const { workload } = build(options, mode);
      let result: Throughput | null = null;
      const summary = await profile(join(os.tmpdir(), `reservation-bench-${mode}-${process.pid}.cpuprofile`), () => {
        result = engineThroughput(workload).throughput;
      });
      console.log(`${mode}: ${int(result!.perSecond)} commands/s under the profiler; profile in ${summary.file}`);
      for (const spot of summary.hotSpots.slice(0, 20)) console.log(`  ${spot.selfPercent.toFixed(1).padStart(5)}% self ${spot.totalPercent.toFixed(1).padStart(5)}% total  ${spot.functionName}  ${spot.location}`);
    }
    return;
  }
  const loadAtStart = os.loadavg()[0]!;
  const reports = options.modes.map((mode) => measure(options, mode, log));
  const machine = `Node ${process.version} · ${os.cpus().length} CPUs (${os.cpus()[0]?.model.trim() ?? 'unknown'}) · load ${loadAtStart.toFixed(1)} → ${os.loadavg()[0]!.toFixed(1)}`;
  if (options.json) return console.log(JSON.stringify({ machine, options, reports }, null, 2));
  const out = [`Reservation benchmark: Engine.apply on reservation command mixes, one thread, commands built before timing`, `  ${machine}`, ''];
  for (const report of reports) out.push(...printMode(report, options), '');
  out.push('Where the time goes: npm run bench:reservations -- --profile');
  console.log(out.join('\n'));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
