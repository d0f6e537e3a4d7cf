// `npm run bench`: a short run of every benchmark, each in a child process of its own (so one's heap, JIT state and
// leftover sockets cannot disturb the next), gathered into one table of tuan's figures next to the baselines
// measured in the same run, and written as JSON so runs can be compared.
//
//   npm run bench                                   every benchmark, short (about 3 minutes on 2 cores)
//   npm run bench -- --scale 3                      three times the counts and durations
//   npm run bench -- --only ws,socketio             some benchmarks (engine, pricing, journal, http, ws, socketio, effects)
//   npm run bench -- --compare bench/results/<earlier>.json
//   npm run bench -- --help
//
// Each benchmark is run with its own `--json` option and read through a schema of the fields the table uses
// (lib/bench-rows.ts). The effects benchmark needs a Redis: it runs against REDIS_URL (on this machine only) or
// 127.0.0.1:6379 when one answers, and is skipped with a note otherwise. Figures are printed; nothing fails on
// timing. The exit code is 1 when a benchmark itself failed, so a broken benchmark does not go unnoticed.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { BENCH_NAMES, ROWS_OF, type BenchName } from './lib/bench-rows.ts';
import {
  compareResults,
  formatBenchmarks,
  formatMachine,
  formatRows,
  loadWarning,
  parseResults,
  RESULTS_SCHEMA_VERSION,
  type BenchRun,
  type MachineInfo,
  type Results,
  type Row,
} from './lib/bench-table.ts';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = resolve(BENCH_DIR, '..');
/** A report bigger than this is not a benchmark's JSON: stop reading rather than hold it all. */
const MAX_REPORT_BYTES = 32 * 1024 * 1024;
/** Lines of a failed benchmark's stderr kept for the reason. */
const STDERR_TAIL_LINES = 12;

interface Options {
  only: BenchName[];
  scale: number;
  subscribers: number;
  out: string;
  compare: string | null;
}

/** What each benchmark needs from the machine, found out before anything runs. */
interface Environment {
  /** A Redis that answered on loopback, for the effects benchmark. */
  redisUrl: string | null;
  redisNote: string | null;
  /** Whether the journal benchmark can start its private redis-server. */
  redisServerInstalled: boolean;
}

interface Spec {
  name: BenchName;
  script: string;
  /** Seconds before the runner stops it: its own bounds should end it well before. */
  timeoutS: number;
  args(options: Options, env: Environment): string[];
  /** Why it cannot run here, if so. */
  skip?(env: Environment): string | null;
  /** What was left out when it runs reduced. */
  note?(env: Environment): string | null;
}

const count = (options: Options, base: number): string => String(Math.max(1, Math.round(base * options.scale)));
const seconds = (options: Options, base: number): string => String(Number((base * options.scale).toFixed(2)));

/** The short versions. Fan-out and Socket.IO use the same subscribers, duration and window, so they compare. */
const SPECS: Spec[] = [
  { name: 'engine', script: 'engine-bench.ts', timeoutS: 120, args: (o) => ['--commands', count(o, 300_000), '--latency-commands', '0', '--json'] },
  { name: 'pricing', script: 'pricing-bench.ts', timeoutS: 90, args: (o) => ['--evaluations', count(o, 500_000), '--rounds', '3', '--json'] },
  {
    name: 'journal',
    script: 'journal-bench.ts',
    timeoutS: 120,
    args: (o, env) => ['--entries', count(o, 30_000), '--recovery-entries', '0', '--store', env.redisServerInstalled ? 'both' : 'file', '--json'],
    note: (env) => (env.redisServerInstalled ? null : 'redis-server is not installed: file store only'),
  },
  { name: 'http', script: 'http-bench.ts', timeoutS: 90, args: (o) => ['--duration', seconds(o, 3), '--warmup', '1', '--max-seconds', '80', '--json'] },
  {
    name: 'ws',
    script: 'ws-bench.ts',
    timeoutS: 180,
    args: (o) => {
      const subscribers = String(o.subscribers);
      return [
        '--phases', 'throughput,fanout', '--duration', seconds(o, 2), '--warmup', '1',
        '--subscribers', subscribers, '--fanout', subscribers, '--rounds', count(o, 50), '--rounds-seconds', seconds(o, 1.5),
        '--fanout-duration', seconds(o, 2), '--max-seconds', String(Math.round(120 * Math.max(1, o.scale))), '--json',
      ];
    },
  },
  {
    name: 'socketio',
    script: 'socketio-fanout.ts',
    timeoutS: 180,
    args: (o) => [
      '--subscribers', String(o.subscribers), '--rounds', count(o, 50), '--rounds-seconds', seconds(o, 1.5),
      '--fanout-duration', seconds(o, 2), '--warmup', '1', '--max-seconds', String(Math.round(150 * Math.max(1, o.scale))), '--json',
    ],
  },
  {
    name: 'effects',
    script: 'effects-bench.ts',
    timeoutS: 120,
    args: (o, env) => ['--effects', count(o, 20_000), '--rounds', '1', '--redis-url', env.redisUrl ?? '', '--json'],
    skip: (env) => (env.redisUrl === null ? env.redisNote : null),
  },
];

const USAGE = `Usage: npm run bench -- [options]
  --only <list>         benchmarks to run, of ${BENCH_NAMES.join(', ')} (default all)
  --scale <x>           multiply counts and durations (default 1: about 3 minutes on 2 cores)
  --subscribers <n>     fan-out subscribers, tuan and Socket.IO alike (default 1000)
  --out <file>          where to write the JSON (default bench/results/<timestamp>.json)
  --compare <file>      print the change against an earlier run's JSON
Effects needs a Redis on this machine: REDIS_URL, else 127.0.0.1:6379; skipped when none answers.`;

function readOptions(argv: string[], startedAt: Date): Options | null {
  const { values } = parseArgs({
    args: argv,
    options: {
      only: { type: 'string' },
      scale: { type: 'string', default: '1' },
      subscribers: { type: 'string', default: '1000' },
      out: { type: 'string' },
      compare: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) return null;
  const only = values.only === undefined ? [...BENCH_NAMES] : values.only.split(',').map((name) => name.trim()).filter(Boolean);
  for (const name of only) if (!BENCH_NAMES.includes(name as BenchName)) throw new Error(`--only: "${name}" is not one of ${BENCH_NAMES.join(', ')}`);
  const scale = Number(values.scale);
  if (!Number.isFinite(scale) || scale <= 0 || scale > 20) throw new Error(`--scale: expected a number in (0, 20], got "${values.scale}"`);
  const subscribers = Number(values.subscribers.replace(/k$/i, '000'));
  if (!Number.isInteger(subscribers) || subscribers < 1 || subscribers > 20_000) throw new Error(`--subscribers: expected an integer in [1, 20000], got "${values.subscribers}"`);
  const stamp = startedAt.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
  return { only: only as BenchName[], scale, subscribers, out: resolve(values.out ?? join(BENCH_DIR, 'results', `${stamp}.json`)), compare: values.compare ?? null };
}

const log = (line: string): void => void process.stderr.write(`${line}\n`);
/** Relative to the working directory when inside it, else as given. */
const displayPath = (path: string): string => (relative(process.cwd(), path).startsWith('..') ? path : relative(process.cwd(), path));

/** Loopback only: a benchmark floods what it talks to, and these stay on this machine. */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

async function findRedis(): Promise<Pick<Environment, 'redisUrl' | 'redisNote'>> {
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { redisUrl: null, redisNote: 'REDIS_URL is not a URL: effects skipped' };
  }
  // Shown without credentials.
  const where = `${parsed.hostname}:${parsed.port || '6379'}`;
  if (!LOOPBACK_HOSTS.has(parsed.hostname)) return { redisUrl: null, redisNote: `REDIS_URL points at ${where}, off this machine: effects skipped (benchmarks stay on loopback)` };
  const client = new Redis(url, { lazyConnect: true, connectTimeout: 1_000, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    return { redisUrl: url, redisNote: null };
  } catch (error) {
    return { redisUrl: null, redisNote: `no Redis answered at ${where} (${error instanceof Error ? error.message : String(error)}): effects skipped; start one or set REDIS_URL` };
  } finally {
    client.disconnect();
  }
}

function redisServerInstalled(): boolean {
  const result = spawnSync(process.env.REDIS_SERVER_BIN ?? 'redis-server', ['--version'], { encoding: 'utf8', timeout: 5_000 });
  return result.status === 0;
}

function git(args: string[]): string | null {
  const result = spawnSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8', timeout: 5_000 });
  return result.status === 0 ? result.stdout : null;
}

function machineInfo(loadBefore: number[]): MachineInfo {
  const cpus = os.cpus();
  const commit = git(['rev-parse', 'HEAD'])?.trim() ?? null;
  const status = commit === null ? null : git(['status', '--porcelain', '--untracked-files=no']);
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    platform: process.platform,
    arch: process.arch,
    node: process.version,
    totalMemoryBytes: os.totalmem(),
    loadBefore,
    loadAfter: os.loadavg(),
    gitCommit: commit,
    gitDirty: status === null ? null : status.trim().length > 0,
  };
}

let running: ChildProcess | null = null;

interface ChildOutcome {
  stdout: string;
  stderrTail: string[];
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
}

/** Runs one benchmark with this process's Node flags (the TypeScript loader); its progress is shown prefixed. */
function runChild(spec: Spec, args: string[]): Promise<ChildOutcome> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, join(BENCH_DIR, spec.script), ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    running = child;
    const chunks: Buffer[] = [];
    let bytes = 0;
    const tail: string[] = [];
    let partial = '';
    let timedOut = false;
    child.stdout.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes <= MAX_REPORT_BYTES) chunks.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        log(`  [${spec.name}] ${line}`);
        tail.push(line);
        if (tail.length > STDERR_TAIL_LINES) tail.shift();
      }
    });
    // Its own bounds should stop it first; this is for a hang. SIGTERM lets it close its servers, SIGKILL follows.
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
    }, spec.timeoutS * 1_000);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      running = null;
      if (partial) tail.push(partial);
      resolvePromise({ stdout: Buffer.concat(chunks).toString('utf8'), stderrTail: tail, code, signal, timedOut });
    });
  });
}

async function runOne(spec: Spec, options: Options, env: Environment): Promise<{ run: BenchRun; rows: Row[]; report: unknown }> {
  const loadAtStart = os.loadavg()[0]!;
  const skip = spec.skip?.(env) ?? null;
  if (skip !== null) {
    log(`- ${spec.name}: skipped: ${skip}`);
    return { run: { name: spec.name, status: 'skipped', seconds: 0, reason: skip, loadAtStart }, rows: [], report: null };
  }
  const args = spec.args(options, env);
  const command = `tsx bench/${spec.script} ${args.join(' ')}`;
  log(`▶ ${spec.name}: ${command}`);
  const started = performance.now();
  const outcome = await runChild(spec, args);
  const elapsed = (performance.now() - started) / 1_000;
  const base = { name: spec.name, seconds: elapsed, loadAtStart, command };
  const failed = (reason: string) => ({ run: { ...base, status: 'failed' as const, reason }, rows: [], report: null });
  if (outcome.timedOut) return failed(`stopped after ${spec.timeoutS} s`);
  if (outcome.code !== 0) return failed(`exited with ${outcome.signal ?? `code ${outcome.code}`}: ${outcome.stderrTail.filter(Boolean).slice(-3).join(' / ')}`);
  try {
    const start = outcome.stdout.indexOf('{');
    const report: unknown = JSON.parse(start < 0 ? outcome.stdout : outcome.stdout.slice(start));
    const note = spec.note?.(env) ?? undefined;
    return { run: { ...base, status: 'ok', ...(note ? { reason: note } : {}) }, rows: ROWS_OF[spec.name](report), report };
  } catch (error) {
    return failed(error instanceof Error ? error.message : String(error));
  }
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const options = readOptions(process.argv.slice(2), startedAt);
  if (!options) {
    console.log(USAGE);
    return;
  }
  // An unreadable earlier run should fail now, not after three minutes of benchmarks.
  const earlier = options.compare === null ? null : parseResults(readFileSync(options.compare, 'utf8'), options.compare);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      running?.kill('SIGTERM');
      process.exit(130);
    });
  }
  const loadBefore = os.loadavg();
  const env: Environment = { ...(await findRedis()), redisServerInstalled: redisServerInstalled() };
  log(`bench: ${options.only.join(', ')} · scale ${options.scale} · ${options.subscribers} fan-out subscribers · load average ${loadBefore[0]!.toFixed(2)}`);
  const runs: BenchRun[] = [];
  const rows: Row[] = [];
  const reports: Record<string, unknown> = {};
  for (const spec of SPECS.filter((s) => options.only.includes(s.name))) {
    const result = await runOne(spec, options, env);
    runs.push(result.run);
    rows.push(...result.rows);
    if (result.report !== null) reports[spec.name] = result.report;
  }
  const results: Results = {
    schemaVersion: RESULTS_SCHEMA_VERSION,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    machine: machineInfo(loadBefore),
    options: { only: options.only, scale: options.scale, subscribers: options.subscribers },
    rows,
    benchmarks: runs,
    reports,
  };
  mkdirSync(dirname(options.out), { recursive: true });
  writeFileSync(options.out, `${JSON.stringify(results, null, 2)}\n`);

  const out: string[] = ['', `tuan benchmarks, ${results.startedAt}`, formatMachine(results.machine)];
  const warning = loadWarning(results.machine);
  if (warning) out.push(`warning: ${warning}`);
  out.push('', ...formatRows(rows), '', 'Benchmarks:', ...formatBenchmarks(runs), '', `Written to ${displayPath(options.out)}`);
  if (earlier) out.push('', ...compareResults(earlier, results));
  console.log(out.join('\n'));
  if (runs.some((r) => r.status === 'failed')) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
