// BullMQ setup for effects: two queues (payments, webhooks), their retry and retention policies, and the Redis
// connection options producers and workers need. Every job is added with `jobId = effectId`, so adding an
// effect that BullMQ still holds (waiting, active, delayed, completed or failed) is a no-op.
import { Queue, type JobsOptions, type KeepJobs } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import { queueOf, type EffectQueueName, type EffectSpec } from './effect-spec.ts';

export interface RetryPolicy {
  /** Total tries, the first included. */
  attempts: number;
  /** Exponential backoff: retry k (k ≥ 1) waits `backoffDelayMs × 2^(k-1)`, less up to the jitter. */
  backoffDelayMs: number;
  /** 0..1: a fraction of each delay drawn at random, so a burst of failures does not retry in lockstep. */
  backoffJitter: number;
  /**
   * Finished jobs kept. A kept job also keeps its jobId taken, so a replay within this window is deduplicated by
   * BullMQ itself; past it, only the receiver's idempotency key stops a second effect. Bounded by count always.
   */
  keepCompleted: KeepJobs;
  /** Jobs that used up their attempts, kept for inspection (their effects are also in the dead-letter lists). */
  keepFailed: KeepJobs;
}

export interface EffectQueueSettings {
  /** BullMQ key prefix. The braces are a Redis Cluster hash tag: every key of the effects lands in one slot. */
  prefix: string;
  payments: RetryPolicy;
  webhooks: RetryPolicy;
  /** Approximate length of each queue's BullMQ events stream (what QueueEvents reads). */
  eventsStreamMaxLen: number;
}

export const DEFAULT_EFFECT_QUEUE_SETTINGS: EffectQueueSettings = {
  prefix: '{tuan-effects}',
  // 12 tries over about 34 minutes (waits of 1 s, 2 s, ... 17 min): a provider outage of half an hour loses
  // nothing; after that a person looks at the dead letters. Completed jobs stay a day (replay dedupe), ≤ 100 000.
  payments: {
    attempts: 12,
    backoffDelayMs: 1_000,
    backoffJitter: 0.2,
    keepCompleted: { age: 24 * 3600, count: 100_000 },
    keepFailed: { age: 30 * 24 * 3600, count: 100_000 },
  },
  // Merchants' endpoints go down for longer: 15 tries over about 23 hours (waits of 5 s doubling to 11 h).
  webhooks: {
    attempts: 15,
    backoffDelayMs: 5_000,
    backoffJitter: 0.2,
    keepCompleted: { age: 3600, count: 20_000 },
    keepFailed: { age: 7 * 24 * 3600, count: 20_000 },
  },
  eventsStreamMaxLen: 10_000,
};

const reconnect = (attempt: number) => Math.min(50 * 2 ** Math.min(attempt, 5), 2_000);

/**
 * For the outbox's producer connection: fail fast while Redis is away (no offline queue, one retry, a command
 * timeout). The outbox keeps the effects and retries the batch itself, so nothing waits without bound.
 */
export const PRODUCER_REDIS_OPTIONS: RedisOptions = {
  lazyConnect: true,
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  commandTimeout: 5_000,
  connectTimeout: 5_000,
  retryStrategy: reconnect,
};

/**
 * For workers (and QueueEvents): `maxRetriesPerRequest: null` is required by BullMQ, so blocking commands
 * wait through a reconnect instead of failing; no command timeout (the blocking fetch is long on purpose).
 */
export const WORKER_REDIS_OPTIONS: RedisOptions = {
  maxRetriesPerRequest: null,
  enableOfflineQueue: true,
  connectTimeout: 5_000,
  retryStrategy: reconnect,
};

export function jobOptionsFor(policy: RetryPolicy): JobsOptions {
  return {
    attempts: policy.attempts,
    backoff: { type: 'exponential', delay: policy.backoffDelayMs, jitter: policy.backoffJitter },
    removeOnComplete: policy.keepCompleted,
    removeOnFail: policy.keepFailed,
  };
}

/** Where the outbox puts effects. `EffectQueues` is the real one; tests may stub it. */
export interface EffectSink {
  /**
   * Adds every effect as a job with `jobId = effectId`. Resolves once all are in Redis (jobs whose id is
   * taken count as added); rejects when any may be missing, and then the caller adds the same batch again.
   */
  addBatch(effects: readonly EffectSpec[]): Promise<void>;
}

export interface EffectQueuesOptions {
  settings?: Partial<EffectQueueSettings>;
  /** Overrides of PRODUCER_REDIS_OPTIONS. */
  redis?: RedisOptions;
  /** Connection errors (ioredis reconnects by itself); default: ignored, the outbox reports failed batches. */
  onError?: (error: Error) => void;
}

/** The producer side: both queues on one fail-fast connection. */
export class EffectQueues implements EffectSink {
  private constructor(
    readonly settings: EffectQueueSettings,
    private readonly connection: Redis,
    readonly payments: Queue,
    readonly webhooks: Queue,
  ) {}

  static async open(redisUrl: string, options: EffectQueuesOptions = {}): Promise<EffectQueues> {
    const settings = { ...DEFAULT_EFFECT_QUEUE_SETTINGS, ...options.settings };
    const connection = new Redis(redisUrl, { ...PRODUCER_REDIS_OPTIONS, ...options.redis });
    connection.on('error', options.onError ?? (() => undefined));
    await connection.connect();
    const make = (name: EffectQueueName, policy: RetryPolicy) => {
      const queue = new Queue(name, {
        connection,
        prefix: settings.prefix,
        defaultJobOptions: jobOptionsFor(policy),
        streams: { events: { maxLen: settings.eventsStreamMaxLen } },
      });
      queue.on('error', options.onError ?? (() => undefined));
      return queue;
    };
    const queues = new EffectQueues(settings, connection, make('payments', settings.payments), make('webhooks', settings.webhooks));
    await Promise.all([queues.payments.waitUntilReady(), queues.webhooks.waitUntilReady()]);
    return queues;
  }

  queue(name: EffectQueueName): Queue {
    return name === 'payments' ? this.payments : this.webhooks;
  }

  async addBatch(effects: readonly EffectSpec[]): Promise<void> {
    const byQueue: Record<EffectQueueName, { name: string; data: EffectSpec; opts: JobsOptions }[]> = { payments: [], webhooks: [] };
    for (const effect of effects) byQueue[queueOf(effect)].push({ name: effect.kind, data: effect, opts: { jobId: effect.effectId } });
    const adds: Promise<unknown>[] = [];
    if (byQueue.payments.length > 0) adds.push(this.payments.addBulk(byQueue.payments));
    if (byQueue.webhooks.length > 0) adds.push(this.webhooks.addBulk(byQueue.webhooks));
    await Promise.all(adds);
  }

  /** Adds one effect again under a new jobId (a redelivery); the effect id, and so the idempotency key, stay. */
  async addAgain(effect: EffectSpec, jobId: string): Promise<void> {
    await this.queue(queueOf(effect)).add(effect.kind, effect, { jobId });
  }

  /** The producer connection, for the dead-letter store (same Redis, same prefix). */
  get redis(): Redis {
    return this.connection;
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.payments.close(), this.webhooks.close()]);
    this.connection.disconnect();
  }
}
