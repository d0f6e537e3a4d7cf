// Auction benchmark: throughput and paced latency of `Engine.apply` on bids over many English and uniform-price
// auctions, next to a plain Map baseline measured in the same process (the engine benchmark's method).
//
//   npm run bench:auctions                     defaults: 1M commands over 10 000 auctions, a minute or so on 2 cores
//   npm run bench:auctions -- --commands 300k --latency-commands 100k --rate 100k
//   npm run bench:auctions -- --profile        CPU profile of the throughput run, with the top functions
//
// The stream is realistic in the sense that matters for cost: it is built by driving a reference engine and
// reading its answers (the current minimum bid, who leads), so most bids are valid and move prices, some are
// refused for the reasons shoppers really get (too low, auction already closed, over their exposure, their own
// offer, buy-now gone), auctions close during the run (soft-close extensions included) and their winners are
// settled. The timed runs replay the same commands on fresh engines, which reach the same results.
import os from 'node:os';
import { Engine, parseCommand, type Command } from '../engine/index.ts';
import { readOptions, USAGE, type Options } from './lib/engine-options.ts';
import type { HistogramSummary } from './lib/histogram.ts';
import { Prng } from '../simulations/prng.ts';
import { profile } from './lib/profile.ts';
import { now, paced as pacedRun, timed } from './lib/timed-loop.ts';

const GOAL_BIDS_PER_SECOND = 1_000_000;
const START_MS = Date.UTC(2025, 0, 1);
const MERCHANT = 'm1';
const INCREMENTS = [
  { fromMinor: 0, stepMinor: 100 },
  { fromMinor: 10_000, stepMinor: 500 },
  { fromMinor: 100_000, stepMinor: 1_000 },
];

interface Workload {
  setup: Command[];
  commands: Command[];
  baselineKeys: string[];
  outcomes: Map<string, number>;
  accepted: number;
  closed: number;
  extended: number;
  simulatedSeconds: number;
}

function typed(raw: Record<string, unknown>): Command {
  const parsed = parseCommand(raw);
  if (!parsed.ok) throw new Error(`workload made a bad command: ${parsed.message}`);
  return parsed.command;
}

interface AuctionShape {
  id: string;
  uniform: boolean;
  openingMinor: number;
  /** Who leads, from the last accepted English bid's answer (the generator's own memory). */
  leader: string | null;
  leaderMaxMinor: number;
}

/** Creates the auctions: 90 % English (some with reserve, buy-now, soft close), 10 % uniform-price. */
function setupCommands(prng: Prng, offers: number, simulatedMs: number): { setup: Command[]; shapes: AuctionShape[] } {
  const setup: Command[] = [];
  const shapes: AuctionShape[] = [];
  for (let i = 0; i < offers; i++) {
    const id = `a${i}`;
    const uniform = prng.chance(0.1);
    const openingMinor = prng.int(10, 50) * 100;
    // Ends spread from a third of the run to half again past it: many close while bids keep coming.
    const endMs = START_MS + Math.floor(simulatedMs * (0.3 + 1.2 * prng.next())) + 1;
    const mechanism: Record<string, unknown> = uniform
      ? { type: 'auction', kind: 'uniform', reservePriceMinor: prng.chance(0.3) ? openingMinor * 2 : 0 }
      : {
          type: 'auction',
          kind: 'english',
          increments: INCREMENTS,
          reservePriceMinor: prng.chance(0.3) ? openingMinor * 3 : 0,
          ...(prng.chance(0.2) ? { buyNowPriceMinor: openingMinor * 10 } : {}),
          ...(prng.chance(0.5) ? { softClose: { windowMs: 2_000, extendMs: 5_000, maxExtensions: 5 } } : {}),
        };
    setup.push(
      typed({ type: 'create_offer', nowMs: START_MS, merchantId: MERCHANT, offerId: id, title: `Lot ${i}`, currency: 'CNY', inventory: uniform ? prng.int(5, 50) : 1, basePriceMinor: openingMinor, endMs, mechanism }),
    );
    shapes.push({ id, uniform, openingMinor, leader: null, leaderMaxMinor: 0 });
  }
  return { setup, shapes };
}

/** The next command of the stream, decided from what the reference engine says now. */
function nextCommand(prng: Prng, engine: Engine, shapes: AuctionShape[], shoppers: number, nowMs: number): Record<string, unknown> {
  const roll = prng.next();
  if (roll < 0.04) return { type: 'tick', nowMs };
  // A few hot auctions, a long tail of quiet ones.
  const shape = shapes[Math.floor(shapes.length * prng.next() ** 2)]!;
  const shopperId = `s${prng.int(0, shoppers - 1)}`;
  if (roll < 0.06) return { type: 'buy_now', nowMs, shopperId, offerId: shape.id };
  const minimum = engine.auction(shape.id)?.minimumBidMinor ?? shape.openingMinor;
  const kind = prng.next();
  let bidder = shopperId;
  let maxBidMinor: number;
  let qty = 1;
  if (shape.uniform) {
    maxBidMinor = shape.openingMinor + prng.int(0, 40) * 50;
    qty = prng.int(1, 3);
  } else if (kind < 0.08) {
    maxBidMinor = Math.max(1, minimum - prng.int(1, 100)); // too low: a stale page
  } else if (kind < 0.13 && shape.leader !== null) {
    bidder = shape.leader; // the leader raises their own maximum
    maxBidMinor = shape.leaderMaxMinor + prng.int(1, 20) * 100;
  } else if (kind < 0.8) {
    maxBidMinor = minimum + prng.int(0, 3) * 100; // the next step, as a bidding button sends it
  } else {
    maxBidMinor = minimum + prng.int(5, 50) * 100; // a proxy maximum well above the price
  }
  if (kind > 0.98) bidder = MERCHANT; // the merchant trying to push their own price
  // The gateway always vouches an exposure; a few shoppers are over theirs.
  const exposureLimitMinor = kind > 0.95 && kind <= 0.98 ? maxBidMinor * qty - 1 : maxBidMinor * qty * 4;
  return { type: 'place_bid', nowMs, shopperId: bidder, offerId: shape.id, maxBidMinor, qty, exposureLimitMinor };
}

function buildWorkload(options: Options): Workload {
  const prng = new Prng(options.seed);
  const simulatedMs = Math.ceil((options.commands / options.simRate) * 1000);
  const { setup, shapes } = setupCommands(prng, options.offers, simulatedMs);
  const engine = new Engine();
  for (const cmd of setup) if (!engine.apply(cmd).result.ok) throw new Error('setup refused');
  const commands: Command[] = [];
  const baselineKeys: string[] = [];
  const outcomes = new Map<string, number>();
  let accepted = 0;
  let closed = 0;
  let extended = 0;
  const byId = new Map(shapes.map((shape) => [shape.id, shape]));
  for (let i = 0; i < options.commands; i++) {
    const nowMs = START_MS + Math.floor((i * 1000) / options.simRate);
    const cmd = typed(nextCommand(prng, engine, shapes, options.shoppers, nowMs));
    const { result, events } = engine.apply(cmd);
    commands.push(cmd);
    baselineKeys.push(cmd.type === 'tick' ? 'tick' : `${(cmd as { offerId: string }).offerId}|${(cmd as { shopperId: string }).shopperId}`);
    const key = `${cmd.type} ${result.ok ? 'accepted' : result.code}`;
    outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
    if (result.ok) accepted++;
    for (const event of events) {
      if (event.type === 'auction_closed') closed++;
      if (event.type === 'auction_extended') extended++;
    }
    if (result.ok && cmd.type === 'place_bid' && result.auction?.leading) {
      const shape = byId.get(cmd.offerId)!;
      shape.leader = cmd.shopperId;
      shape.leaderMaxMinor = cmd.maxBidMinor;
    }
  }
  return { setup, commands, baselineKeys, outcomes, accepted, closed, extended, simulatedSeconds: simulatedMs / 1000 };
}

function freshEngine(workload: Workload): Engine {
  const engine = new Engine();
  for (const cmd of workload.setup) engine.apply(cmd);
  return engine;
}

interface Throughput {
  perSecond: number;
  nsPerCommand: number;
  perCpuSecond: number;
}

function engineThroughput(workload: Workload): { throughput: Throughput; accepted: number } {
  const engine = freshEngine(workload);
  const { commands } = workload;
  let accepted = 0;
  const throughput = timed(commands.length, () => {
    for (let i = 0; i < commands.length; i++) if (engine.apply(commands[i]!).result.ok) accepted++;
  });
  return { throughput, accepted };
}

function baselineThroughput(keys: readonly string[]): Throughput {
  const map = new Map<string, number>();
  const result = timed(keys.length, () => {
    for (let i = 0; i < keys.length; i++) map.set(keys[i]!, (map.get(keys[i]!) ?? 0) + 1);
  });
  if (map.size === 0) throw new Error('baseline did nothing');
  return result;
}

interface Paced {
  latencyNs: HistogramSummary;
  serviceNs: HistogramSummary;
  achievedRate: number;
}

/** The shared paced run, reported with the fields this bench has always printed. */
function paced(count: number, rate: number, step: (i: number) => void): Paced {
  const { latencyNs, serviceNs, achievedRate } = pacedRun(count, rate, step);
  return { latencyNs, serviceNs, achievedRate };
}

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const us = (ns: number): string => (ns / 1000 < 10 ? (ns / 1000).toFixed(2) : (ns / 1000).toFixed(1));
const pct = (part: number, whole: number): string => `${((100 * part) / Math.max(1, whole)).toFixed(1)} %`;

function mixLines(workload: Workload): string[] {
  const total = workload.commands.length;
  const lines = [...workload.outcomes].sort((a, b) => b[1] - a[1]).map(([key, n]) => `  ${key.padEnd(36)}${int(n).padStart(11)}${pct(n, total).padStart(9)}`);
  lines.push(`  ${int(workload.closed)} auctions closed during the run (winners settled), ${int(workload.extended)} soft-close extensions; ${workload.simulatedSeconds.toFixed(0)} s simulated`);
  return lines;
}

function latencyRow(label: string, s: HistogramSummary): string {
  return `  ${label.padEnd(22)}${[s.p50, s.p90, s.p99, s.p999, s.max, s.mean].map((v) => us(v).padStart(11)).join('')}`;
}

async function main(): Promise<void> {
  const options = readOptions(process.argv.slice(2));
  if (!options) {
    console.log(USAGE.replace('bench:engine', 'bench:auctions').replace('offers created before the stream', 'auctions created before the stream'));
    return;
  }
  const loadAtStart = os.loadavg()[0]!;
  process.stderr.write(`building workload: seed ${options.seed}, ${int(options.offers)} auctions, ${int(options.commands)} commands…\n`);
  const buildStart = now();
  const workload = buildWorkload(options);
  const buildSeconds = (now() - buildStart) / 1000;

  if (options.profile) {
    let measured: Throughput | null = null;
    const summary = await profile(options.profileOut, () => {
      measured = engineThroughput(workload).throughput;
    });
    console.log(`Profiled: ${int(measured!.perSecond)} commands/s under the profiler; profile in ${summary.file}`);
    for (const spot of summary.hotSpots.slice(0, 20)) console.log(`  ${spot.selfPercent.toFixed(1).padStart(6)}%${spot.totalPercent.toFixed(1).padStart(7)}%  ${spot.functionName}  ${spot.location}`);
    return;
  }

  process.stderr.write('throughput: engine, then Map baseline…\n');
  const engineRun = engineThroughput(workload);
  const baseline = baselineThroughput(workload.baselineKeys);
  let latency: { engine: Paced; baseline: Paced } | null = null;
  if (options.latencyCommands > 0) {
    const count = Math.min(options.latencyCommands, workload.commands.length);
    process.stderr.write(`latency: ${int(count)} commands at ${int(options.rate)}/s, engine then baseline…\n`);
    paced(20_000, 1_000_000, () => undefined);
    const engine = freshEngine(workload);
    const engineLatency = paced(count, options.rate, (i) => {
      engine.apply(workload.commands[i]!);
    });
    const map = new Map<string, number>();
    const baselineLatency = paced(count, options.rate, (i) => {
      const key = workload.baselineKeys[i]!;
      map.set(key, (map.get(key) ?? 0) + 1);
    });
    latency = { engine: engineLatency, baseline: baselineLatency };
  }

  const report = { options, buildSeconds, load: { atStart: loadAtStart, atEnd: os.loadavg()[0]! }, mix: Object.fromEntries(workload.outcomes), engine: engineRun.throughput, baseline, latency };
  if (options.json) {
    console.log(JSON.stringify(report, null, 2));
    return;
  }
  const cpus = os.cpus();
  const out: string[] = [];
  out.push('Auction benchmark: Engine.apply on bids over English and uniform-price auctions, one thread, commands built before timing');
  out.push(`  Node ${process.version} · ${cpus.length} CPUs (${cpus[0]?.model.trim() ?? 'unknown'}) · load ${report.load.atStart.toFixed(1)} → ${report.load.atEnd.toFixed(1)}`);
  out.push(`  seed ${options.seed} · ${int(options.offers)} auctions · ${int(options.shoppers)} shoppers · ${int(options.commands)} commands · built in ${buildSeconds.toFixed(1)} s`);
  out.push('', 'Workload (the reference run; the timed runs replay it):', ...mixLines(workload), '');
  out.push(`Throughput (${int(workload.commands.length)} commands each):`);
  out.push(`  ${''.padEnd(22)}${'commands/s'.padStart(14)}${'ns/command'.padStart(13)}${'per CPU-s'.padStart(14)}`);
  const row = (label: string, t: Throughput) => `  ${label.padEnd(22)}${int(t.perSecond).padStart(14)}${t.nsPerCommand.toFixed(0).padStart(13)}${int(t.perCpuSecond).padStart(14)}`;
  out.push(row('engine', engineRun.throughput), row('Map baseline', baseline));
  out.push(`  baseline / engine: ${(baseline.perSecond / engineRun.throughput.perSecond).toFixed(1)}×`);
  out.push(`  goal ≥ ${int(GOAL_BIDS_PER_SECOND)} bids/s: ${engineRun.throughput.perSecond >= GOAL_BIDS_PER_SECOND ? 'met' : 'NOT met'}`);
  if (engineRun.accepted !== workload.accepted) out.push('  WARNING: the timed run accepted a different number of commands than the reference run');
  if (latency) {
    out.push('', `Latency at ${int(options.rate)} commands/s, paced (completion − intended start), µs:`);
    out.push(`  ${''.padEnd(22)}${['p50', 'p90', 'p99', 'p99.9', 'max', 'mean'].map((h) => h.padStart(11)).join('')}`);
    out.push(latencyRow('engine', latency.engine.latencyNs), latencyRow('Map baseline', latency.baseline.latencyNs), latencyRow('engine service time', latency.engine.serviceNs));
    out.push(`  achieved ${int(latency.engine.achievedRate)}/s (baseline ${int(latency.baseline.achievedRate)}/s)`);
  }
  console.log(out.join('\n'));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
