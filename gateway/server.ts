// Assembles the gateway: one uWS app serving WebSockets (/ws) and HTTP on one port, around one engine and its
// sequencer. `startServer` is what `npm start`, the tests and the benchmarks call; port 0 picks a free port.
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import uWS from 'uWebSockets.js';
import { Engine, type Command } from '../engine/index.ts';
import { ChannelRegistry } from './channels.ts';
import { resolveConfig, type GatewayConfig } from './config.ts';
import type { GatewayContext } from './context.ts';
import { Fanout } from './fanout.ts';
import { registerHttpRoutes } from './http-routes.ts';
import { InMemoryJournal, type Journal } from './journal.ts';
import { createLogger } from './logger.ts';
import { MerchantKeyring, type MerchantKeyRecord } from './merchant-keys.ts';
import { GatewayMetrics } from './metrics.ts';
import { Presence } from './presence.ts';
import { CLOSE_CODES } from './protocol.ts';
import { KeyedRateLimiter } from './rate-limiter.ts';
import { Sequencer } from './sequencer.ts';
import { ShopperLedger } from './shopper-ledger.ts';
import { createWsEndpoint } from './ws-handlers.ts';

export interface ServerOptions {
  /** Over the defaults. A missing `tokenSecret` is replaced by a random one (tokens then need this process). */
  config?: Partial<GatewayConfig>;
  /** The engine to serve, e.g. one restored from a snapshot; a fresh one otherwise. */
  engine?: Engine;
  /** Milliseconds since the epoch. Tests pass a clock they move by hand. */
  clock?: () => number;
  journal?: Journal;
  /** Seq of the last journaled command already in `engine`. */
  lastSeq?: number;
  merchantKeys?: readonly MerchantKeyRecord[];
  logger?: Logger;
}

export interface RunningServer {
  port: number;
  httpUrl: string;
  wsUrl: string;
  config: GatewayConfig;
  engine: Engine;
  sequencer: Sequencer;
  metrics: GatewayMetrics;
  /** Stops accepting, lets queued commands finish, closes every socket with 1001 (going away). Idempotent. */
  close(): Promise<void>;
}

export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const config = resolveConfig({ ...options.config, tokenSecret: options.config?.tokenSecret || randomBytes(32).toString('hex') });
  const clock = options.clock ?? Date.now;
  const logger = (options.logger ?? createLogger(config.logLevel)).child({ component: 'gateway' });
  const engine = options.engine ?? new Engine();
  const app = uWS.App();
  const metrics = new GatewayMetrics();
  const channels = new ChannelRegistry({
    historyPerChannel: config.historyPerChannel,
    channelsMax: config.channelsMax,
    publish: (topic, message) => {
      app.publish(topic, message, false);
      metrics.fanoutMessages.inc();
    },
    subscribers: (topic) => app.numSubscribers(topic),
  });
  const ledger = options.engine ? ShopperLedger.fromSnapshot(engine.snapshot()) : new ShopperLedger();
  const fanout = new Fanout(engine, channels, ledger);
  const sequencer = new Sequencer({
    engine,
    clock,
    journal: options.journal ?? new InMemoryJournal(),
    maxQueued: config.maxQueuedCommands,
    ...(options.lastSeq !== undefined ? { lastSeq: options.lastSeq } : {}),
    onApplied: (_command, applied) => fanout.onApplied(applied),
    observeApply: (command: Command, seconds: number) => {
      metrics.commands.inc({ type: command.type });
      metrics.applySeconds.observe(seconds);
    },
    logger,
  });
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
    ledger,
    keyring: new MerchantKeyring(options.merchantKeys ?? []),
    metrics,
    logger,
    clock,
    limiters,
    shuttingDown: false,
  };
  const presence = new Presence(app, config.presenceIntervalMs);
  const endpoint = createWsEndpoint(ctx, presence);
  app.ws('/ws', endpoint.behavior);
  registerHttpRoutes(app, ctx);
  const sweeper = setInterval(() => endpoint.sweepSlowConsumers(), config.slowConsumerCheckMs);
  sweeper.unref();

  metrics.addGauge({ name: 'tuan_ws_connections', help: 'Open WebSocket connections.', read: () => endpoint.sockets.size });
  metrics.addGauge({ name: 'tuan_sequencer_queue_depth', help: 'Commands waiting for the sequencer.', read: () => sequencer.queued });
  metrics.addGauge({ name: 'tuan_channels', help: 'Channels with an epoch and history.', read: () => channels.size });
  metrics.addGauge({ name: 'tuan_shoppers_with_memberships', help: 'Shoppers holding seats in live groups.', read: () => ledger.shoppers });

  const listenSocket = await new Promise<uWS.us_listen_socket>((resolve, reject) => {
    app.listen(config.host, config.port, (socket) => (socket ? resolve(socket) : reject(new Error(`cannot listen on ${config.host}:${config.port}`))));
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
      clearInterval(sweeper);
      presence.stop();
      metrics.stop();
      // Let the close frames leave before the app drops what is left (idle HTTP keep-alive connections).
      await new Promise<void>((resolve) => setImmediate(resolve));
      (app as unknown as { close?: () => void }).close?.();
      logger.info('closed');
    })();
    return closing;
  };

  return { port, httpUrl: `http://${config.host}:${port}`, wsUrl: `ws://${config.host}:${port}/ws`, config, engine, sequencer, metrics, close };
}
