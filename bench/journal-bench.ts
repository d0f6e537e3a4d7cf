// Journal benchmark (`npm run bench:journal`): what durability costs. Prints figures next to the goals of
// issue 4; never fails on timing.
//
// For each store (a private redis-server started here, with its own port and directory; and the embedded file
// store in a temporary directory):
// - the ceiling: a raw pipelined XADD loop on the same Redis (and `redis-benchmark` when installed), or for
//   files a raw loop of 512-line writes each followed by fdatasync;
// - acknowledged entries/s through GroupCommitJournal at saturation (a window of appends kept in flight, each
//   a separate append call, as the sequencer makes them), and the ack latency p50/p99 at a few paced rates
//   (latency measured from each entry's intended start, so a stall counts against everything queued behind it);
// - acknowledged commands/s through the Sequencer (engine apply + journal, no sockets);
// - recovery time: a snapshot after the offers are created, then a journal tail of --recovery-entries commands.
// Options: --entries N (default 200k), --recovery-entries N (default 1m), --store both|redis|file, --seed N,
// --fsync everysec|always (Redis appendfsync), --json (the figures as JSON on stdout, the text on stderr; a
// --recovery-entries of 0 skips recovery). Numbers take k/m suffixes.
import { spawnSync } from 'node:child_process';
import { mkdtemp, open, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { Engine, canonicalJson, hash64, type Command } from '../engine/index.ts';
import { Sequencer, type UnstampedCommand } from '../runtime/index.ts';
import {
  FileJournal,
  FileSnapshotStore,
  GroupCommitJournal,
  RedisJournal,
  RedisSnapshotStore,
  connectRedis,
  recover,
  type Journal,
  type SnapshotStore,
} from '../persistence/index.ts';
import { encodeFileLine, encodeRedisFields } from '../persistence/codec.ts';
import { ServerProcess } from '../scripts/lib/server-process.ts';
import { RedisServer } from '../scripts/lib/redis-server.ts';
import { Histogram } from './lib/histogram.ts';
import { DEFAULT_WORKLOAD, buildWorkload } from './lib/workload.ts';

const count = (text: string): number => {
  const match = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(text.replace(/_/g, ''));
  if (!match) throw new Error(`not a number: ${text}`);
  return Math.round(Number(match[1]) * ({ '': 1, k: 1e3, m: 1e6 }[match[2]!.toLowerCase() as '' | 'k' | 'm'] ?? 1));
};
const { values } = parseArgs({
  options: {
    entries: { type: 'string', default: '200k' },
    'recovery-entries': { type: 'string', default: '1m' },
    store: { type: 'string', default: 'both' },
    seed: { type: 'string', default: '1' },
    fsync: { type: 'string', default: 'everysec' },
    json: { type: 'boolean', default: false },
  },
});
const ENTRIES = count(values.entries);
const RECOVERY_ENTRIES = count(values['recovery-entries']);
const SEED = Number(values.seed);
const FSYNC = values.fsync === 'always' ? 'always' : 'everysec';
const STORES = values.store === 'both' ? ['redis', 'file'] : [values.store];
const WINDOW = 8_192;
const PACED_RATES = [10_000, 50_000, 100_000];

const JSON_OUTPUT = values.json;
// With --json the text report goes to stderr as progress, so stdout carries the JSON alone.
const line = (text = ''): boolean => (JSON_OUTPUT ? process.stderr : process.stdout).write(`${text}\n`);

/** Per store: the raw ceiling and group commit, appends acknowledged per second (what --json prints). */
interface StoreFigures {
  rawPerS: number;
  /** redis-benchmark's XADD, when installed (Redis only). */
  redisBenchmarkPerS?: number | null;
  groupCommitPerS: number;
  groupCommitAckP99Us: number;
  sequencerPerS: number;
}
const figures: { entries: number; recoveryEntries: number; fsync: string; redis?: StoreFigures; file?: StoreFigures } = {
  entries: ENTRIES,
  recoveryEntries: RECOVERY_ENTRIES,
  fsync: FSYNC,
};
const rate = (n: number, ms: number): string => `${Math.round((n / ms) * 1_000).toLocaleString('en-US')}/s`;
const us = (value: number): string => (value >= 1_000 ? `${(value / 1_000).toFixed(2)} ms` : `${value} µs`);
const latency = (h: Histogram): string => {
  const s = h.summary();
  return `p50 ${us(s.p50)}, p99 ${us(s.p99)}, p99.9 ${us(s.p999)}, max ${us(s.max)}`;
};

interface CommandSource {
  setup: Command[];
  stream: (n: number) => Command[];
}

/**
 * Journaled commands of a realistic stream (quotes are never journaled), about `n` of them, cycling if more are
 * asked. Built separately for the throughput phases and the recovery phase, so the latency figures are not
 * taken with a million commands on the heap (their GC pauses would be the benchmark's, not the journal's).
 */
function commandSource(n: number): CommandSource {
  const started = performance.now();
  const workload = buildWorkload({ ...DEFAULT_WORKLOAD, seed: SEED, commands: Math.ceil(n / 0.9) });
  const journaled = workload.commands.filter((command) => command.type !== 'quote');
  line(`workload (seed ${SEED}): ${workload.setup.length} offers, ${journaled.length.toLocaleString('en-US')} journaled commands, built in ${Math.round(performance.now() - started)} ms`);
  return { setup: workload.setup, stream: (n) => Array.from({ length: n }, (_, i) => journaled[i % journaled.length]!) };
}

/** Saturation: keeps `WINDOW` single-entry appends in flight; returns entries/s and the ack latency. */
async function saturate(journal: Journal, commands: readonly Command[], firstSeq = 1): Promise<{ ms: number; hist: Histogram }> {
  const hist = new Histogram();
  let next = 0;
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    let acked = 0;
    const issue = (): void => {
      const i = next++;
      const sentAt = performance.now();
      journal.append([{ seq: firstSeq + i, command: commands[i]! }]).then(() => {
        hist.record((performance.now() - sentAt) * 1_000);
        if (++acked === commands.length) resolve();
        else if (next < commands.length) issue();
      }, reject);
    };
    for (let i = 0; i < Math.min(WINDOW, commands.length); i++) issue();
  });
  return { ms: performance.now() - started, hist };
}

/**
 * Open loop at `perS`: entry i is due at start + i/perS; latency is ack time − due time. When the store falls
 * so far behind that the journal's bounded queue is full, the run stops there and says so.
 */
async function paced(journal: GroupCommitJournal, commands: readonly Command[], perS: number, firstSeq: number): Promise<{ hist: Histogram; sent: number; overloaded: boolean }> {
  const hist = new Histogram();
  const started = performance.now();
  let issued = 0;
  let overloaded = false;
  await new Promise<void>((resolve, reject) => {
    let acked = 0;
    const finished = (): boolean => acked === issued && (overloaded || issued === commands.length);
    const step = (): void => {
      const due = Math.min(commands.length, Math.floor(((performance.now() - started) / 1_000) * perS) + 1);
      while (issued < due && !overloaded) {
        if (!journal.wouldAccept()) {
          overloaded = true;
          break;
        }
        const intended = started + (issued * 1_000) / perS;
        journal.append([{ seq: firstSeq + issued, command: commands[issued]! }]).then(() => {
          hist.record((performance.now() - intended) * 1_000);
          acked++;
          if (finished()) resolve();
        }, reject);
        issued++;
      }
      if (finished()) resolve();
      else if (issued < commands.length && !overloaded) setImmediate(step);
    };
    step();
  });
  return { hist, sent: issued, overloaded };
}

/** Commands through the single writer: engine apply after the journal write, as the server runs them. */
async function throughSequencer(journal: Journal, setup: readonly Command[], commands: readonly Command[]): Promise<{ ms: number; hist: Histogram }> {
  const engine = new Engine();
  for (const command of setup) engine.apply(command);
  const sequencer = new Sequencer({ engine, clock: Date.now, journal, maxQueued: WINDOW * 2, onApplied: () => undefined, logger: pino({ level: 'silent' }) });
  const hist = new Histogram();
  let next = 0;
  const started = performance.now();
  await new Promise<void>((resolve) => {
    let done = 0;
    const issue = (): void => {
      const { nowMs: _ignored, ...unstamped } = commands[next++]!;
      const sentAt = performance.now();
      void sequencer.submit(unstamped as UnstampedCommand).then((outcome) => {
        if (!outcome.result.ok && outcome.result.code === 'unavailable') throw new Error(`sequencer refused: ${outcome.result.message}`);
        hist.record((performance.now() - sentAt) * 1_000);
        if (++done === commands.length) resolve();
        else if (next < commands.length) issue();
      });
    };
    for (let i = 0; i < Math.min(WINDOW, commands.length); i++) issue();
  });
  const ms = performance.now() - started;
  await sequencer.stop();
  return { ms, hist };
}

/** A snapshot after the offers, then `tail` commands after it; times recovering from them. */
async function recovery(
  journal: Journal,
  snapshots: SnapshotStore,
  setup: readonly Command[],
  tail: readonly Command[],
  reopen: () => Promise<{ journal: Journal; snapshots: SnapshotStore; close: () => Promise<void> }>,
  serverEnv: Record<string, string>,
): Promise<void> {
  const writeStarted = performance.now();
  const engine = new Engine();
  for (const command of setup) engine.apply(command);
  const writer = new GroupCommitJournal(journal, { maxBatchesInFlight: journal instanceof RedisJournal ? 2 : 1 });
  await saturate(writer, setup);
  const captureStarted = performance.now();
  const snapshot = structuredClone(engine.snapshot());
  const hash = hash64(canonicalJson(snapshot));
  const captureMs = performance.now() - captureStarted;
  const saveStarted = performance.now();
  await snapshots.save({ seq: setup.length, hash, snapshot });
  line(`  snapshot of ${setup.length.toLocaleString('en-US')} offers: capture (clone + hash, on the event loop: the sequencer pauses this long) ${Math.round(captureMs)} ms, save ${Math.round(performance.now() - saveStarted)} ms`);
  await saturate(writer, tail, setup.length + 1);
  // Closed before reopening: the file store's lock admits one open journal per directory.
  await writer.close();
  await snapshots.close();
  line(`  recovery data: snapshot at seq ${setup.length} + ${tail.length.toLocaleString('en-US')}-entry tail, written in ${Math.round(performance.now() - writeStarted)} ms`);
  const openStarted = performance.now();
  const stores = await reopen();
  const recoverStarted = performance.now();
  const recovered = await recover({ journal: stores.journal, snapshots: stores.snapshots, createEngine: () => new Engine(), batchSize: 5_000 });
  const recoverMs = performance.now() - recoverStarted;
  line(`  recovery: ${Math.round(recoverMs)} ms to replay ${recovered.replayed.toLocaleString('en-US')} entries after the snapshot (${rate(recovered.replayed, recoverMs)}), open ${Math.round(recoverStarted - openStarted)} ms  [goal ≤ 2 s for 1M]`);
  await stores.close();
  // The same tail applied to the same restored snapshot with no store and no parsing: what the engine alone costs.
  const engineStarted = performance.now();
  const alone = Engine.restore(structuredClone(snapshot));
  for (const command of tail) alone.apply(command);
  const engineMs = performance.now() - engineStarted;
  line(`  of which the engine: ${Math.round(engineMs)} ms to restore the snapshot and apply the tail with no store (${rate(tail.length, engineMs)}); reading, checking and parsing the journal: the rest`);
  if (alone.stateHash() !== recovered.stateHash) line('  !! the recovered state differs from the direct replay');
  // What a restart costs in practice: `npm start`'s own path in a fresh process, which holds nothing else in
  // memory (this process holds the million-command workload, and its GC pays for that).
  const server = await ServerProcess.start({ PORT: '0', LOG_LEVEL: 'info', ...serverEnv }, 600_000);
  line(`  recovery in a fresh server process (server/main.ts, its "recovered" log): ${server.recovered.ms} ms for ${server.recovered.replayed.toLocaleString('en-US')} entries`);
  await server.kill();
}

type GroupCommitFigures = Pick<StoreFigures, 'groupCommitPerS' | 'groupCommitAckP99Us' | 'sequencerPerS'>;

async function benchGroupCommit(name: string, makeJournal: (prefix: string) => Promise<Journal>, commands: (n: number) => Command[], inFlight: number, setup: Command[]): Promise<GroupCommitFigures> {
  const run = async <T>(prefix: string, body: (journal: GroupCommitJournal) => Promise<T>): Promise<T> => {
    const journal = new GroupCommitJournal(await makeJournal(`${name}-${prefix}`), { maxBatchesInFlight: inFlight });
    try {
      return await body(journal);
    } finally {
      await journal.close();
    }
  };
  // A warm-up run first, so the JIT has compiled the append path before anything is timed.
  await run('warm', (journal) => saturate(journal, commands(Math.ceil(ENTRIES / 4))));
  const sat = await run('sat', (journal) => saturate(journal, commands(ENTRIES)));
  line(`  group commit, saturated (${WINDOW} appends in flight): ${rate(ENTRIES, sat.ms)} acknowledged; ack latency ${latency(sat.hist)}`);
  for (const perS of PACED_RATES) {
    const n = Math.min(ENTRIES, perS * 2);
    const { hist, sent, overloaded } = await run(`paced-${perS}`, (journal) => paced(journal, commands(n), perS, 1));
    const note = overloaded ? ` — could not keep up: the journal's queue filled after ${sent.toLocaleString('en-US')} entries` : '';
    line(`  group commit, paced at ${perS.toLocaleString('en-US')}/s: ack latency ${latency(hist)}${note}`);
  }
  const seq = await run('seq', (journal) => throughSequencer(journal, setup, commands(ENTRIES)));
  line(`  sequencer (engine + journal, ${WINDOW} in flight): ${rate(ENTRIES, seq.ms)} acknowledged commands; latency ${latency(seq.hist)}`);
  return { groupCommitPerS: (ENTRIES / sat.ms) * 1_000, groupCommitAckP99Us: sat.hist.summary().p99, sequencerPerS: (ENTRIES / seq.ms) * 1_000 };
}

async function redisThroughput(redis: RedisServer, source: CommandSource): Promise<void> {
  const client = await connectRedis(redis.url);
  try {
    const info = await client.info('server');
    line(`\nRedis ${/redis_version:(\S+)/.exec(info)?.[1] ?? '?'} on 127.0.0.1:${redis.port}, appendonly yes, appendfsync ${FSYNC}`);
    const commands = source.stream(ENTRIES);
    const payloads = commands.map((command, i) => encodeRedisFields({ seq: i + 1, command }));
    const rawLoop = async (key: string, n: number): Promise<number> => {
      const started = performance.now();
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < n) {
          const pipeline = client.pipeline();
          for (const end = Math.min(next + 512, n); next < end; next++) pipeline.xadd(key, `${next + 1}-0`, 'c', payloads[next]!.payload, 'k', payloads[next]!.crc);
          await pipeline.exec();
        }
      };
      await Promise.all([worker(), worker()]);
      return (n / (performance.now() - started)) * 1_000;
    };
    await rawLoop('raw:warm', Math.ceil(ENTRIES / 4));
    const rawPerS = await rawLoop('raw:stream', ENTRIES);
    line(`  raw pipelined XADD from Node (ioredis, 512 a pipeline, 2 in flight, payloads pre-encoded): ${Math.round(rawPerS).toLocaleString('en-US')}/s`);
    const rb = spawnSync('redis-benchmark', ['-h', '127.0.0.1', '-p', String(redis.port), '-c', '1', '-P', '512', '-n', String(ENTRIES), '-q', 'XADD', 'rb:stream', '*', 'c', payloads[0]!.payload], { encoding: 'utf8' });
    const rbText = /([\d.]+) requests per second/.exec(rb.stdout ?? '')?.[1];
    const rbPerS = rbText ? Number(rbText) : null;
    line(`  redis-benchmark XADD (-c 1 -P 512, same payload): ${rbPerS ? `${Math.round(rbPerS).toLocaleString('en-US')}/s` : `not available (${rb.error?.message ?? rb.stderr})`}`);
    await client.del('raw:warm', 'raw:stream', 'rb:stream');
    const groupCommit = await benchGroupCommit('r', async (prefix) => new RedisJournal(client, { keyPrefix: `{${prefix}}:` }), source.stream, 2, source.setup);
    figures.redis = { rawPerS, redisBenchmarkPerS: rbPerS, ...groupCommit };
    const gcPerS = groupCommit.groupCommitPerS;
    const vsBenchmark = rbPerS ? `, of redis-benchmark ${(gcPerS / rbPerS).toFixed(2)}` : '';
    line(`  group commit as a share of raw XADD from Node ${(gcPerS / rawPerS).toFixed(2)}${vsBenchmark}  [goal ≥ 0.5 and ≥ 150,000/s; ack p99 ≤ 2 ms]`);
    await client.flushall();
  } finally {
    client.disconnect();
  }
}

async function redisRecovery(redis: RedisServer, source: CommandSource): Promise<void> {
  line(`\nRedis recovery`);
  const client = await connectRedis(redis.url, { redis: { commandTimeout: 60_000 } });
  try {
    await recovery(new RedisJournal(client, { keyPrefix: '{rec}:' }), new RedisSnapshotStore(client, { keyPrefix: '{rec}:' }), source.setup, source.stream(RECOVERY_ENTRIES), async () => {
      const reader = await connectRedis(redis.url, { redis: { commandTimeout: 60_000 } });
      return { journal: new RedisJournal(reader, { keyPrefix: '{rec}:' }), snapshots: new RedisSnapshotStore(reader, { keyPrefix: '{rec}:' }), close: async () => void reader.disconnect() };
    }, { REDIS_URL: redis.url, REDIS_KEY_PREFIX: '{rec}:' });
    line(`  Redis memory used: ${/used_memory_human:(\S+)/.exec(await client.info('memory'))?.[1] ?? '?'}`);
  } finally {
    client.disconnect();
  }
}

async function fileThroughput(dir: string, source: CommandSource): Promise<void> {
  line(`\nfile store in ${os.tmpdir()} (write + fdatasync per batch)`);
  const lines = source.stream(ENTRIES).map((command, i) => Buffer.from(encodeFileLine({ seq: i + 1, command })));
  const handle = await open(join(dir, 'raw.log'), 'w');
  const rawStarted = performance.now();
  for (let i = 0; i < lines.length; i += 512) {
    await handle.write(Buffer.concat(lines.slice(i, i + 512)));
    await handle.datasync();
  }
  const rawMs = performance.now() - rawStarted;
  await handle.close();
  line(`  raw write + fdatasync of 512-line batches (pre-encoded): ${rate(ENTRIES, rawMs)}`);
  const groupCommit = await benchGroupCommit('f', (prefix) => FileJournal.open({ dir: join(dir, prefix) }), source.stream, 1, source.setup);
  figures.file = { rawPerS: (ENTRIES / rawMs) * 1_000, ...groupCommit };
}

async function fileRecovery(dir: string, source: CommandSource): Promise<void> {
  line(`\nfile store recovery`);
  const recDir = join(dir, 'rec');
  await recovery(await FileJournal.open({ dir: join(recDir, 'journal') }), await FileSnapshotStore.open(join(recDir, 'snapshots')), source.setup, source.stream(RECOVERY_ENTRIES), async () => {
    const journal = await FileJournal.open({ dir: join(recDir, 'journal') });
    return { journal, snapshots: await FileSnapshotStore.open(join(recDir, 'snapshots')), close: () => journal.close() };
  }, { TUAN_DATA_DIR: recDir });
}

line(`journal-bench: node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
line(`entries per throughput run: ${ENTRIES.toLocaleString('en-US')}; recovery tail: ${RECOVERY_ENTRIES.toLocaleString('en-US')}`);
const redis = STORES.includes('redis') ? await RedisServer.start({ appendonly: true, appendfsync: FSYNC }) : null;
const dir = await mkdtemp(join(os.tmpdir(), 'tuan-journal-bench-'));
try {
  let source: CommandSource | null = commandSource(ENTRIES);
  if (redis) await redisThroughput(redis, source);
  if (STORES.includes('file')) await fileThroughput(dir, source);
  source = null;
  if (RECOVERY_ENTRIES > 0) {
    const big = commandSource(RECOVERY_ENTRIES);
    if (redis) await redisRecovery(redis, big);
    if (STORES.includes('file')) await fileRecovery(dir, big);
  }
} finally {
  await redis?.destroy();
  await rm(dir, { recursive: true, force: true });
}
line(`\nload average now ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}. Figures only: nothing here fails on timing.`);
if (JSON_OUTPUT) console.log(JSON.stringify(figures, null, 2));
