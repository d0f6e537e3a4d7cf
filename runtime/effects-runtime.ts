// The effects subsystem as the gateway runs it: the BullMQ producer (EffectQueues), the outbox the sequencer
// feeds, the workers (in this process) with their payment provider, merchant webhook endpoints and the
// dead-letter admin. Effects need Redis: without REDIS_URL there is no GatewayEffects and the server runs
// without effects (main.ts warns once). docs/effects.md explains the contract each call below keeps.
//
// Order at start-up: open this BEFORE recovery, so every journal entry replayed after the snapshot is recorded
// again (`recordReplayed`): its effects may never have left the crashed process. Their stable job ids make a
// second record of effects that did reach Redis harmless.
import type { Logger } from 'pino';
import type { Applied, Command } from '../engine/index.ts';
import {
  DeadLetterAdmin,
  EffectOutbox,
  EffectQueues,
  EffectWorkers,
  InMemoryWebhookEndpoints,
  NAMESPACE_PATTERN,
  SimulatedPaymentProvider,
  type EffectQueueSettings,
  type PaymentProvider,
} from '../effects/index.ts';

export interface EffectsOptions {
  redisUrl: string;
  /**
   * Names this journal's seq space in every effect id (see docs/effects.md): change it when the journal is
   * started again from seq 1 (a wiped store), or effects of the new seqs collide with the old ones.
   */
  namespace: string;
  logger: Logger;
  /** Default: a SimulatedPaymentProvider (no real provider adapter exists yet). */
  provider?: PaymentProvider;
  /** Queue prefix and retry policies (tests use a private prefix and short backoff). */
  settings?: Partial<EffectQueueSettings>;
  /** Run workers in this process (default true). */
  workers?: boolean;
  /** A checkpoint waits at most this long for the outbox before it gives up (and retries later). */
  flushTimeoutMs?: number;
}

export class GatewayEffects {
  private closed = false;
  recordErrors = 0;

  private constructor(
    readonly namespace: string,
    readonly queues: EffectQueues,
    readonly outbox: EffectOutbox,
    readonly workers: EffectWorkers | null,
    readonly admin: DeadLetterAdmin | null,
    readonly endpoints: InMemoryWebhookEndpoints,
    readonly provider: PaymentProvider,
    private readonly flushTimeoutMs: number,
    private readonly logger: Logger,
  ) {}

  static async open(options: EffectsOptions): Promise<GatewayEffects> {
    if (!NAMESPACE_PATTERN.test(options.namespace)) throw new RangeError(`the effects namespace must match ${String(NAMESPACE_PATTERN)}, got "${options.namespace}"`);
    const logger = options.logger.child({ component: 'effects' });
    // ioredis reconnects by itself; the outbox reports the failed batches, so one line per outage is enough.
    let down = false;
    const queues = await EffectQueues.open(options.redisUrl, {
      ...(options.settings ? { settings: options.settings } : {}),
      onError: (error) => {
        if (down) return;
        down = true;
        logger.warn({ err: error }, 'effects redis connection lost; reconnecting');
      },
    });
    queues.redis.on('ready', () => (down = false));
    const endpoints = new InMemoryWebhookEndpoints();
    const provider = options.provider ?? new SimulatedPaymentProvider();
    let workers: EffectWorkers | null = null;
    try {
      if (options.workers !== false) {
        workers = await EffectWorkers.start({
          redisUrl: options.redisUrl,
          provider,
          endpoints,
          ...(options.settings ? { settings: options.settings } : {}),
          onError: (error, queue) => logger.warn({ err: error, queue }, 'effects worker error'),
        });
      }
    } catch (error) {
      await queues.close();
      throw error;
    }
    const holder: { effects: GatewayEffects | null } = { effects: null };
    const outbox = new EffectOutbox({
      sink: queues,
      // Events carry their offer's merchant and currency: derivation needs nothing of the engine.
      context: { namespace: options.namespace, wantsWebhooks: (merchantId) => endpoints.wants(merchantId) },
      onError: (error, stage) => {
        if (holder.effects) holder.effects.recordErrors += 1;
        logger.error({ err: error, stage }, 'effects outbox');
      },
    });
    const admin = workers ? new DeadLetterAdmin(workers.deadLetters, queues) : null;
    const effects = new GatewayEffects(options.namespace, queues, outbox, workers, admin, endpoints, provider, options.flushTimeoutMs ?? 30_000, logger);
    holder.effects = effects;
    return effects;
  }

  /** For recover()'s `onReplayed`: the entry is durable (it was read from the journal). */
  recordReplayed = (seq: number, _command: Command, applied: Applied): void => {
    this.outbox.record(seq, applied.events);
  };

  /**
   * Why effects stopped for good (a durable command whose effects could not be derived), or null. While set, no
   * state-changing command is admitted and readiness is 503: fix the cause and restart, which derives it again.
   */
  get failure(): Error | null {
    return this.outbox.failure;
  }

  /** For the sequencer's `onApplied`: only journaled commands have a seq and effects. */
  recordApplied(seq: number | null, applied: Applied): void {
    if (seq !== null) this.outbox.record(seq, applied.events);
  }

  /** Room for another state-changing command's effects. */
  wouldAccept(): boolean {
    return this.outbox.wouldAccept();
  }

  /** Between a checkpoint's capture at `seq` and its save: every effect of every seq ≤ `seq` is in Redis. */
  flushThrough = (seq: number): Promise<void> => this.outbox.flush(seq, this.flushTimeoutMs);

  /** After the sequencer stopped and the last snapshot was written: hands what is left to Redis, then closes. */
  async close(timeoutMs = 5_000): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const { unflushed } = await this.outbox.close(timeoutMs);
    if (unflushed > 0) this.logger.warn({ unflushed }, 'effects left in memory at shutdown; the next start derives them again from the journal');
    await this.queues.close();
    await this.workers?.close();
  }
}

/** The namespace from TUAN_EFFECTS_NAMESPACE (default `p0`: one partition, the first journal generation). */
export function effectsNamespaceFromEnv(env: NodeJS.ProcessEnv): string {
  return env.TUAN_EFFECTS_NAMESPACE?.trim() || 'p0';
}
