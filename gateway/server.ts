// Assembles the gateway: one uWS app serving WebSockets (/ws) and HTTP on one port, around one engine and its
// sequencer. `startGateway` is what server/ (`npm start`, the tests) and the benchmarks call; port 0 picks a free
// port. Routes beyond the gateway's own (the web console) come in as `routes`, so the gateway depends on nothing
// that is built on it.
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import uWS, { type TemplatedApp } from 'uWebSockets.js';
import { Engine, type Applied, type Command } from '../engine/index.ts';
import type { CheckpointOptions, CheckpointPolicyOptions, SnapshotStore } from '../persistence/index.ts';
import { ChannelRegistry } from './channels.ts';
import { Checkpointer } from '../runtime/checkpointer.ts';
import { resolveConfig, type GatewayConfig } from './config.ts';
import type { GatewayContext } from './context.ts';
import type { GatewayEffects } from '../runtime/effects-runtime.ts';
import { registerEffectsRoutes } from './effects-routes.ts';
import { Fanout } from './fanout.ts';
import { registerHttpRoutes } from './http-routes.ts';
import { registerMechanismRoutes } from './mechanism-routes.ts';
import { registerPricingRoutes } from './pricing-routes.ts';
import { InMemoryJournal, type Journal } from '../runtime/journal.ts';
import { createLogger } from './logger.ts';
import { MerchantKeyring, type MerchantKeyRecord } from './merchant-keys.ts';
import { GatewayMetrics } from './metrics.ts';
import { Presence } from './presence.ts';
import { CLOSE_CODES } from './protocol.ts';
import { KeyedRateLimiter } from './rate-limiter.ts';
import { Sequencer } from '../runtime/sequencer.ts';
import { createWsEndpoint } from './ws-handlers.ts';
import { ChannelWatchers } from './watchers.ts';

/** Registers more HTTP routes on the app (before the catch-all `not_found`). */
export type RouteRegistrar = (app: TemplatedApp, ctx: GatewayContext) => void;

export interface GatewayOptions {
  /** Over the defaults. A missing `tokenSecret` is replaced by a random one (tokens then need this process). */
  config?: Partial<GatewayConfig>;
  /** The engine to serve, e.g. one restored from a snapshot; a fresh one otherwise. */
  engine?: Engine;
  /** Milliseconds since the epoch. Tests pass a clock they move by hand. */
  clock?: () => number;
  /** Where commands are journaled when there is no `persistence` (default: in memory, no durability). */
  journal?: Journal;
  /** A durable journal and snapshot store (from persistence's `openPersistence`): journaled, snapshotted. */
  persistence?: DurableStores;
  /** Seq of the last journaled command already in `engine`. */
  lastSeq?: number;
  merchantKeys?: readonly MerchantKeyRecord[];
  logger?: Logger;
  /**
   * The effects subsystem (needs Redis), already fed the entries recovery replayed. The server records every
   * applied seq to its outbox, refuses commands while the outbox is full, flushes it before each snapshot is
   * saved, and closes it after the shutdown snapshot. Without it effects are off.
   */
  effects?: GatewayEffects;
  /** Observes every applied command, after its fan-out (embedding, tests). Must not throw. */
  onApplied?: (command: Command, applied: Applied) => void;
  /** More routes, e.g. the web console's. */
  routes?: readonly RouteRegistrar[];
}

export interface DurableStores {
  /** Persistence's GroupCommitJournal: the sequencer appends to it, checkpoints sync and trim it. */
  journal: Journal & CheckpointOptions['journal'];
  snapshots: SnapshotStore;
  /** Over `config.snapshotEveryEntries` / `snapshotEveryMs`. */
  checkpointPolicy?: CheckpointPolicyOptions;
}

export interface RunningGateway {
  port: number;
  httpUrl: string;
  wsUrl: string;
  config: GatewayConfig;
  engine: Engine;
  sequencer: Sequencer;
  /** Null without `persistence`. */
  checkpointer: Checkpointer | null;
  /** Null when effects are off. */
  effects: GatewayEffects | null;
  metrics: GatewayMetrics;
  /** Stops accepting, lets queued commands finish, closes every socket with 1001 (going away). Idempotent. */
  close(): Promise<void>;
}

export async function startGateway(options: GatewayOptions = {}): Promise<RunningGateway> {
  const config = resolveConfig({ ...options.config, tokenSecret: options.config?.tokenSecret || randomBytes(32).toString('hex') });
  const clock = options.clock ?? Date.now;
  const rootLogger = options.logger ?? createLogger(config.logLevel);
  const logger = rootLogger.child({ component: 'gateway' });
  const engine = options.engine ?? new Engine();
  const app = uWS.App();
  const metrics = new GatewayMetrics();
  const channels = new ChannelRegistry({
    historyPerChannel: config.historyPerChannel,
    channelsMax: config.channelsMax,
    publish: (topic, message) => {
      app.publish(topic, message, false);
      metrics.fanoutMessages.inc();
      // At send time, before uWS's hard bound (4 × slowConsumerBytes) can drop a watcher without a close code.
      endpoint.checkAfterPublish(topic);
    },
    subscribers: (topic) => app.numSubscribers(topic),
  });
  const fanout = new Fanout(engine, channels);
  const observer = options.onApplied;
  const effects = options.effects ?? null;
  let checkpointer: Checkpointer | null = null;
  const sequencer = new Sequencer({
    engine,
    clock,
    journal: options.persistence?.journal ?? options.journal ?? new InMemoryJournal(),
    maxQueued: config.maxQueuedCommands,
    ...(options.lastSeq !== undefined ? { lastSeq: options.lastSeq } : {}),
    onApplied: (command, applied, seq) => {
      // The command is durable (journal before apply), so its effects may leave the process.
      effects?.recordApplied(seq, applied);
      fanout.onApplied(applied);
      observer?.(command, applied);
    },
    ...(effects ? { admit: () => (effects.failure ? `effects stopped: ${effects.failure.message}` : effects.wouldAccept() ? null : 'effects are backed up; retry shortly') } : {}),
    observeApply: (command: Command, seconds: number) => {
      metrics.commands.inc({ type: command.type });
      metrics.applySeconds.observe(seconds);
    },
    onProgress: () => checkpointer?.poke(),
    logger,
  });
  sequencer.onStateChange((state) => logger.info({ state }, 'sequencer state changed'));
  if (options.persistence) {
    const { journal, snapshots, checkpointPolicy } = options.persistence;
    checkpointer = new Checkpointer({
      engine,
      sequencer,
      journal,
      snapshots,
      policy: checkpointPolicy ?? { everyEntries: config.snapshotEveryEntries, everyMs: config.snapshotEveryMs },
      trimJournal: config.journalTrim,
      clock,
      logger: rootLogger.child({ component: 'checkpointer' }),
      ...(effects ? { beforeSave: effects.flushThrough } : {}),
    });
  }
  const limiters = {
    shopper: new KeyedRateLimiter(config.shopperRate, config.rateLimitKeysMax, clock),
    merchant: new KeyedRateLimiter(config.merchantRate, config.rateLimitKeysMax, clock),
    public: new KeyedRateLimiter(config.publicRate, config.rateLimitKeysMax, clock),
  };
  const ctx: GatewayContext = {
    config,
    app,
    engine,
    sequencer,
    channels,
    watchers: new ChannelWatchers(),
    keyring: new MerchantKeyring(options.merchantKeys ?? []),
    metrics,
    logger,
    clock,
    limiters,
    effects,
    shuttingDown: false,
  };
  const presence = new Presence(app, config.presenceIntervalMs);
  const endpoint = createWsEndpoint(ctx, presence);
  app.ws('/ws', endpoint.behavior);
  registerEffectsRoutes(app, ctx);
  // Before the general routes: they end with the catch-all `not_found`.
  registerPricingRoutes(app, ctx);
  for (const register of options.routes ?? []) register(app, ctx);
  registerMechanismRoutes(app, ctx);
  registerHttpRoutes(app, ctx);
  const sweeper = setInterval(() => endpoint.sweepSlowConsumers(), config.slowConsumerCheckMs);
  sweeper.unref();

  metrics.addGauge({ name: 'tuan_ws_connections', help: 'Open WebSocket connections.', read: () => endpoint.sockets.size });
  metrics.addGauge({ name: 'tuan_sequencer_queue_depth', help: 'Commands waiting for the sequencer.', read: () => sequencer.queued });
  metrics.addGauge({ name: 'tuan_channels', help: 'Channels with an epoch and history.', read: () => channels.size });
  metrics.addGauge({ name: 'tuan_shoppers_with_stakes', help: 'Shoppers with a live stake (seat, bid, place, hold, rental, booking) somewhere.', read: () => engine.shoppersWithStakes() });
  metrics.addGauge({ name: 'tuan_queue_positions_published', help: 'Queue positions pushed to waiting shoppers since start.', read: () => fanout.positions.publishedCount });
  metrics.addGauge({ name: 'tuan_sequencer_ready', help: '1 while commands are accepted, 0 while the journal is away or after a fault.', read: () => (sequencer.ready ? 1 : 0) });
  metrics.addGauge({ name: 'tuan_sequencer_applied_seq', help: 'Seq of the last journaled command applied.', read: () => sequencer.appliedSeq });
  metrics.addGauge({ name: 'tuan_journal_recoveries', help: 'Journal outages the server recovered from by itself since start.', read: () => sequencer.recoveries });
  if (checkpointer) {
    const cp = checkpointer;
    metrics.addGauge({ name: 'tuan_snapshot_seq', help: 'Seq of the newest snapshot written (or recovered from).', read: () => cp.lastSeq });
    metrics.addGauge({ name: 'tuan_snapshots_written', help: 'Snapshots written since start.', read: () => cp.written });
    metrics.addGauge({ name: 'tuan_snapshot_failures', help: 'Snapshots that failed since start.', read: () => cp.failures });
  }

  if (effects) {
    const fx = effects;
    metrics.addGauge({ name: 'tuan_effects_outbox_depth', help: 'Effects derived and not yet in Redis (BullMQ).', read: () => fx.outbox.stats().pendingEffects });
    metrics.addGauge({ name: 'tuan_effects_enqueued', help: 'Effects added to BullMQ since start.', read: () => fx.outbox.stats().enqueuedEffects });
    metrics.addGauge({ name: 'tuan_effects_failed_batches', help: 'Outbox batches Redis refused since start (each is retried).', read: () => fx.outbox.stats().failedBatches });
    metrics.addGauge({ name: 'tuan_effects_flushed_seq', help: 'Every effect of every seq up to this one is in Redis.', read: () => fx.outbox.stats().flushedThroughSeq });
  }

  // Exclusive (LIBUS_LISTEN_EXCLUSIVE_PORT): by default uWS binds with SO_REUSEPORT, so a second server on this
  // port would listen too and the kernel would split the connections between two independent markets. This
  // build's typings lack the host + options overload that its native listen takes.
  const listenExclusive = app.listen.bind(app) as unknown as (host: string, port: number, options: 1, cb: (socket: uWS.us_listen_socket | false) => void) => void;
  const listenSocket = await new Promise<uWS.us_listen_socket>((resolve, reject) => {
    listenExclusive(config.host, config.port, 1, (socket) =>
      socket ? resolve(socket) : reject(Object.assign(new Error(`cannot listen on ${config.host}:${config.port}`), { code: 'LISTEN_FAILED', host: config.host, port: config.port })),
    );
  });
  const port = uWS.us_socket_local_port(listenSocket);
  logger.info({ host: config.host, port }, 'listening');

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      ctx.shuttingDown = true;
      uWS.us_listen_socket_close(listenSocket);
      const grace = new Promise<void>((resolve) => setTimeout(resolve, config.shutdownGraceMs).unref());
      await Promise.race([sequencer.stop(), grace]);
      for (const ws of [...endpoint.sockets]) ws.end(CLOSE_CODES.goingAway, 'going_away');
      // The shutdown snapshot: the next start replays nothing. Its failure costs only a longer replay.
      await checkpointer?.final().catch((error: unknown) => logger.error({ err: error }, 'shutdown snapshot failed'));
      // After the snapshot (which flushed the outbox through its seq): what is left is handed over or re-derived
      // from the journal at the next start.
      await effects?.close().catch((error: unknown) => logger.error({ err: error }, 'closing effects failed'));
      clearInterval(sweeper);
      fanout.stop();
      presence.stop();
      metrics.stop();
      // Let the close frames leave before the app drops what is left (idle HTTP keep-alive connections).
      await new Promise<void>((resolve) => setImmediate(resolve));
      (app as unknown as { close?: () => void }).close?.();
      logger.info('closed');
    })();
    return closing;
  };

  return { port, httpUrl: `http://${config.host}:${port}`, wsUrl: `ws://${config.host}:${port}/ws`, config, engine, sequencer, checkpointer, effects, metrics, close };
}
