// The long fault-simulation run (`npm run sim:faults`): many seeds, many steps each, bounded in time, with progress
// and throughput. Exits non-zero on the first failure, printing the seed, the step and the command that replays it.
//
//   npm run sim:faults -- --seeds 10000 --steps 2000 --max-seconds 600
//   npm run sim:faults -- --seed 1234 --steps 57 --trace      # replay one seed, printing every delivery
//   npm run sim:faults -- --seed 1234 --steps 57 --known-bugs # drive into the engine bugs not fixed yet
import { parseArgs } from 'node:util';
import { SimFailure } from './failure.ts';
import { simulate, type SimReport } from './simulation.ts';

const USAGE = `usage: npm run sim:faults -- [--seeds N] [--steps N] [--first-seed S] [--max-seconds T] [--seed S] [--trace] [--known-bugs]
  --seeds N         seeds to run (default 10000), from --first-seed on
  --steps N         steps per seed (default 2000)
  --first-seed S    first seed (default: a random one, printed)
  --max-seconds T   stop starting new seeds after T seconds (default 600)
  --seed S          run this one seed only (a replay); with --trace, print every delivery
  --known-bugs      drive into the engine bugs found and not fixed yet (test/fault-sim/known-engine-bugs.ts)`;

function positiveInteger(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 0) {
    process.stderr.write(`${name} must be a non-negative integer, got "${text}"\n${USAGE}\n`);
    process.exit(2);
  }
  return value;
}

let parsed: ReturnType<typeof parseOptions>;
function parseOptions() {
  return parseArgs({
    options: {
      seeds: { type: 'string' },
      steps: { type: 'string' },
      'first-seed': { type: 'string' },
      'max-seconds': { type: 'string' },
      seed: { type: 'string' },
      trace: { type: 'boolean', default: false },
      'known-bugs': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
}
try {
  parsed = parseOptions();
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
  process.exit(2);
}
const { values } = parsed;
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

const single = values.seed !== undefined;
const steps = positiveInteger('--steps', values.steps, 2_000);
const seeds = single ? 1 : positiveInteger('--seeds', values.seeds, 10_000);
const firstSeed = single ? positiveInteger('--seed', values.seed, 0) : positiveInteger('--first-seed', values['first-seed'], Math.floor(Math.random() * 2 ** 31));
const maxSeconds = positiveInteger('--max-seconds', values['max-seconds'], 600);
const trace = values.trace ? (line: string) => process.stdout.write(`${line}\n`) : undefined;

process.stdout.write(`sim:faults: seeds ${firstSeed}..${firstSeed + seeds - 1}, ${steps} steps each, at most ${maxSeconds} s\n`);
const startedAt = performance.now();
const totals = new Map<string, number>();
const families = new Map<string, number>();
let seedsRun = 0;
let stepsRun = 0;
let deliveries = 0;
let lastProgress = startedAt;

let lastLine = '';
function progress(now: number): void {
  const line = progressLine(now);
  if (line !== lastLine) process.stdout.write(`${line}\n`);
  lastLine = line;
}

function progressLine(now: number): string {
  const seconds = (now - startedAt) / 1_000;
  return `seeds ${seedsRun}/${seeds}, steps ${stepsRun}, deliveries ${deliveries}, ${Math.round(stepsRun / Math.max(seconds, 1e-3))} steps/s, ${seconds.toFixed(1)} s`;
}

for (let seed = firstSeed; seed < firstSeed + seeds; seed++) {
  if ((performance.now() - startedAt) / 1_000 >= maxSeconds) {
    process.stdout.write(`time bound reached (${maxSeconds} s)\n`);
    break;
  }
  let report: SimReport;
  try {
    report = await simulate({ seed, steps, runIntoKnownBugs: values['known-bugs'], ...(trace ? { trace } : {}) });
  } catch (error) {
    progress(performance.now());
    process.stderr.write(`${error instanceof SimFailure ? error.message : `seed ${seed}: ${(error as Error).stack ?? String(error)}`}\n`);
    process.exit(1);
  }
  seedsRun++;
  stepsRun += report.steps;
  deliveries += report.deliveries;
  for (const [what, n] of report.counts) totals.set(what, (totals.get(what) ?? 0) + n);
  const family = report.profile.split(', ').find((part) => part.startsWith('mechanisms '))!.slice('mechanisms '.length);
  families.set(family, (families.get(family) ?? 0) + 1);
  if (single) process.stdout.write(`seed ${seed}: ${report.profile}\n  ${report.deliveries} deliveries, digest ${report.digest}, final state hash ${report.finalStateHash}\n`);
  const now = performance.now();
  if (now - lastProgress >= 2_000) {
    progress(now);
    lastProgress = now;
  }
}

progress(performance.now());
const listed = (prefixes: string[]) =>
  [...totals]
    .filter(([what]) => prefixes.some((prefix) => what.startsWith(prefix)))
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([what, n]) => `  ${what}: ${n}`)
    .join('\n');
process.stdout.write(`seeds by mechanism: ${[...families].map(([family, n]) => `${family} ${n}`).join(', ')}\n`);
process.stdout.write(`faults injected:\n${listed(['fault', 'crash', 'checkpoint', 'delivery', 'keyed', 'late'])}\n`);
process.stdout.write(`per-offer references:\n${listed(['reference:'])}\n`);
process.stdout.write(`sim:faults passed: ${seedsRun} seeds from ${firstSeed}, ${stepsRun} steps\n`);
