// The gateway's settings: one typed object with safe defaults, and the environment variables that set it.
// `loadConfigFromEnv` validates every variable with zod at start and fails with a message naming the variable,
// so a typo stops the process before it listens instead of surfacing as odd behaviour later.
import { z } from 'zod';
import { DEFAULT_TOKEN_POLICY, type TokenPolicy } from './shopper-tokens.ts';

export interface RateLimit {
  /** Tokens added per second. */
  ratePerS: number;
  /** Bucket size: how many requests may arrive at once after a quiet spell. */
  burst: number;
}

export interface GatewayConfig {
  host: string;
  /** 0 picks a free port (tests and benchmarks). */
  port: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Secret for shopper tokens (HMAC-SHA256). */
  tokenSecret: string;
  /** The longest a shopper token may live (exp − iat, and exp − now) and how far ahead its iat may be. */
  tokenPolicy: TokenPolicy;
  /** Whether `POST /dev/shopper-tokens` mints tokens for anyone who asks: development only. */
  devTokens: boolean;
  /** Browser origins allowed to open sockets and call the API; empty allows every origin. */
  origins: string[];
  maxConnections: number;
  /**
   * WebSocket connections open at once from one remote address (as the socket sees it: behind a proxy every client
   * has the proxy's address, so raise it there or set 0, off). Past it the upgrade is refused with 429.
   */
  maxConnectionsPerAddress: number;
  /** Connections one shopper may be authenticated on at once; past it `authenticate` is refused (0: off). */
  maxConnectionsPerShopper: number;
  /**
   * A connection that has neither authenticated nor subscribed to a channel this long after opening is closed with
   * 4001 `auth_timeout`, so an idle socket cannot hold a slot (0: off).
   */
  authTimeoutMs: number;
  /** WebSocket messages larger than this get `too_large` and the connection stays open. */
  maxMessageBytes: number;
  /** Past this uWS drops the connection without reading the message (abnormal closure). */
  hardMaxMessageBytes: number;
  maxBodyBytes: number;
  maxSubscriptionsPerConnection: number;
  /** Seconds without any traffic (pings included) before a connection is dropped. */
  idleTimeoutS: number;
  /** A connection with more than this many bytes waiting to be sent is closed with `slow_consumer` (4008). */
  slowConsumerBytes: number;
  /** uWS's hard bound on a connection's send buffer; past it the connection is dropped, never silently skipped. */
  maxBackpressureBytes: number;
  /** How often connections are checked against `slowConsumerBytes`. */
  slowConsumerCheckMs: number;
  /** Every message on one connection. */
  connectionRate: RateLimit;
  /** Commands of one shopper, across all its connections. */
  shopperRate: RateLimit;
  /** Requests of one merchant key, over HTTP and WebSocket. */
  merchantRate: RateLimit;
  /** Unauthenticated HTTP reads, per client address. */
  publicRate: RateLimit;
  /** Rate-limited messages in a row after which a connection is closed as abusive (4029). */
  rateLimitStrikesMax: number;
  /** Keys remembered by each keyed rate limiter; the least recently seen is forgotten first. */
  rateLimitKeysMax: number;
  /** Deltas kept per channel for resume. */
  historyPerChannel: number;
  /** Channels with an epoch and history; the least recently used without watchers is forgotten first. */
  channelsMax: number;
  /** Commands waiting for the sequencer; past it commands get `unavailable`. */
  maxQueuedCommands: number;
  /** How often watcher counts that changed are published. */
  presenceIntervalMs: number;
  /** Life of tokens minted by the development endpoint. */
  devTokenTtlS: number;
  /** How long shutdown waits for queued commands before closing sockets. */
  shutdownGraceMs: number;
  /** Snapshot after this many journaled commands since the last snapshot (0: not by count). */
  snapshotEveryEntries: number;
  /** ...or after this long with at least one command since the last snapshot (0: not by time). */
  snapshotEveryMs: number;
  /** Trim the journal below the older kept snapshot after each snapshot; off keeps the whole history. */
  journalTrim: boolean;
  /** `GET /debug/state` (applied seq, state hash, invariants): hashing the whole state costs CPU, so not in production. */
  debugState: boolean;
  /**
   * Whether start-up may create a new, empty market when the store holds none (`CREATE_MARKET`). Unset: only
   * outside production, saying so in the log; a production store that lost its data then refuses to start.
   */
  createMarket?: boolean;
}

export const DEFAULT_CONFIG: GatewayConfig = {
  host: '127.0.0.1',
  port: 8080,
  logLevel: 'info',
  tokenSecret: '',
  tokenPolicy: DEFAULT_TOKEN_POLICY,
  devTokens: false,
  origins: [],
  maxConnections: 10_000,
  maxConnectionsPerAddress: 256,
  maxConnectionsPerShopper: 16,
  authTimeoutMs: 10_000,
  maxMessageBytes: 16 * 1024,
  hardMaxMessageBytes: 64 * 1024,
  maxBodyBytes: 64 * 1024,
  maxSubscriptionsPerConnection: 64,
  idleTimeoutS: 120,
  slowConsumerBytes: 1024 * 1024,
  maxBackpressureBytes: 4 * 1024 * 1024,
  slowConsumerCheckMs: 500,
  connectionRate: { ratePerS: 50, burst: 100 },
  shopperRate: { ratePerS: 10, burst: 30 },
  merchantRate: { ratePerS: 100, burst: 200 },
  publicRate: { ratePerS: 50, burst: 100 },
  rateLimitStrikesMax: 50,
  rateLimitKeysMax: 100_000,
  historyPerChannel: 100,
  channelsMax: 10_000,
  maxQueuedCommands: 10_000,
  presenceIntervalMs: 1_000,
  devTokenTtlS: 3_600,
  shutdownGraceMs: 5_000,
  snapshotEveryEntries: 100_000,
  snapshotEveryMs: 5 * 60_000,
  journalTrim: true,
  debugState: false,
};

const MIN_SECRET_LENGTH = 32;

const intFrom = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const rateFrom = z
  .string()
  .regex(/^\d+(\.\d+)?\/\d+$/, 'use RATE/BURST, e.g. "10/30" (10 a second, bursts of 30)')
  .transform((text): RateLimit => {
    const [rate, burst] = text.split('/');
    return { ratePerS: Number(rate), burst: Number(burst) };
  })
  .refine((rate) => rate.ratePerS > 0 && rate.burst >= 1, 'rate must be > 0 and burst ≥ 1');
const flag = z.enum(['on', 'off', 'true', 'false', '1', '0']).transform((value) => value === 'on' || value === 'true' || value === '1');

/** Every environment variable the gateway reads. Unset ones keep their defaults. */
const Env = z.object({
  NODE_ENV: z.string().optional(),
  HOST: z.string().min(1).optional(),
  PORT: intFrom(0, 65_535).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
  TOKEN_SECRET: z.string().min(MIN_SECRET_LENGTH, `must be at least ${MIN_SECRET_LENGTH} characters`).optional(),
  TOKEN_MAX_LIFETIME_S: intFrom(60, 30 * 24 * 3_600).optional(),
  TOKEN_CLOCK_SKEW_S: intFrom(0, 3_600).optional(),
  DEV_TOKENS: flag.optional(),
  ORIGINS: z
    .string()
    .transform((text) => text.split(',').map((origin) => origin.trim()).filter((origin) => origin.length > 0))
    .pipe(z.array(z.url()))
    .optional(),
  MAX_CONNECTIONS: intFrom(1, 1_000_000).optional(),
  MAX_CONNECTIONS_PER_ADDRESS: intFrom(0, 1_000_000).optional(),
  MAX_CONNECTIONS_PER_SHOPPER: intFrom(0, 1_000_000).optional(),
  AUTH_TIMEOUT_MS: intFrom(0, 600_000).optional(),
  MAX_MESSAGE_BYTES: intFrom(512, 1024 * 1024).optional(),
  MAX_BODY_BYTES: intFrom(512, 16 * 1024 * 1024).optional(),
  MAX_SUBSCRIPTIONS: intFrom(1, 10_000).optional(),
  IDLE_TIMEOUT_S: intFrom(8, 3_600).optional(),
  SLOW_CONSUMER_BYTES: intFrom(16 * 1024, 1024 * 1024 * 1024).optional(),
  RATE_CONNECTION: rateFrom.optional(),
  RATE_SHOPPER: rateFrom.optional(),
  RATE_MERCHANT: rateFrom.optional(),
  RATE_PUBLIC: rateFrom.optional(),
  HISTORY_PER_CHANNEL: intFrom(1, 100_000).optional(),
  CHANNELS_MAX: intFrom(1, 10_000_000).optional(),
  MAX_QUEUED_COMMANDS: intFrom(1, 10_000_000).optional(),
  SHUTDOWN_GRACE_MS: intFrom(0, 600_000).optional(),
  SNAPSHOT_EVERY_ENTRIES: intFrom(0, 1_000_000_000).optional(),
  SNAPSHOT_EVERY_MS: intFrom(0, 7 * 24 * 3_600_000).optional(),
  JOURNAL_TRIM: flag.optional(),
  DEBUG_STATE: flag.optional(),
  CREATE_MARKET: flag.optional(),
});

export class ConfigError extends Error {}

/**
 * Reads the gateway's settings from environment variables. In production (`NODE_ENV=production`) a
 * `TOKEN_SECRET` is required and development token minting is off; elsewhere a missing secret is replaced by a
 * random one for this run (tokens then live as long as the process), and minting is on unless `DEV_TOKENS=off`.
 */
export function loadConfigFromEnv(env: Record<string, string | undefined>, randomSecret: () => string): GatewayConfig {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('\n  ');
    throw new ConfigError(`invalid environment:\n  ${problems}`);
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  if (production && e.TOKEN_SECRET === undefined) throw new ConfigError('TOKEN_SECRET is required when NODE_ENV=production');
  if (production && e.DEV_TOKENS === true) throw new ConfigError('DEV_TOKENS cannot be on when NODE_ENV=production');
  const overrides: Partial<GatewayConfig> = {
    host: e.HOST,
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
    tokenSecret: e.TOKEN_SECRET ?? randomSecret(),
    tokenPolicy:
      e.TOKEN_MAX_LIFETIME_S === undefined && e.TOKEN_CLOCK_SKEW_S === undefined
        ? undefined
        : { maxLifetimeS: e.TOKEN_MAX_LIFETIME_S ?? DEFAULT_TOKEN_POLICY.maxLifetimeS, clockSkewS: e.TOKEN_CLOCK_SKEW_S ?? DEFAULT_TOKEN_POLICY.clockSkewS },
    devTokens: e.DEV_TOKENS ?? !production,
    origins: e.ORIGINS,
    maxConnections: e.MAX_CONNECTIONS,
    maxConnectionsPerAddress: e.MAX_CONNECTIONS_PER_ADDRESS,
    maxConnectionsPerShopper: e.MAX_CONNECTIONS_PER_SHOPPER,
    authTimeoutMs: e.AUTH_TIMEOUT_MS,
    maxMessageBytes: e.MAX_MESSAGE_BYTES,
    maxBodyBytes: e.MAX_BODY_BYTES,
    maxSubscriptionsPerConnection: e.MAX_SUBSCRIPTIONS,
    idleTimeoutS: e.IDLE_TIMEOUT_S,
    slowConsumerBytes: e.SLOW_CONSUMER_BYTES,
    connectionRate: e.RATE_CONNECTION,
    shopperRate: e.RATE_SHOPPER,
    merchantRate: e.RATE_MERCHANT,
    publicRate: e.RATE_PUBLIC,
    historyPerChannel: e.HISTORY_PER_CHANNEL,
    channelsMax: e.CHANNELS_MAX,
    maxQueuedCommands: e.MAX_QUEUED_COMMANDS,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    snapshotEveryEntries: e.SNAPSHOT_EVERY_ENTRIES,
    snapshotEveryMs: e.SNAPSHOT_EVERY_MS,
    journalTrim: e.JOURNAL_TRIM,
    debugState: e.DEBUG_STATE ?? !production,
    createMarket: e.CREATE_MARKET,
  };
  return resolveConfig(Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined)));
}

/** Settings given in code (tests, benchmarks) over the defaults; derived bounds follow their sources. */
export function resolveConfig(overrides: Partial<GatewayConfig>): GatewayConfig {
  const config = { ...DEFAULT_CONFIG, ...overrides };
  if (overrides.hardMaxMessageBytes === undefined) config.hardMaxMessageBytes = Math.max(config.maxMessageBytes * 4, DEFAULT_CONFIG.hardMaxMessageBytes);
  if (overrides.maxBackpressureBytes === undefined) config.maxBackpressureBytes = config.slowConsumerBytes * 4;
  if (config.tokenSecret.length < MIN_SECRET_LENGTH) throw new ConfigError(`tokenSecret must be at least ${MIN_SECRET_LENGTH} characters`);
  if (config.devTokenTtlS > config.tokenPolicy.maxLifetimeS) throw new ConfigError('devTokenTtlS must not exceed tokenPolicy.maxLifetimeS (TOKEN_MAX_LIFETIME_S)');
  if (config.hardMaxMessageBytes < config.maxMessageBytes) throw new ConfigError('hardMaxMessageBytes must be ≥ maxMessageBytes');
  if (config.maxBackpressureBytes <= config.slowConsumerBytes) throw new ConfigError('maxBackpressureBytes must exceed slowConsumerBytes');
  // uWS counts idle time in steps of about 4 s and refuses timeouts below 8 s (0 turns the check off).
  if (config.idleTimeoutS !== 0 && config.idleTimeoutS < 8) throw new ConfigError('idleTimeoutS must be 0 or at least 8');
  return config;
}
