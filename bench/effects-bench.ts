// Effects benchmark: effects per second through outbox → BullMQ → worker → simulated payment provider, next
// to raw BullMQ (addBulk of the same job data and a worker that does nothing) on the same Redis in the same
// run, so the figure can be judged against what BullMQ itself does on this machine.
//
//   npm run bench:effects                         defaults: about 50 000 effects per run, well under a minute
//   npm run bench:effects -- --effects 200k --concurrency 64 --rounds 3 --json
//   npm run bench:effects -- --redis-url redis://127.0.0.1:6379   an existing Redis (keys under a fresh prefix, removed after)
//
// What is measured, per run, on a fresh key prefix:
// - enqueue: from the first `record` to `flush()` resolving (outbox) / the last addBulk resolving (raw): jobs
//   added per second, with the worker already running and competing for Redis, as in production;
// - end to end: from the first `record` / addBulk to the last job completed: effects per second.
// The events come from a real engine (groups of four completing: charges, orders, partial refunds), built
// before anything is timed. Without --redis-url a private redis-server is started on a free loopback port.
import os from 'node:os';
import { parseArgs } from 'node:util';
import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { Engine, type EngineEvent } from '../engine/index.ts';
import {
  deriveEffects,
  EffectOutbox,
  EffectQueues,
  EffectWorkers,
  InMemoryWebhookEndpoints,
  jobOptionsFor,
  SimulatedPaymentProvider,
  WORKER_REDIS_OPTIONS,
  type DeriveContext,
  type EffectQueueSettings,
} from '../effects/index.ts';
import { RedisServer } from '../scripts/lib/redis-server.ts';

interface Options {
  effects: number;
  concurrency: number;
  batch: number;
  rounds: number;
  redisUrl: string | null;
  json: boolean;
}

const USAGE = `Usage: npm run bench:effects -- [options]
  --effects <n>        effects per run, rounded up to whole groups (default 50k)
  --concurrency <n>    worker concurrency, both runs (default 16)
  --batch <n>          outbox batch / addBulk size (default 512)
  --rounds <n>         baseline/outbox pairs, alternated (default 2)
  --redis-url <url>    use this Redis instead of a private redis-server
  --json               print the figures as JSON`;

function count(raw: string | undefined, fallback: number, name: string): number {
  if (raw === undefined) return fallback;
  const match = /^(\d+)([km]?)$/i.exec(raw.replace(/_/g, ''));
  if (!match) throw new Error(`--${name}: expected a count such as 50k, got "${raw}"`);
  return Number(match[1]) * ({ k: 1e3, m: 1e6 }[match[2]!.toLowerCase() as 'k' | 'm'] ?? 1);
}

function readOptions(): Options | null {
  const { values } = parseArgs({
    options: {
      effects: { type: 'string' },
      concurrency: { type: 'string' },
      batch: { type: 'string' },
      rounds: { type: 'string' },
      'redis-url': { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) return null;
  return {
    effects: Math.max(11, count(values.effects, 50_000, 'effects')),
    concurrency: Math.max(1, count(values.concurrency, 16, 'concurrency')),
    batch: Math.max(1, count(values.batch, 512, 'batch')),
    rounds: Math.max(1, count(values.rounds, 2, 'rounds')),
    redisUrl: values['redis-url'] ?? null,
    json: values.json === true,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Workload: applied commands and their events, from a real engine.

interface Workload {
  history: { seq: number; events: EngineEvent[] }[];
  context: DeriveContext;
  effects: number;
}

const GROUPS_PER_OFFER = 500;

function buildWorkload(effectsWanted: number): Workload {
  const engine = new Engine();
  const history: Workload['history'] = [];
  let seq = 0;
  let nowMs = 1_000;
  const send = (command: Record<string, unknown>) => {
    const applied = engine.submit({ nowMs, ...command });
    if (!applied.result.ok) throw new Error(`${String(command.type)} refused: ${applied.result.code}`);
    history.push({ seq: ++seq, events: applied.events });
  };
  // A group of four: 4 charges at join, then 4 orders and 3 partial refunds at completion.
  const groups = Math.ceil(effectsWanted / 11);
  for (let g = 0; g < groups; g++) {
    const offerId = `o${Math.floor(g / GROUPS_PER_OFFER)}`;
    if (g % GROUPS_PER_OFFER === 0) {
      send({
        type: 'create_offer',
        merchantId: `m${g % 7}`,
        offerId,
        title: 'bench',
        currency: 'CNY',
        inventory: GROUPS_PER_OFFER * 4,
        basePriceMinor: 10_000,
        mechanism: { type: 'group', minSize: 3, maxSize: 4, windowMs: 3_600_000, tiers: [{ minSize: 3, priceMinor: 9_000 }, { minSize: 4, priceMinor: 8_000 }] },
      });
    }
    send({ type: 'open_group', offerId, shopperId: `s${g}a`, groupId: `g${g}` });
    for (const member of ['b', 'c', 'd']) send({ type: 'join_group', groupId: `g${g}`, shopperId: `s${g}${member}` });
    nowMs += 1;
  }
  const context: DeriveContext = {
    namespace: 'bench',
    wantsWebhooks: () => false,
  };
  const effects = history.reduce((sum, { seq: s, events }) => sum + deriveEffects(s, events, context).length, 0);
  return { history, context, effects };
}

// ---------------------------------------------------------------------------------------------------------------
// Runs

interface RunResult {
  name: 'raw-bullmq' | 'outbox';
  jobs: number;
  enqueuePerSecond: number;
  endToEndPerSecond: number;
  seconds: number;
}

function settingsFor(prefix: string, keepCompleted: number): Partial<EffectQueueSettings> {
  const policy = { attempts: 3, backoffDelayMs: 100, backoffJitter: 0, keepCompleted: { count: keepCompleted }, keepFailed: { count: 1_000 } };
  return { prefix, payments: policy, webhooks: policy };
}

function waitForCompleted(worker: Worker, total: number): Promise<void> {
  let done = 0;
  return new Promise((resolve) => {
    worker.on('completed', () => {
      if (++done === total) resolve();
    });
  });
}

async function runRaw(redisUrl: string, workload: Workload, options: Options, prefix: string): Promise<RunResult> {
  // The same job data the outbox would add, derived before timing: this run measures BullMQ alone.
  const jobs = workload.history.flatMap(({ seq, events }) => deriveEffects(seq, events, workload.context)).map((effect) => ({ name: effect.kind, data: effect, opts: { jobId: effect.effectId } }));
  const settings = settingsFor(prefix, 0);
  const producer = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  const queue = new Queue('payments', { connection: producer, prefix, defaultJobOptions: jobOptionsFor(settings.payments!) });
  const workerConnection = new Redis(redisUrl, WORKER_REDIS_OPTIONS);
  const worker = new Worker('payments', async (_job: Job) => undefined, { connection: workerConnection, prefix, concurrency: options.concurrency });
  await Promise.all([queue.waitUntilReady(), worker.waitUntilReady()]);
  const completed = waitForCompleted(worker, jobs.length);
  const startedAt = performance.now();
  for (let i = 0; i < jobs.length; i += options.batch) await queue.addBulk(jobs.slice(i, i + options.batch));
  const enqueuedAt = performance.now();
  await completed;
  const endedAt = performance.now();
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  producer.disconnect();
  workerConnection.disconnect();
  return result('raw-bullmq', jobs.length, startedAt, enqueuedAt, endedAt);
}

async function runOutbox(redisUrl: string, workload: Workload, options: Options, prefix: string): Promise<RunResult> {
  const settings = settingsFor(prefix, 0);
  const queues = await EffectQueues.open(redisUrl, { settings });
  const provider = new SimulatedPaymentProvider({ maxCalls: 1_000 });
  const workers = await EffectWorkers.start({ redisUrl, provider, endpoints: new InMemoryWebhookEndpoints(), settings, concurrency: { payments: options.concurrency, webhooks: 1 } });
  const outbox = new EffectOutbox({ sink: queues, context: workload.context, maxBatchEffects: options.batch, maxPendingEffects: Math.max(100_000, workload.effects) });
  const completed = waitForCompleted(workers.payments as Worker, workload.effects);
  const startedAt = performance.now();
  // The sequencer records up to 4 096 commands per event-loop turn; so does this loop.
  for (let i = 0; i < workload.history.length; i += 4_096) {
    for (const { seq, events } of workload.history.slice(i, i + 4_096)) outbox.record(seq, events);
    await new Promise((resolve) => setImmediate(resolve));
  }
  await outbox.flush();
  const enqueuedAt = performance.now();
  await completed;
  const endedAt = performance.now();
  if (provider.appliedCount() !== workload.effects) throw new Error(`provider applied ${provider.appliedCount()} effects, expected ${workload.effects}`);
  await outbox.close();
  await workers.close();
  await queues.payments.obliterate({ force: true });
  await queues.webhooks.obliterate({ force: true });
  await queues.close();
  return result('outbox', workload.effects, startedAt, enqueuedAt, endedAt);
}

function result(name: RunResult['name'], jobs: number, startedAt: number, enqueuedAt: number, endedAt: number): RunResult {
  const seconds = (endedAt - startedAt) / 1_000;
  return { name, jobs, enqueuePerSecond: jobs / ((enqueuedAt - startedAt) / 1_000), endToEndPerSecond: jobs / seconds, seconds };
}

// ---------------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const options = readOptions();
  if (options === null) {
    console.log(USAGE);
    return;
  }
  const progress = (line: string) => process.stderr.write(`${line}\n`);
  const server = options.redisUrl === null ? await RedisServer.start() : null;
  const redisUrl = options.redisUrl ?? server!.url;
  try {
    progress(`building the workload (${options.effects} effects)...`);
    const workload = buildWorkload(options.effects);
    const runs: RunResult[] = [];
    const runId = `${process.pid}-${Date.now().toString(36)}`;
    for (let round = 0; round < options.rounds; round++) {
      for (const run of [runRaw, runOutbox]) {
        const prefix = `{tuan-effects-bench-${runId}-${round}-${run === runRaw ? 'raw' : 'outbox'}}`;
        const figures = await run(redisUrl, workload, options, prefix);
        progress(`round ${round + 1}: ${figures.name.padEnd(10)} ${Math.round(figures.endToEndPerSecond).toLocaleString('en-US')} effects/s`);
        runs.push(figures);
      }
    }
    const best = (name: RunResult['name']) => runs.filter((run) => run.name === name).reduce((a, b) => (b.endToEndPerSecond > a.endToEndPerSecond ? b : a));
    const raw = best('raw-bullmq');
    const outbox = best('outbox');
    const report = {
      effects: workload.effects,
      commands: workload.history.length,
      concurrency: options.concurrency,
      batch: options.batch,
      redis: options.redisUrl === null ? 'private redis-server' : 'given --redis-url',
      loadAverage: os.loadavg().map((value) => Number(value.toFixed(2))),
      cpus: os.cpus().length,
      runs,
      best: { raw, outbox, ratio: outbox.endToEndPerSecond / raw.endToEndPerSecond },
    };
    if (options.json) {
      console.log(JSON.stringify(report, null, 2));
      return;
    }
    const fmt = (value: number) => Math.round(value).toLocaleString('en-US').padStart(9);
    console.log(`effects bench: ${report.effects} effects from ${report.commands} commands, worker concurrency ${report.concurrency}, batch ${report.batch}, ${report.redis}`);
    console.log(`machine: ${report.cpus} cpus, load average ${report.loadAverage.join(' ')} (Redis shares these cores)`);
    console.log('');
    console.log('                      enqueue/s   end-to-end/s   (best of rounds, by end-to-end)');
    console.log(`raw BullMQ baseline   ${fmt(raw.enqueuePerSecond)}   ${fmt(raw.endToEndPerSecond)}      addBulk + no-op worker, same job data`);
    console.log(`outbox → provider     ${fmt(outbox.enqueuePerSecond)}   ${fmt(outbox.endToEndPerSecond)}      derive + outbox + worker + simulated provider`);
    console.log(`ratio                                ${report.best.ratio.toFixed(2)}`);
  } finally {
    await server?.destroy();
  }
}

await main();
