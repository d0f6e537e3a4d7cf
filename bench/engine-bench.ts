// Engine benchmark: throughput and paced latency of `Engine.apply` on a realistic group-buy command mix, next to
// a plain Map baseline measured in the same process, so a figure can be judged against what one thread of this
// machine does for the cheapest possible state update.
//
//   npm run bench:engine                      defaults: finishes in well under a minute on 2 cores
//   npm run bench:engine -- --commands 5m --seed 7 --json
//   npm run bench:engine -- --profile         CPU profile of the throughput run, with the top functions
//   node --cpu-prof --cpu-prof-dir=<dir> --import tsx bench/engine-bench.ts --latency-commands 0
//                                             the same with Node's own profiler (the paced runs spin, so skip them)
//
// Options (also as environment variables, e.g. BENCH_COMMANDS=5m): see `--help`.
//
// What is measured: `Engine.apply` on already typed commands (what the sequencer calls), one thread, commands
// built before timing. Latency is measured without coordinated omission: every command has an intended start
// on a fixed schedule (start + i / rate) and its latency is completion − intended start, so a stall (a GC pause,
// a slow command) is charged to every command that queued behind it, as a client would see it.
import os from 'node:os';
import type { Command } from '../engine/index.ts';
import type { HistogramSummary } from './lib/histogram.ts';
import { profile, type ProfileSummary } from './lib/profile.ts';
import { collectGarbage, now, paced, type Paced } from './lib/timed-loop.ts';
import { readOptions, USAGE, type Options } from './lib/engine-options.ts';
import { buildWorkload, DEFAULT_WORKLOAD, engineWithOffers, MIX, type Workload } from './lib/workload.ts';

const GOALS = { throughputMin: 1_000_000, throughputAim: 2_000_000, p99MaxUs: 10 };

// ---------------------------------------------------------------------------------------------------------------
// Measurements

interface Throughput {
  commands: number;
  seconds: number;
  perSecond: number;
  nsPerCommand: number;
  /**
   * Commands per second of this process's CPU time (GC helper threads included). Less sensitive than wall
   * time to other processes taking the CPU, so it is the figure to compare across runs on a busy machine.
   */
  perCpuSecond: number;
  /** Rates of ten equal slices of the run: shows whether it held steady or drifted as state grew. */
  sliceRates: number[];
}

function throughputOf(count: number, seconds: number, cpu: NodeJS.CpuUsage, sliceRates: number[]): Throughput {
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return { commands: count, seconds, perSecond: count / seconds, nsPerCommand: (seconds * 1e9) / count, perCpuSecond: count / cpuSeconds, sliceRates };
}

/**
 * Runs `slice(from, to)` over ten equal slices of [0, count), timing each: the rates show whether the run held
 * steady or drifted as state grew. The command loop stays inline in the caller's slice function.
 */
function slicedRun(count: number, slice: (from: number, to: number) => void): Throughput {
  const slices = 10;
  const sliceRates: number[] = [];
  collectGarbage();
  const cpuStart = process.cpuUsage();
  const start = now();
  let sliceStart = start;
  for (let s = 0; s < slices; s++) {
    const from = Math.floor((count * s) / slices);
    const to = Math.floor((count * (s + 1)) / slices);
    slice(from, to);
    const t = now();
    sliceRates.push((to - from) / ((t - sliceStart) / 1000));
    sliceStart = t;
  }
  const seconds = (now() - start) / 1000;
  return throughputOf(count, seconds, process.cpuUsage(cpuStart), sliceRates);
}

/** Applies the stream as fast as one thread can; returns the rate and how many commands were accepted. */
function engineThroughput(workload: Workload, count: number): { throughput: Throughput; accepted: number } {
  const engine = engineWithOffers(workload);
  const commands = workload.commands;
  let accepted = 0;
  const throughput = slicedRun(count, (from, to) => {
    for (let i = from; i < to; i++) {
      // Counting accepted results keeps the result live and checks the replay matches the reference run.
      if (engine.apply(commands[i]!).result.ok) accepted++;
    }
  });
  return { throughput, accepted };
}

/** The cheapest state update a command could be: one counter per key in a Map, over the same keys. */
function baselineThroughput(keys: readonly string[], count: number): { throughput: Throughput; checksum: number } {
  const map = new Map<string, number>();
  const throughput = slicedRun(count, (from, to) => {
    for (let i = from; i < to; i++) {
      const key = keys[i]!;
      map.set(key, (map.get(key) ?? 0) + 1);
    }
  });
  return { throughput, checksum: map.size };
}

function engineLatency(workload: Workload, count: number, rate: number): Paced {
  const engine = engineWithOffers(workload);
  const commands: readonly Command[] = workload.commands;
  return paced(count, rate, (i) => {
    engine.apply(commands[i]!);
  });
}

function baselineLatency(keys: readonly string[], count: number, rate: number): Paced {
  const map = new Map<string, number>();
  return paced(count, rate, (i) => {
    const key = keys[i]!;
    map.set(key, (map.get(key) ?? 0) + 1);
  });
}

function warmUp(workload: Workload, count: number): void {
  const engine = engineWithOffers(workload);
  for (let i = 0; i < count; i++) engine.apply(workload.commands[i]!);
  const map = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const key = workload.baselineKeys[i]!;
    map.set(key, (map.get(key) ?? 0) + 1);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Reporting

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const pct = (part: number, whole: number): string => `${whole === 0 ? '0.0' : ((100 * part) / whole).toFixed(1)} %`;

function us(ns: number): string {
  const v = ns / 1000;
  if (v < 10) return v.toFixed(2);
  if (v < 1000) return v.toFixed(1);
  return int(v);
}

function ratio(engine: number, baseline: number): string {
  if (baseline === 0) return 'n/a';
  const r = engine / baseline;
  return r >= 10 ? `${r.toFixed(0)}×` : `${r.toFixed(1)}×`;
}

function machine(): string {
  const cpus = os.cpus();
  return `Node ${process.version} · ${process.platform} ${process.arch} · ${cpus.length} CPU${cpus.length === 1 ? '' : 's'} (${cpus[0]?.model.trim() ?? 'unknown'})`;
}

/**
 * The 1-minute load average next to the CPU count: one thread is measured, so anything else competing for the
 * CPUs (a parallel build, another benchmark) makes every figure pessimistic, and the reader should know.
 */
function loadNote(loadAtStart: number, loadAtEnd: number): string {
  const cpus = os.cpus().length;
  const busy = Math.max(loadAtStart, loadAtEnd) > cpus - 0.5;
  return `load average ${loadAtStart.toFixed(1)} at start, ${loadAtEnd.toFixed(1)} at end, on ${cpus} CPUs` +
    (busy ? ': other processes competed for the CPUs, so the figures are pessimistic (the baseline shows how much)' : '');
}

function mixLines(workload: Workload): string[] {
  const lines: string[] = [];
  const { outcomes } = workload;
  lines.push(`  ${'command'.padEnd(13)}${'count'.padStart(11)}${'share'.padStart(9)}${'accepted'.padStart(10)}   rejected, by code`);
  for (const { type } of MIX) {
    const row = outcomes.byType[type] ?? {};
    const count = Object.values(row).reduce((a, b) => a + b, 0);
    const rejections = Object.entries(row)
      .filter(([code]) => code !== 'accepted')
      .sort((a, b) => b[1] - a[1])
      .map(([code, n]) => `${code} ${pct(n, count)}`)
      .join(', ');
    lines.push(`  ${type.padEnd(13)}${int(count).padStart(11)}${pct(count, outcomes.total).padStart(9)}${pct(row.accepted ?? 0, count).padStart(10)}   ${rejections || '-'}`);
  }
  lines.push(`  ${'all'.padEnd(13)}${int(outcomes.total).padStart(11)}${'100 %'.padStart(9)}${pct(outcomes.accepted, outcomes.total).padStart(10)}`);
  const g = workload.groups;
  const completed = g.completedFull + g.completedAtDeadline + g.completedOfferClosed;
  const failed = g.failedDeadline + g.failedEmpty + g.failedOfferClosed;
  lines.push(
    `  groups: ${int(g.opened)} opened, ${int(g.formed)} formed, ${int(completed)} completed (${int(g.completedFull)} full, ` +
      `${int(g.completedAtDeadline)} at the deadline of which ${int(g.completedAutoFilled)} auto-filled, ${int(g.completedOfferClosed)} on offer close), ` +
      `${int(failed)} failed (${int(g.failedDeadline)} at the deadline, ${int(g.failedEmpty)} left empty, ${int(g.failedOfferClosed)} on offer close)`,
  );
  lines.push(
    `  ${int(g.seats)} seats taken, ${int(g.offersClosed)} offers ended during the run; ${(workload.events / outcomes.total).toFixed(2)} events per command; ` +
      `a match_group's offer had ${g.liveGroupsPerMatchMean.toFixed(1)} live groups on average (max ${int(g.liveGroupsPerMatchMax)})`,
  );
  return lines;
}

const LATENCY_COLUMN = 12;

function latencyRow(label: string, s: HistogramSummary): string {
  return `  ${label.padEnd(22)}${[s.p50, s.p90, s.p99, s.p999, s.max, s.mean].map((v) => us(v).padStart(LATENCY_COLUMN)).join('')}`;
}

function verdict(ok: boolean): string {
  return ok ? 'met' : 'NOT met';
}

interface Report {
  seed: number;
  options: Omit<Options, 'json' | 'profile' | 'profileOut'>;
  machine: string;
  load: { atStart: number; atEnd: number };
  workload: { simulatedSeconds: number; outcomes: Workload['outcomes']; groups: Workload['groups']; eventsPerCommand: number; buildSeconds: number };
  throughput: { engine: Throughput; baseline: Throughput; replayMatchesReference: boolean };
  latency: { engine: Paced; baseline: Paced } | null;
  goals: { throughputMin: number; throughputAim: number; p99MaxUs: number; throughputMet: boolean; p99Met: boolean | null };
}

function printText(report: Report, workload: Workload): void {
  const { options: o, throughput: t, latency: l } = report;
  const out: string[] = [];
  out.push('Engine benchmark: Engine.apply on a group-buy command mix, one thread, commands built before timing');
  out.push(`  ${machine()}`);
  out.push(`  ${loadNote(report.load.atStart, report.load.atEnd)}`);
  out.push(
    `  seed ${report.seed} · ${int(o.offers)} offers · ${int(o.shoppers)} shoppers · ${int(o.commands)} commands ` +
      `· simulated clock ${int(o.simRate)} commands/s (${int(report.workload.simulatedSeconds)} s simulated)`,
  );
  out.push(
    `  workload built in ${report.workload.buildSeconds.toFixed(1)} s by driving a reference engine, which also serves as the warm-up` +
      `${o.warmup > 0 ? ` (plus ${int(o.warmup)} more warm-up commands)` : ''}`,
  );
  out.push('');
  out.push('Workload mix (the reference run\'s results; the timed runs replay the same commands):');
  out.push(...mixLines(workload));
  out.push('');
  out.push(`Throughput (${int(t.engine.commands)} commands each):`);
  out.push(`  ${''.padEnd(22)}${'commands/s'.padStart(14)}${'ns/command'.padStart(13)}${'per CPU-s'.padStart(14)}   by tenth of the run, /s`);
  const tpRow = (label: string, x: Throughput) =>
    `  ${label.padEnd(22)}${int(x.perSecond).padStart(14)}${x.nsPerCommand.toFixed(0).padStart(13)}${int(x.perCpuSecond).padStart(14)}   ` +
    `first ${int(x.sliceRates[0]!)}, last ${int(x.sliceRates[x.sliceRates.length - 1]!)}, slowest ${int(Math.min(...x.sliceRates))}`;
  out.push(tpRow('engine', t.engine));
  out.push(tpRow('Map baseline', t.baseline));
  out.push(
    `  ${'baseline / engine'.padEnd(22)}${ratio(t.baseline.perSecond, t.engine.perSecond).padStart(14)}${''.padStart(13)}` +
      `${ratio(t.baseline.perCpuSecond, t.engine.perCpuSecond).padStart(14)}   (how many times more the baseline does per second)`,
  );
  out.push('  (per CPU-s: commands per second of process CPU time, GC threads included; steadier than wall time on a busy machine)');
  out.push(
    `  goal ≥ ${int(GOALS.throughputMin)} commands/s (aim ${int(GOALS.throughputAim)}): ${verdict(report.goals.throughputMet)}` +
      `${t.engine.perSecond >= GOALS.throughputAim ? ', aim reached' : ''}`,
  );
  if (!t.replayMatchesReference) out.push('  WARNING: the timed run accepted a different number of commands than the reference run');
  if (l) {
    out.push('');
    out.push(
      `Latency at ${int(l.engine.rate)} commands/s, paced (${int(l.engine.commands)} commands, the stream's first; ` +
        'completion − intended start, no coordinated omission), µs:',
    );
    out.push(`  ${''.padEnd(22)}${['p50', 'p90', 'p99', 'p99.9', 'max', 'mean'].map((h) => h.padStart(LATENCY_COLUMN)).join('')}`);
    out.push(latencyRow('engine', l.engine.latencyNs));
    out.push(latencyRow('Map baseline', l.baseline.latencyNs));
    const r = (k: keyof HistogramSummary) => ratio(l.engine.latencyNs[k], l.baseline.latencyNs[k]).padStart(LATENCY_COLUMN);
    out.push(`  ${'engine / baseline'.padEnd(22)}${r('p50')}${r('p90')}${r('p99')}${r('p999')}${r('max')}${r('mean')}`);
    out.push(latencyRow('engine service time', l.engine.serviceNs));
    out.push('  (service time: the command alone, without waiting behind earlier ones; for diagnosis)');
    out.push(
      `  achieved ${int(l.engine.achievedRate)} /s (baseline ${int(l.baseline.achievedRate)} /s); started over one interval late: ` +
        `engine ${pct(l.engine.startedLate, l.engine.commands)}, baseline ${pct(l.baseline.startedLate, l.baseline.commands)}`,
    );
    if (l.engine.achievedRate < l.engine.rate * 0.98) {
      out.push(
        `  The engine kept up with only ${int(l.engine.achievedRate)} of the ${int(l.engine.rate)} commands/s asked, so a queue grew for the ` +
          'whole run and the latencies above are mostly time spent waiting in it. Rerun with --rate below the throughput figure ' +
          'to see latency at a rate the engine sustains.',
      );
    }
    out.push(`  goal p99 ≤ ${GOALS.p99MaxUs} µs at ${int(l.engine.rate)}/s: ${verdict(report.goals.p99Met === true)}`);
  }
  out.push('');
  out.push('Where the time goes: npm run bench:engine -- --profile');
  console.log(out.join('\n'));
}

function printProfile(summary: ProfileSummary, t: Throughput, json: boolean): void {
  if (json) {
    console.log(JSON.stringify({ throughputUnderProfiler: t, profile: { ...summary, hotSpots: summary.hotSpots.slice(0, 40) } }, null, 2));
    return;
  }
  const out: string[] = [];
  out.push(`Profiled throughput run: ${int(t.perSecond)} commands/s under the profiler (${int(summary.samples)} samples every ${summary.sampleIntervalUs} µs)`);
  out.push(`Profile written to ${summary.file} (open in Chrome DevTools → Performance, or speedscope)`);
  out.push('');
  out.push('Top functions by self time (total = with callees). V8 inlines small functions into their callers, whose');
  out.push("self time then includes them: read a caller's self time together with what it calls.");
  out.push(`  ${'self'.padStart(7)}${'total'.padStart(8)}  function`);
  for (const spot of summary.hotSpots.slice(0, 25)) {
    out.push(`  ${spot.selfPercent.toFixed(1).padStart(6)}%${spot.totalPercent.toFixed(1).padStart(7)}%  ${spot.functionName}${spot.location ? `  ${spot.location}` : ''}`);
  }
  console.log(out.join('\n'));
}

// ---------------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const options = readOptions(process.argv.slice(2));
  if (!options) {
    console.log(USAGE);
    return;
  }
  const log = (line: string) => {
    // Progress goes to stderr so `--json` output on stdout stays machine-readable.
    process.stderr.write(`${line}\n`);
  };

  const loadAtStart = os.loadavg()[0]!;
  log(`building workload: seed ${options.seed}, ${int(options.commands)} commands…`);
  const buildStart = now();
  const workload = buildWorkload({
    ...DEFAULT_WORKLOAD,
    seed: options.seed,
    offers: options.offers,
    shoppers: options.shoppers,
    commands: options.commands,
    simCommandsPerSecond: options.simRate,
  });
  const buildSeconds = (now() - buildStart) / 1000;
  collectGarbage();

  if (options.warmup > 0) {
    log(`warming up (${int(options.warmup)} commands)…`);
    warmUp(workload, options.warmup);
    collectGarbage();
  }

  if (options.profile) {
    log('profiling the throughput run…');
    let result: { throughput: Throughput; accepted: number } | null = null;
    const summary = await profile(options.profileOut, () => {
      result = engineThroughput(workload, options.commands);
    });
    printProfile(summary, result!.throughput, options.json);
    return;
  }

  log('throughput: engine…');
  const engineTp = engineThroughput(workload, options.commands);
  collectGarbage();
  log('throughput: Map baseline…');
  const baselineTp = baselineThroughput(workload.baselineKeys, options.commands);

  let latency: Report['latency'] = null;
  if (options.latencyCommands > 0) {
    // Only the prefix is needed from here on; dropping the rest keeps the old generation small, so the paced
    // run's collections reflect the engine's own state rather than a benchmark-sized command array.
    workload.commands.length = options.latencyCommands;
    // A short empty paced run, so the measuring loop itself is optimised before it measures anything.
    paced(20_000, 1_000_000, () => undefined);
    collectGarbage();
    log(`latency: engine, ${int(options.latencyCommands)} commands at ${int(options.rate)}/s…`);
    const engine = engineLatency(workload, options.latencyCommands, options.rate);
    collectGarbage();
    log(`latency: Map baseline, ${int(options.latencyCommands)} commands at ${int(options.rate)}/s…`);
    const baseline = baselineLatency(workload.baselineKeys, options.latencyCommands, options.rate);
    latency = { engine, baseline };
  }

  const report: Report = {
    seed: options.seed,
    options: {
      commands: options.commands,
      latencyCommands: options.latencyCommands,
      warmup: options.warmup,
      offers: options.offers,
      shoppers: options.shoppers,
      rate: options.rate,
      seed: options.seed,
      simRate: options.simRate,
    },
    machine: machine(),
    load: { atStart: loadAtStart, atEnd: os.loadavg()[0]! },
    workload: {
      simulatedSeconds: workload.simulatedSeconds,
      outcomes: workload.outcomes,
      groups: workload.groups,
      eventsPerCommand: workload.events / workload.outcomes.total,
      buildSeconds,
    },
    throughput: { engine: engineTp.throughput, baseline: baselineTp.throughput, replayMatchesReference: engineTp.accepted === workload.outcomes.accepted },
    latency,
    goals: {
      ...GOALS,
      throughputMet: engineTp.throughput.perSecond >= GOALS.throughputMin,
      p99Met: latency ? latency.engine.latencyNs.p99 / 1000 <= GOALS.p99MaxUs : null,
    },
  };
  if (options.json) console.log(JSON.stringify(report, null, 2));
  else printText(report, workload);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
