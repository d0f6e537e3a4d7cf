// WebSocket benchmark of the gateway: command→reply throughput, join→broadcast latency, fan-out and memory per
// idle connection, each next to a bare uWebSockets.js server measured in the same run by the same load generator.
//
//   npm run bench:ws                                  defaults: about 80 s on 2 cores
//   npm run bench:ws -- --phases fanout --fanout 1k,5k
//   npm run -s bench:ws -- --json > ws-bench.json     figures as JSON (progress goes to stderr)
//   npm run bench:ws -- --help                        every option
//
// Setup: each server (the gateway with an in-memory journal and its rate limits lifted, or the raw uWS app) runs
// in a child process (lib/ws-server-child.ts) so it has a core of its own and its CPU and memory can be read
// apart; the clients (`ws`) run in this process. Everything is on 127.0.0.1 and bounded: connections by the
// options and the open-file limit, time by each phase's duration, and the whole run by --max-seconds. Sockets and
// children are closed on success, on error and on Ctrl-C alike.
//
// Reading the figures: on a small machine the load generator (one Node thread) is often slower than the server.
// Each figure is printed with both processes' CPU use, and when the generator was saturated the report says the
// figure is a lower bound; "per server CPU-second" figures do not depend on the generator and compare the two
// servers' efficiency directly. Figures are printed next to goals; nothing fails on timing.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import type { Profiler } from 'node:inspector';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { mintShopperToken } from '../gateway/index.ts';
import { runGuarded } from './lib/run-guard.ts';
import { killAllServers, ServerChild, writtenProfiles } from './lib/ws-child.ts';
import { hotSpots } from './lib/profile.ts';
import { broadcastRounds, broadcastWindowed, type Broadcast } from './lib/ws-fanout.ts';
import { closeAll, connectMany, expectReplies, openFileLimit, runPipelined, sleep, terminateAllClients, unexpectedCloses, type Client, type ReplyKind } from './lib/ws-load.ts';
import { goalsOf, machine, printText, type FanoutSize, type IdleMemory, type Report, type Throughput } from './lib/ws-report.ts';
import {
  authenticateMessage,
  DELTAS_PER_FAN_COMMAND,
  FAN_DRIVER,
  FAN_GROUP,
  FAN_OFFER,
  joinGroupId,
  joinMessage,
  joinShopperId,
  KIND,
  leaveMessage,
  paddedDelta,
  quoteMessage,
  subscribeMessage,
} from './lib/ws-scenario.ts';

const PHASES = ['throughput', 'fanout', 'memory'] as const;
const PRESENCE_SETTLE_MS = 1_300;
type Phase = (typeof PHASES)[number];

const OPTIONS = {
  connections: { default: '200', help: 'throughput: client connections' },
  depth: { default: '16', help: 'throughput: commands in flight per connection' },
  duration: { default: '4', help: 'throughput: measured seconds per run' },
  warmup: { default: '1', help: 'seconds of load before each measured window' },
  commands: { default: 'quote,join', help: 'throughput: gateway commands to run (quote, join = join_group/leave_group)' },
  subscribers: { default: '1k', help: 'join→broadcast latency: subscribers on the offer channel' },
  rounds: { default: '300', help: 'join→broadcast latency: broadcasts timed at --subscribers (fewer at larger sizes)' },
  'rounds-seconds': { default: '4', help: 'join→broadcast latency: at most this long per server and size' },
  fanout: { default: '1k,10k', help: 'fan-out: subscriber counts' },
  window: { default: '4', help: 'fan-out: broadcasts in flight' },
  'fanout-duration': { default: '3', help: 'fan-out: measured seconds per run' },
  idle: { default: '10k', help: 'memory: idle connections opened' },
  phases: { default: PHASES.join(','), help: `phases to run: ${PHASES.join(', ')}` },
  'max-seconds': { default: '170', help: 'abort the whole run (cleanly) after this long' },
  'profile-dir': { default: '', help: 'write CPU profiles of the servers there and print the gateway\'s hot spots' },
} as const;
type OptionName = keyof typeof OPTIONS;

const USAGE = `Usage: npm run bench:ws -- [options]
${Object.entries(OPTIONS)
  .map(([name, { default: value, help }]) => `  --${name.padEnd(17)} ${help} (default ${value})`)
  .join('\n')}
  --json              print the figures as JSON instead of text
Counts accept k suffixes (10k); seconds may have decimals.`;

export interface Options {
  connections: number;
  depth: number;
  durationS: number;
  warmupS: number;
  commands: ('quote' | 'join')[];
  subscribers: number;
  rounds: number;
  roundsS: number;
  fanout: number[];
  window: number;
  fanoutDurationS: number;
  idle: number;
  phases: Phase[];
  maxSeconds: number;
  profileDir: string | undefined;
  json: boolean;
  /** What the open-file limit made the bench lower, for the report. */
  lowered: string[];
}

function parseCount(name: string, raw: string): number {
  const match = /^(\d+(?:\.\d+)?)([k]?)$/i.exec(raw.replace(/_/g, '').trim());
  const value = match ? Number(match[1]) * (match[2] ? 1_000 : 1) : Number.NaN;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name}: expected a positive number, got "${raw}"`);
  return value;
}

function listOf<T extends string>(name: string, raw: string, allowed: readonly T[]): T[] {
  const items = raw.split(',').map((item) => item.trim()).filter(Boolean);
  for (const item of items) if (!allowed.includes(item as T)) throw new Error(`--${name}: "${item}" is not one of ${allowed.join(', ')}`);
  return items as T[];
}

function readOptions(argv: string[]): Options | null {
  const { values } = parseArgs({
    args: argv,
    options: { ...Object.fromEntries(Object.keys(OPTIONS).map((name) => [name, { type: 'string' as const }])), json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
  });
  if (values.help) return null;
  const raw = (name: OptionName): string => ((values as Record<string, unknown>)[name] as string | undefined) ?? OPTIONS[name].default;
  const int = (name: OptionName): number => Math.max(1, Math.round(parseCount(name, raw(name))));
  const options: Options = {
    connections: int('connections'),
    depth: int('depth'),
    durationS: parseCount('duration', raw('duration')),
    warmupS: parseCount('warmup', raw('warmup')),
    commands: listOf('commands', raw('commands'), ['quote', 'join'] as const),
    subscribers: int('subscribers'),
    rounds: int('rounds'),
    roundsS: parseCount('rounds-seconds', raw('rounds-seconds')),
    fanout: raw('fanout').split(',').map((item) => Math.round(parseCount('fanout', item))),
    window: int('window'),
    fanoutDurationS: parseCount('fanout-duration', raw('fanout-duration')),
    idle: int('idle'),
    phases: listOf('phases', raw('phases'), PHASES),
    maxSeconds: parseCount('max-seconds', raw('max-seconds')),
    profileDir: raw('profile-dir') === '' ? undefined : resolve(raw('profile-dir')),
    json: values.json === true,
    lowered: [],
  };
  return fitToFileLimit(options);
}

/** Both this process and each server hold one descriptor per connection: lower the counts to what the limit allows. */
function fitToFileLimit(options: Options): Options {
  const limit = openFileLimit();
  if (limit === null) {
    options.lowered.push('the open-file limit could not be read; connection counts were left as asked');
    return options;
  }
  // Descriptors besides the connections: stdio, IPC, the event loop's own, the listening socket, some slack.
  const usable = limit - 128;
  const lower = (what: string, asked: number, room: number): number => {
    if (asked <= room) return asked;
    options.lowered.push(`${what} lowered from ${asked} to ${room}: the open-file limit (ulimit -n) is ${limit}; raise it for the full run`);
    return room;
  };
  options.connections = lower('--connections', options.connections, usable);
  // Subscribers share the limit with the driver connection.
  options.subscribers = lower('--subscribers', options.subscribers, usable - 1);
  options.fanout = options.fanout.map((n) => lower('--fanout', n, usable - 1));
  options.idle = lower('--idle', options.idle, usable);
  return options;
}

const startedAt = performance.now();
// Progress goes to stderr so `--json` output on stdout stays machine-readable; the elapsed time shows slow phases.
const log = (line: string): void => void process.stderr.write(`[${((performance.now() - startedAt) / 1_000).toFixed(1).padStart(5)} s] ${line}\n`);
const tokenSecret = randomBytes(32).toString('hex');
const tokenFor = (shopperId: string): string => mintShopperToken(tokenSecret, { shopperId, newcomer: false, ttlS: 3_600 }, Date.now());
const gatewayReply = (kind: number): ReplyKind => (kind === KIND.ack ? 'ok' : kind === KIND.error ? 'error' : 'skip');

function startOptions(options: Options, maxConnections: number) {
  return { maxConnections: maxConnections + 100, tokenSecret, joinConnections: options.connections, ...(options.profileDir ? { profileDir: options.profileDir } : {}) };
}

async function throughputPhase(options: Options, raw: ServerChild, gateway: ServerChild): Promise<Throughput> {
  const run = { depth: options.depth, warmupMs: options.warmupS * 1_000, durationMs: options.durationS * 1_000 };
  const withClients = async <T>(url: string, work: (clients: Client[]) => Promise<T>): Promise<T> => {
    const clients = await connectMany(url, options.connections);
    try {
      return await work(clients);
    } finally {
      await closeAll(clients);
    }
  };
  log(`throughput: raw uWS echo, ${options.connections} connections × ${options.depth} in flight…`);
  const echo = await withClients(raw.wsUrl('/echo'), (clients) =>
    runPipelined({ ...run, clients, server: raw, message: (_client, n) => quoteMessage(n), classify: () => 'ok' }),
  );
  const gatewayRuns: Throughput['gateway'] = {};
  if (options.commands.includes('quote')) {
    log('throughput: gateway quote…');
    gatewayRuns.quote = await withClients(gateway.wsUrl('/ws'), (clients) =>
      runPipelined({ ...run, clients, server: gateway, message: (_client, n) => quoteMessage(n), classify: gatewayReply }),
    );
  }
  if (options.commands.includes('join')) {
    log('throughput: gateway join_group / leave_group…');
    gatewayRuns.join = await withClients(gateway.wsUrl('/ws'), async (clients) => {
      await expectReplies(clients, (client) => authenticateMessage(tokenFor(joinShopperId(client.index))), KIND.ack);
      // Each connection alternates joining and leaving its own group, so every command is accepted and does the
      // same work; commands of one connection are applied in order, so the pipeline keeps the alternation.
      const sent = new Int32Array(clients.length);
      const message = (client: Client, n: number): string =>
        sent[client.index]!++ % 2 === 0 ? joinMessage(joinGroupId(client.index), n) : leaveMessage(joinGroupId(client.index), n);
      return runPipelined({ ...run, clients, server: gateway, message, classify: gatewayReply });
    });
  }
  return { connections: options.connections, depth: options.depth, echo, gateway: gatewayRuns };
}

/** The gateway's driver alternates join and leave across every size and run, so the group never fills. */
let gatewayTriggers = 0;

async function fanoutSize(options: Options, raw: ServerChild, gateway: ServerChild, subscribers: number): Promise<FanoutSize> {
  const timed = Math.max(20, Math.round((options.rounds * options.subscribers) / subscribers));
  const warmupRounds = Math.max(4, Math.round(timed / 10));
  const measure = async (b: Broadcast) => {
    const rounds = await broadcastRounds(b, timed, warmupRounds, options.roundsS * 1_000);
    log(`  ${rounds.rounds} broadcasts one at a time; now ${options.window} in flight…`);
    const windowed = await broadcastWindowed(b, options.window, options.warmupS * 500, options.fanoutDurationS * 1_000);
    return { rounds, windowed };
  };
  const withClients = async <T>(subscribeUrl: string, driverUrl: string, work: (subs: Client[], driver: Client) => Promise<T>): Promise<T> => {
    const subs = await connectMany(subscribeUrl, subscribers);
    let driver: Client[] = [];
    try {
      driver = await connectMany(driverUrl, 1);
      return await work(subs, driver[0]!);
    } finally {
      await closeAll([...subs, ...driver]);
    }
  };

  log(`fan-out: gateway, ${subscribers} subscribers on offer:${FAN_OFFER}…`);
  const gatewayResult = await withClients(gateway.wsUrl('/ws'), gateway.wsUrl('/ws'), async (subs, driver) => {
    log('  subscribing…');
    await expectReplies(subs, () => subscribeMessage(`offer:${FAN_OFFER}`), KIND.subscribed);
    await expectReplies([driver], () => authenticateMessage(tokenFor(FAN_DRIVER)), KIND.ack);
    // Every subscribe changed the watcher count; the presence update it causes goes out within the gateway's
    // presence interval (1 s by default) and would otherwise land in the measured window.
    await sleep(PRESENCE_SETTLE_MS);
    const b: Broadcast = {
      subscribers: subs,
      driver,
      server: gateway,
      trigger: (n) => (n % 2 === 0 ? joinMessage(FAN_GROUP, n) : leaveMessage(FAN_GROUP, n)),
      perTrigger: DELTAS_PER_FAN_COMMAND,
      sent: gatewayTriggers,
    };
    try {
      return await measure(b);
    } finally {
      gatewayTriggers = b.sent;
    }
  });

  // The baseline publishes messages of the sizes the gateway just sent, so both move the same bytes.
  const sizes = gatewayResult.rounds.sizes;
  if (sizes.length !== DELTAS_PER_FAN_COMMAND) throw new Error(`expected ${DELTAS_PER_FAN_COMMAND} deltas per join, saw ${sizes.length}`);
  await raw.setRawPayload(sizes.map(paddedDelta), '{}');
  log(`fan-out: raw uWS publish, ${subscribers} subscribers…`);
  const rawResult = await withClients(raw.wsUrl('/sub'), raw.wsUrl('/pub'), async (subs, driver) => {
    await expectReplies(subs, () => 'subscribe', KIND.subscribed);
    return measure({ subscribers: subs, driver, server: raw, trigger: () => 'publish', perTrigger: sizes.length, sent: 0 });
  });
  return { subscribers, messageBytes: sizes, gateway: gatewayResult, raw: rawResult };
}

async function idleMemory(options: Options, mode: 'raw' | 'gateway'): Promise<IdleMemory> {
  log(`memory: ${mode === 'raw' ? 'raw uWS' : 'gateway'}, ${options.idle} idle connections…`);
  const server = await ServerChild.start(mode, startOptions(options, options.idle));
  try {
    const url = server.wsUrl(mode === 'raw' ? '/echo' : '/ws');
    // A few connections first, so code and buffers made on first use are not billed to the measured ones.
    await closeAll(await connectMany(url, Math.min(200, options.idle)));
    await sleep(200);
    const before = await server.usage(true);
    const clients = await connectMany(url, options.idle);
    try {
      await sleep(500);
      const after = await server.usage(true);
      return {
        connections: options.idle,
        rssBefore: before.rss,
        rssAfter: after.rss,
        rssPerConnection: (after.rss - before.rss) / options.idle,
        heapPerConnection: (after.heapUsed - before.heapUsed) / options.idle,
        externalPerConnection: (after.external - before.external) / options.idle,
      };
    } finally {
      await closeAll(clients);
    }
  } finally {
    await server.stop();
  }
}

async function run(options: Options): Promise<Report> {
  const loadAtStart = os.loadavg()[0]!;
  const report: Report = { options, machine: machine(), load: { atStart: loadAtStart, atEnd: 0 }, throughput: null, fanout: [], memory: null, unexpectedCloses: {} };
  const wants = (phase: Phase): boolean => options.phases.includes(phase);
  if (wants('throughput') || wants('fanout')) {
    const sizes = [...new Set([options.subscribers, ...options.fanout])].sort((a, b) => a - b);
    const most = Math.max(options.connections, ...sizes.map((n) => n + 1));
    log('starting the servers…');
    const [raw, gateway] = await Promise.all([ServerChild.start('raw', startOptions(options, most)), ServerChild.start('gateway', startOptions(options, most))]);
    try {
      if (wants('throughput')) report.throughput = await throughputPhase(options, raw, gateway);
      if (wants('fanout')) for (const n of sizes) report.fanout.push(await fanoutSize(options, raw, gateway, n));
    } finally {
      await Promise.all([raw.stop(), gateway.stop()]);
    }
  }
  if (wants('memory')) report.memory = { raw: await idleMemory(options, 'raw'), gateway: await idleMemory(options, 'gateway') };
  report.load.atEnd = os.loadavg()[0]!;
  report.unexpectedCloses = Object.fromEntries(unexpectedCloses);
  report.goals = goalsOf(report);
  return report;
}

/** The gateway's hottest functions, from the profiles its server processes wrote when they stopped. */
function printProfiles(): void {
  const out = ['', 'Server CPU profiles (open in Chrome DevTools → Performance, or speedscope):'];
  for (const { mode, dir } of writtenProfiles) {
    // The main thread's profile is the largest; the others are the TypeScript loader's.
    const files = existsSync(dir) ? readdirSync(dir).map((name) => join(dir, name)).sort((a, b) => statSync(b).size - statSync(a).size) : [];
    const file = files[0];
    if (file === undefined) {
      out.push(`  ${mode}: nothing written to ${dir} (the server did not exit cleanly)`);
      continue;
    }
    out.push(`  ${mode}: ${file}`);
    if (mode !== 'gateway') continue;
    const all = hotSpots(JSON.parse(readFileSync(file, 'utf8')) as Profiler.Profile);
    // Shares of the busy samples: the server idles between phases, which would dilute every figure.
    const idle = all.find((spot) => spot.functionName === '(idle)')?.selfPercent ?? 0;
    const scale = idle < 100 ? 100 / (100 - idle) : 0;
    out.push(`  ${'self'.padStart(7)}${'total'.padStart(8)}  function (gateway, whole run, share of busy time; idle was ${idle.toFixed(0)} % of it)`);
    for (const spot of all.filter((s) => s.functionName !== '(idle)').slice(0, 20)) {
      out.push(
        `  ${(spot.selfPercent * scale).toFixed(1).padStart(6)}%${(spot.totalPercent * scale).toFixed(1).padStart(7)}%  ${spot.functionName}${spot.location ? `  ${spot.location}` : ''}`,
      );
    }
  }
  console.log(out.join('\n'));
}

function cleanUp(): void {
  terminateAllClients();
  killAllServers();
}

async function main(): Promise<void> {
  const options = readOptions(process.argv.slice(2));
  if (!options) {
    console.log(USAGE);
    return;
  }
  for (const line of options.lowered) log(line);
  await runGuarded({ maxSeconds: options.maxSeconds, log, cleanUp }, async () => {
    const report = await run(options);
    if (options.json) console.log(JSON.stringify(report, null, 2));
    else printText(report);
    if (options.profileDir && !options.json) printProfiles();
  });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  // A server that died or dropped clients is the usual cause of a stall; say so next to the error.
  if (unexpectedCloses.size > 0) console.error(`connections closed by the server, by close code: ${[...unexpectedCloses].map(([code, n]) => `${code} × ${n}`).join(', ')}`);
  process.exitCode = 1;
});
