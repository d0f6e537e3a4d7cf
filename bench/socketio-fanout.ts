// Fan-out benchmark against Socket.IO: the same broadcast workload as ws-bench's fan-out phase (same subscriber
// count, same messages and sizes, same broadcasts in flight, same measured time), done by tuan's gateway and by a
// Socket.IO server broadcasting to a room, measured in the same run by the same bookkeeping.
//
//   npx tsx bench/socketio-fanout.ts                          defaults: 1k subscribers, about 40 s on 2 cores
//   npx tsx bench/socketio-fanout.ts --subscribers 5k --fanout-duration 5
//   npx tsx bench/socketio-fanout.ts --engines ws --json      Socket.IO's default engine only, figures as JSON
//
// Setup, mirroring ws-bench: each server runs in a child process (the gateway in lib/ws-server-child.ts with its
// in-memory journal and rate limits lifted; Socket.IO in lib/socketio-server-child.ts), and the subscribers and the
// driver run in this process, on 127.0.0.1. The gateway's driver joins and leaves a group of the watched offer
// (two deltas each); Socket.IO's driver emits `publish`, and the server emits two messages of the same byte size
// to the room and acknowledges. The gateway runs first; Socket.IO then sends what the gateway sent, byte for byte
// in size. Everything is bounded: connections by --subscribers and the open-file limit, each phase by its clock,
// and the whole run by --max-seconds. Figures are printed next to the goal (≥ 10× Socket.IO); nothing fails on
// timing.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { mintShopperToken } from '../gateway/index.ts';
import { runGuarded } from './lib/run-guard.ts';
import { killAllServers, ServerChild } from './lib/ws-child.ts';
import { broadcastRounds, broadcastWindowed, type Broadcast } from './lib/ws-fanout.ts';
import { closeAll, connectMany, expectReplies, openFileLimit, sleep, terminateAllClients, unexpectedCloses } from './lib/ws-load.ts';
import { machine } from './lib/ws-report.ts';
import { authenticateMessage, DELTAS_PER_FAN_COMMAND, FAN_DRIVER, FAN_GROUP, FAN_OFFER, joinMessage, KIND, leaveMessage, paddedDelta, subscribeMessage } from './lib/ws-scenario.ts';
import { killAllSocketIoServers, SOCKETIO_ENGINES, SocketIoServerChild, type SocketIoEngine } from './lib/socketio-child.ts';
import { closeAllSio, connectManySio, disconnectAllSioClients, sioRounds, sioWindowed, subscribeAll, type SioClient } from './lib/socketio-load.ts';
import { compareWithSocketIo, ENGINE_LABEL, printSocketIoText, type FanoutRun, type SocketIoReport } from './lib/socketio-report.ts';

/** Every subscribe changes the gateway's watcher count; the presence update it causes goes out within 1 s. */
const PRESENCE_SETTLE_MS = 1_300;
/** Socket.IO wraps an event as `42["delta",<payload>]`: the payload is this much shorter than the frame. */
const SOCKETIO_FRAMING_BYTES = '42["delta",]'.length;

const USAGE = `Usage: npx tsx bench/socketio-fanout.ts [options]
  --subscribers <n>       subscribers on the channel / in the room (default 1k)
  --window <n>            broadcasts in flight (default 4)
  --fanout-duration <s>   measured seconds per server (default 3)
  --warmup <s>            unmeasured load before each window, in s × 0.5 as ws-bench does (default 1)
  --rounds <n>            broadcasts timed one at a time before the window (default 300)
  --rounds-seconds <s>    at most this long for those (default 4)
  --engines <list>        Socket.IO engines: ws (its default), uws (attached to uWebSockets.js) (default ws,uws)
  --max-seconds <s>       abort the whole run (cleanly) after this long (default 150)
  --json                  print the figures as JSON instead of text (progress goes to stderr)
Counts accept k suffixes (5k); seconds may have decimals.`;

type Options = SocketIoReport['options'] & { maxSeconds: number; json: boolean };

function parseCount(name: string, raw: string): number {
  const match = /^(\d+(?:\.\d+)?)([k]?)$/i.exec(raw.replace(/_/g, '').trim());
  const value = match ? Number(match[1]) * (match[2] ? 1_000 : 1) : Number.NaN;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name}: expected a positive number, got "${raw}"`);
  return value;
}

function readOptions(argv: string[]): Options | null {
  const { values } = parseArgs({
    args: argv,
    options: {
      subscribers: { type: 'string', default: '1k' },
      window: { type: 'string', default: '4' },
      'fanout-duration': { type: 'string', default: '3' },
      warmup: { type: 'string', default: '1' },
      rounds: { type: 'string', default: '300' },
      'rounds-seconds': { type: 'string', default: '4' },
      engines: { type: 'string', default: SOCKETIO_ENGINES.join(',') },
      'max-seconds': { type: 'string', default: '150' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) return null;
  const engines = values.engines.split(',').map((item) => item.trim()).filter(Boolean);
  for (const engine of engines) if (!SOCKETIO_ENGINES.includes(engine as SocketIoEngine)) throw new Error(`--engines: "${engine}" is not one of ${SOCKETIO_ENGINES.join(', ')}`);
  const options: Options = {
    subscribers: Math.round(parseCount('subscribers', values.subscribers)),
    window: Math.round(parseCount('window', values.window)),
    fanoutDurationS: parseCount('fanout-duration', values['fanout-duration']),
    warmupS: parseCount('warmup', values.warmup),
    rounds: Math.round(parseCount('rounds', values.rounds)),
    roundsS: parseCount('rounds-seconds', values['rounds-seconds']),
    engines: engines as SocketIoEngine[],
    maxSeconds: parseCount('max-seconds', values['max-seconds']),
    json: values.json,
    lowered: [],
  };
  // Each server and this process hold one descriptor per connection, besides a few of their own.
  const limit = openFileLimit();
  if (limit !== null && options.subscribers > limit - 129) {
    options.lowered.push(`--subscribers lowered from ${options.subscribers} to ${limit - 129}: the open-file limit (ulimit -n) is ${limit}`);
    options.subscribers = limit - 129;
  }
  return options;
}

const startedAt = performance.now();
const log = (line: string): void => void process.stderr.write(`[${((performance.now() - startedAt) / 1_000).toFixed(1).padStart(5)} s] ${line}\n`);

/** What ws-bench does at one size: one broadcast at a time (the warm-up too), then the window. */
function phaseLengths(options: Options): { timed: number; warmupRounds: number; warmupMs: number } {
  return { timed: options.rounds, warmupRounds: Math.max(4, Math.round(options.rounds / 10)), warmupMs: options.warmupS * 500 };
}

async function gatewayFanout(options: Options): Promise<FanoutRun> {
  const tokenSecret = randomBytes(32).toString('hex');
  const { timed, warmupRounds, warmupMs } = phaseLengths(options);
  log('starting the gateway…');
  const server = await ServerChild.start('gateway', { maxConnections: options.subscribers + 101, tokenSecret, joinConnections: 0 });
  try {
    log(`gateway: ${options.subscribers} subscribers on offer:${FAN_OFFER}…`);
    const subs = await connectMany(server.wsUrl('/ws'), options.subscribers);
    let driver: Awaited<ReturnType<typeof connectMany>> = [];
    try {
      driver = await connectMany(server.wsUrl('/ws'), 1);
      await expectReplies(subs, () => subscribeMessage(`offer:${FAN_OFFER}`), KIND.subscribed);
      const token = mintShopperToken(tokenSecret, { shopperId: FAN_DRIVER, newcomer: false, ttlS: 3_600 }, Date.now());
      await expectReplies(driver, () => authenticateMessage(token), KIND.ack);
      await sleep(PRESENCE_SETTLE_MS);
      const b: Broadcast = {
        subscribers: subs,
        driver: driver[0]!,
        server,
        trigger: (n) => (n % 2 === 0 ? joinMessage(FAN_GROUP, n) : leaveMessage(FAN_GROUP, n)),
        perTrigger: DELTAS_PER_FAN_COMMAND,
        sent: 0,
      };
      const rounds = await broadcastRounds(b, timed, warmupRounds, options.roundsS * 1_000);
      log(`  ${rounds.rounds} broadcasts one at a time; now ${options.window} in flight…`);
      const windowed = await broadcastWindowed(b, options.window, warmupMs, options.fanoutDurationS * 1_000);
      return { rounds, windowed };
    } finally {
      await closeAll([...subs, ...driver]);
    }
  } finally {
    await server.stop();
  }
}

async function socketIoFanout(options: Options, engine: SocketIoEngine, messageBytes: number[]): Promise<FanoutRun & { engine: SocketIoEngine }> {
  const { timed, warmupRounds, warmupMs } = phaseLengths(options);
  log(`starting ${ENGINE_LABEL[engine]}…`);
  const server = await SocketIoServerChild.start(engine);
  try {
    // The gateway's sizes on the wire, Socket.IO's event framing included.
    await server.setPayload(messageBytes.map((bytes) => paddedDelta(bytes - SOCKETIO_FRAMING_BYTES)));
    log(`${ENGINE_LABEL[engine]}: ${options.subscribers} subscribers in one room…`);
    const subs = await connectManySio(server.url, options.subscribers);
    let driver: SioClient[] = [];
    try {
      driver = await connectManySio(server.url, 1);
      await subscribeAll(subs);
      const b = { subscribers: subs, driver: driver[0]!, server, perTrigger: messageBytes.length };
      const rounds = await sioRounds(b, timed, warmupRounds, options.roundsS * 1_000);
      log(`  ${rounds.rounds} broadcasts one at a time; now ${options.window} in flight…`);
      const windowed = await sioWindowed(b, options.window, warmupMs, options.fanoutDurationS * 1_000);
      return { engine, rounds, windowed };
    } finally {
      await closeAllSio([...subs, ...driver]);
    }
  } finally {
    await server.stop();
  }
}

function cleanUp(): void {
  terminateAllClients();
  disconnectAllSioClients();
  killAllServers();
  killAllSocketIoServers();
}

async function main(): Promise<void> {
  const options = readOptions(process.argv.slice(2));
  if (!options) {
    console.log(USAGE);
    return;
  }
  for (const line of options.lowered) log(line);
  await runGuarded({ maxSeconds: options.maxSeconds, log, cleanUp }, async () => {
    const loadAtStart = os.loadavg()[0]!;
    const gateway = await gatewayFanout(options);
    const messageBytes = gateway.rounds.sizes;
    if (messageBytes.length !== DELTAS_PER_FAN_COMMAND) throw new Error(`expected ${DELTAS_PER_FAN_COMMAND} deltas per join, saw ${messageBytes.length}`);
    const socketio: SocketIoReport['socketio'] = [];
    for (const engine of options.engines) socketio.push(await socketIoFanout(options, engine, messageBytes));
    const { maxSeconds: _maxSeconds, json: _json, ...reported } = options;
    const report: SocketIoReport = {
      options: reported,
      machine: machine(),
      load: { atStart: loadAtStart, atEnd: os.loadavg()[0]! },
      subscribers: options.subscribers,
      messageBytes,
      gateway,
      socketio,
      comparisons: compareWithSocketIo(gateway, socketio),
      unexpectedCloses: Object.fromEntries(unexpectedCloses),
    };
    if (options.json) console.log(JSON.stringify(report, null, 2));
    else printSocketIoText(report);
  });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
