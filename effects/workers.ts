// Effect workers: BullMQ workers that carry effects out — payments (charges, refunds, orders, deposit holds and
// releases) through a PaymentProvider, webhooks over HTTP — with the retry policy of their queue, and dead-letter what fails for good.
//
// A job can run more than once: a retry after a timeout that hid a success, a worker that died mid-job (its
// lock expires and the stalled check hands the job to another worker), a replay after the job was removed.
// Every run passes the same effect id as the idempotency key, so the receiver applies it once.
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import { deadLetterOwner, DeadLetterStore } from './dead-letters.ts';
import { unreachable, type EffectQueueName, type EffectSpec, type PaymentEffect, type WebhookEffect } from './effect-spec.ts';
import { PaymentRejectedError, type PaymentProvider, type ProviderReceipt } from './payment-provider.ts';
import { DEFAULT_EFFECT_QUEUE_SETTINGS, PRODUCER_REDIS_OPTIONS, WORKER_REDIS_OPTIONS, type EffectQueueSettings } from './queues.ts';
import { deliverWebhook, WebhookDeliveryError, type WebhookEndpoints } from './webhooks.ts';

export interface EffectWorkersOptions {
  redisUrl: string;
  provider: PaymentProvider;
  endpoints: WebhookEndpoints;
  /** Must match the producers' prefix (the policies travel with each job). */
  settings?: Partial<EffectQueueSettings>;
  /** Jobs run at once per queue in this process. Default 16 payments, 16 webhooks. */
  concurrency?: { payments: number; webhooks: number };
  /** A provider call is abandoned (and retried later) after this long. Keep it well under `lockDurationMs`. */
  providerTimeoutMs?: number;
  /** A webhook POST is abandoned after this long. */
  webhookTimeoutMs?: number;
  /** How long a job stays locked to a worker without renewal; a dead worker's jobs wait this long. Default 30 s. */
  lockDurationMs?: number;
  /** How often this process looks for stalled jobs (locks that expired). Default 30 s. */
  stalledIntervalMs?: number;
  /** Stalls a job survives before BullMQ fails it. Default 5: a crash loop should not fail payments at once. */
  maxStalledCount?: number;
  /** Dead letters kept per owner. Default 1 000. */
  deadLettersPerOwner?: number;
  clock?: () => number;
  /** Overrides of WORKER_REDIS_OPTIONS. */
  redis?: RedisOptions;
  /** Worker and connection errors, and dead letters that could not be written. */
  onError?: (error: unknown, queue: EffectQueueName) => void;
}

export interface PaymentResult {
  providerId: string;
  replayed: boolean;
}

export type WebhookResult = { delivered: true; httpStatus: number } | { delivered: false; reason: 'no_endpoint' };

/** Both workers and the dead-letter store of one process. Start as many processes as needed. */
export class EffectWorkers {
  private constructor(
    readonly payments: Worker<PaymentEffect, PaymentResult>,
    readonly webhooks: Worker<WebhookEffect, WebhookResult>,
    readonly deadLetters: DeadLetterStore,
    private readonly connections: Redis[],
  ) {}

  static async start(options: EffectWorkersOptions): Promise<EffectWorkers> {
    const settings = { ...DEFAULT_EFFECT_QUEUE_SETTINGS, ...options.settings };
    const clock = options.clock ?? Date.now;
    const onError = options.onError ?? (() => undefined);
    const providerTimeoutMs = options.providerTimeoutMs ?? 10_000;
    const webhookTimeoutMs = options.webhookTimeoutMs ?? 10_000;
    const lockDuration = options.lockDurationMs ?? 30_000;
    if (providerTimeoutMs >= lockDuration || webhookTimeoutMs >= lockDuration) {
      // A call outliving the lock lets a second worker start the same job while the first still waits on it.
      throw new RangeError('providerTimeoutMs and webhookTimeoutMs must be shorter than lockDurationMs');
    }

    const deadLetterRedis = new Redis(options.redisUrl, { ...PRODUCER_REDIS_OPTIONS, lazyConnect: false, enableOfflineQueue: true });
    deadLetterRedis.on('error', (error: Error) => onError(error, 'payments'));
    const deadLetters = new DeadLetterStore(deadLetterRedis, settings.prefix, options.deadLettersPerOwner ?? 1_000);

    const deadLetter = async (job: Job<EffectSpec>, queue: EffectQueueName, error: unknown, attemptsMade: number) => {
      try {
        await deadLetters.add({
          effectId: job.data.effectId,
          owner: deadLetterOwner(job.data),
          queue,
          effect: job.data,
          jobId: job.id ?? job.data.effectId,
          attemptsMade,
          lastError: error instanceof Error ? error.message : String(error),
          failedAtMs: clock(),
        });
      } catch (writeError) {
        // The job still fails and stays in BullMQ's failed set (keepFailed): nothing is lost, only less visible.
        onError(writeError, queue);
      }
    };
    // Decides retry or give up; dead-letters before the job is marked failed, so a crash right after still
    // leaves the entry (a later success is harmless: the entry just stays listed until dismissed).
    const fail = async (job: Job<EffectSpec>, queue: EffectQueueName, error: unknown, permanent: boolean): Promise<never> => {
      const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (permanent || lastAttempt) await deadLetter(job, queue, error, job.attemptsMade + 1);
      if (permanent) throw new DeadLetteredError(error instanceof Error ? error.message : String(error));
      throw error instanceof Error ? error : new Error(String(error));
    };
    // Failures the processor never saw: BullMQ fails a job that stalled more than `maxStalledCount` times when
    // a worker next picks it up, without running the processor. Those come here as a bare UnrecoverableError.
    const onFailed = (queue: EffectQueueName) => (job: Job<EffectSpec> | undefined, error: Error) => {
      if (job?.finishedOn && error instanceof UnrecoverableError && !(error instanceof DeadLetteredError)) void deadLetter(job, queue, error, job.attemptsMade);
    };

    const connections: Redis[] = [deadLetterRedis];
    const workerOptions = (queue: EffectQueueName, concurrency: number) => {
      const connection = new Redis(options.redisUrl, { ...WORKER_REDIS_OPTIONS, ...options.redis });
      connection.on('error', (error: Error) => onError(error, queue));
      connections.push(connection);
      return {
        connection,
        prefix: settings.prefix,
        concurrency,
        lockDuration,
        stalledInterval: options.stalledIntervalMs ?? 30_000,
        maxStalledCount: options.maxStalledCount ?? 5,
      };
    };

    const payments = new Worker<PaymentEffect, PaymentResult>(
      'payments',
      async (job, _token, signal) => {
        // One controller and one timer per call: AbortSignal.timeout/any cost several times more per job.
        const controller = new AbortController();
        const timer = setTimeout(() => controller.abort(new Error(`provider call timed out after ${providerTimeoutMs} ms`)), providerTimeoutMs);
        const onCancel = () => controller.abort(signal?.reason);
        signal?.addEventListener('abort', onCancel, { once: true });
        try {
          const receipt = await callProvider(options.provider, job.data, controller.signal);
          return { providerId: receipt.providerId, replayed: receipt.replayed };
        } catch (error) {
          return fail(job, 'payments', error, error instanceof PaymentRejectedError);
        } finally {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onCancel);
        }
      },
      workerOptions('payments', options.concurrency?.payments ?? 16),
    );

    const webhooks = new Worker<WebhookEffect, WebhookResult>(
      'webhooks',
      async (job) => {
        const endpoint = await options.endpoints.endpointFor(job.data.merchantId);
        // The merchant removed its endpoint after the effect was made: nothing to deliver, nothing to retry.
        if (endpoint === null) return { delivered: false, reason: 'no_endpoint' };
        try {
          const httpStatus = await deliverWebhook(job.data, endpoint, { nowMs: clock(), timeoutMs: webhookTimeoutMs });
          return { delivered: true, httpStatus };
        } catch (error) {
          return fail(job, 'webhooks', error, error instanceof WebhookDeliveryError && error.permanent);
        }
      },
      workerOptions('webhooks', options.concurrency?.webhooks ?? 16),
    );

    payments.on('failed', onFailed('payments'));
    webhooks.on('failed', onFailed('webhooks'));
    payments.on('error', (error) => onError(error, 'payments'));
    webhooks.on('error', (error) => onError(error, 'webhooks'));
    await Promise.all([payments.waitUntilReady(), webhooks.waitUntilReady()]);
    return new EffectWorkers(payments, webhooks, deadLetters, connections);
  }

  /**
   * Stops fetching jobs. Without `force` it waits for running jobs to finish; with `force` it returns at once
   * and running jobs are abandoned: their locks expire and another worker runs them again.
   */
  async close(force = false): Promise<void> {
    await Promise.allSettled([this.payments.close(force), this.webhooks.close(force)]);
    for (const connection of this.connections) connection.disconnect();
  }
}

/** Thrown for a permanent failure after its dead letter is written: BullMQ fails the job without retrying. */
class DeadLetteredError extends UnrecoverableError {}

function callProvider(provider: PaymentProvider, effect: PaymentEffect, signal: AbortSignal): Promise<ProviderReceipt> {
  const base = {
    idempotencyKey: effect.effectId,
    paymentRef: effect.paymentRef,
    merchantId: effect.merchantId,
    shopperId: effect.shopperId,
    currency: effect.currency,
  };
  switch (effect.kind) {
    case 'charge':
      return provider.charge({ ...base, amountMinor: effect.amountMinor }, { signal });
    case 'refund':
      return provider.refund({ ...base, amountMinor: effect.amountMinor, reason: effect.reason }, { signal });
    case 'order':
      return provider.createOrder(
        {
          ...base,
          offerId: effect.offerId,
          subject: effect.subject,
          qty: effect.qty,
          unitPriceMinor: effect.unitPriceMinor,
          totalMinor: effect.totalMinor,
          chargeMinor: effect.chargeMinor,
        },
        { signal },
      );
    case 'deposit_hold':
      return provider.holdDeposit({ ...base, amountMinor: effect.amountMinor }, { signal });
    case 'deposit_release':
      return provider.releaseDeposit({ ...base, amountMinor: effect.amountMinor, reason: effect.reason }, { signal });
    default:
      return unreachable(effect);
  }
}
