// Start-up of a durable server, shared by `npm start` (main.ts) and the tests: the effects subsystem when Redis
// is configured (opened first, so recovery can hand it the entries it replays), then the store and recovery,
// then the gateway around the recovered engine.
import type { Logger } from 'pino';
import type { EffectQueueSettings, PaymentProvider } from '../effects/index.ts';
import { persistenceConfigFromEnv, type Persistence, type Recovered } from '../persistence/index.ts';
import type { GatewayConfig } from '../gateway/config.ts';
import { BootError, openStore, recoverStore } from '../runtime/durable-boot.ts';
import { GatewayEffects, effectsNamespaceFromEnv } from '../runtime/effects-runtime.ts';
import type { MerchantKeyRecord } from '../gateway/merchant-keys.ts';
import { startServer, type RunningServer } from './start.ts';

export interface BootOptions {
  /** REDIS_URL, REDIS_KEY_PREFIX, TUAN_DATA_DIR, TUAN_EFFECTS_NAMESPACE, NODE_ENV (whether a missing market is created). */
  env: NodeJS.ProcessEnv;
  config: Partial<GatewayConfig>;
  merchantKeys: MerchantKeyRecord[];
  logger: Logger;
  /** The payment provider the effect workers call (default: the simulated one). */
  provider?: PaymentProvider;
  /** Effect queue prefix and retry policies (tests). */
  effectsSettings?: Partial<EffectQueueSettings>;
  /** Milliseconds since the epoch (tests move it by hand). */
  clock?: () => number;
}

export interface BootedServer {
  server: RunningServer;
  persistence: Persistence;
  recovered: Recovered;
  effects: GatewayEffects | null;
  /** Graceful: the server (last snapshot, effects flushed and closed), then the store. */
  close(): Promise<void>;
}

/** Throws BootError (exit code inside) when the store or the effects' Redis cannot be opened or recovery refuses. */
export async function bootServer(options: BootOptions): Promise<BootedServer> {
  const { env, logger } = options;
  const storeConfig = persistenceConfigFromEnv(env);
  const persistence = await openStore(storeConfig, logger);
  let effects: GatewayEffects | null = null;
  if (storeConfig.kind === 'redis') {
    try {
      effects = await GatewayEffects.open({
        redisUrl: storeConfig.url,
        namespace: effectsNamespaceFromEnv(env),
        logger,
        ...(options.provider ? { provider: options.provider } : {}),
        ...(options.effectsSettings ? { settings: options.effectsSettings } : {}),
      });
    } catch (error) {
      await persistence.close().catch(() => undefined);
      throw new BootError(`cannot open the effect queues in Redis: ${(error as Error).message}`, 1, { cause: error });
    }
    logger.info({ namespace: effects.namespace, provider: options.provider ? 'custom' : 'simulated' }, 'effects on: orders, payments and webhooks go through BullMQ');
  } else {
    // One clear line at start: nothing reaches a payment provider or a merchant webhook in this mode.
    logger.warn('effects are OFF: without REDIS_URL no orders, charges, refunds or merchant webhooks are sent (see docs/effects.md)');
  }
  // A store without a market is created only when CREATE_MARKET says so, or by default outside production.
  const explicit = options.config.createMarket;
  const production = env.NODE_ENV === 'production';
  const newMarket = {
    create: explicit ?? !production,
    because: explicit !== undefined ? `CREATE_MARKET=${explicit ? 1 : 0}` : production ? 'NODE_ENV=production and CREATE_MARKET unset' : 'development default: NODE_ENV is not production',
  };
  let recovered: Recovered;
  try {
    // Every entry replayed after the snapshot is recorded again: its effects may never have left the last process.
    recovered = await recoverStore(persistence, logger, { newMarket, ...(effects ? { onReplayed: effects.recordReplayed } : {}) });
  } catch (error) {
    await effects?.close(0).catch(() => undefined);
    throw error;
  }
  let server: RunningServer;
  try {
    server = await startServer({
      config: options.config,
      merchantKeys: options.merchantKeys,
      logger,
      engine: recovered.engine,
      lastSeq: recovered.lastSeq,
      persistence: { journal: persistence.journal, snapshots: persistence.snapshots },
      ...(effects ? { effects } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
    });
  } catch (error) {
    await effects?.close(0).catch(() => undefined);
    await persistence.close().catch(() => undefined);
    throw error;
  }
  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => (closing ??= server.close().then(() => persistence.close()));
  return { server, persistence, recovered, effects, close };
}
