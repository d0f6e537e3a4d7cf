// An ioredis client set up for a journal: fail fast instead of queueing while Redis is away, never resend a
// write after a reconnect on its own, reconnect in the background forever.
import { Redis, type RedisOptions } from 'ioredis';

/** Options that make "acknowledged" mean something. Callers may override any of them. */
export const JOURNAL_REDIS_OPTIONS: RedisOptions = {
  lazyConnect: true,
  // While disconnected, commands fail at once: the gateway answers `unavailable` instead of holding requests
  // in an unbounded client-side queue.
  enableOfflineQueue: false,
  // A command in flight when the connection drops fails instead of being resent: the journal decides what to
  // do with an in-doubt write (its seq check refuses a duplicate anyway).
  maxRetriesPerRequest: 0,
  autoResendUnfulfilledCommands: false,
  // A hung Redis fails appends after this long, so acks never wait forever.
  commandTimeout: 2_000,
  connectTimeout: 2_000,
  // Reconnect in the background, quickly at first, then every second: commands are refused meanwhile.
  retryStrategy: (attempt: number) => Math.min(25 * 2 ** Math.min(attempt, 6), 1_000),
};

export interface RedisClientOptions {
  /** Called with every connection error ioredis reports (it reconnects by itself); default: ignore them. */
  onError?: (error: Error) => void;
  /** Overrides of `JOURNAL_REDIS_OPTIONS`. */
  redis?: RedisOptions;
}

/** Creates a client for `url` (redis://host:port/db) and waits until it is connected and ready. */
export async function connectRedis(url: string, options: RedisClientOptions = {}): Promise<Redis> {
  const client = new Redis(url, { ...JOURNAL_REDIS_OPTIONS, ...options.redis });
  // Without a listener ioredis prints every reconnect error to the console; the gateway logs them itself.
  client.on('error', options.onError ?? (() => undefined));
  try {
    await client.connect();
  } catch (error) {
    client.disconnect();
    throw error;
  }
  return client;
}

/** Turns any ioredis failure into a short message: Redis' own reply text, or the connection problem. */
export function redisErrorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
