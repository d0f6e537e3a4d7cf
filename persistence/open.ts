// Choosing and opening a store: Redis when REDIS_URL is set, the embedded files otherwise, behind the same
// Journal and SnapshotStore interfaces so the gateway and recovery do not care which.
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { FileJournal } from './file-journal.ts';
import { FileSnapshotStore } from './file-snapshots.ts';
import { GroupCommitJournal, type GroupCommitOptions } from './group-commit.ts';
import { connectRedis, type RedisClientOptions } from './redis-client.ts';
import { RedisJournal, quit } from './redis-journal.ts';
import { checkRedisSettings, type RedisSettingsReport } from './redis-settings.ts';
import { RedisSnapshotStore } from './redis-snapshots.ts';
import type { SnapshotStore } from './snapshots.ts';

export type PersistenceConfig =
  | { kind: 'redis'; url: string; keyPrefix: string }
  | { kind: 'file'; dir: string };

export const DEFAULT_KEY_PREFIX = '{tuan}:';
export const DEFAULT_DATA_DIR = 'data';
/** Saving or loading a large snapshot may take longer than a journal append is allowed to. */
const SNAPSHOT_COMMAND_TIMEOUT_MS = 30_000;

/** REDIS_URL selects Redis (keys under REDIS_KEY_PREFIX); otherwise files under TUAN_DATA_DIR (default ./data). */
export function persistenceConfigFromEnv(env: NodeJS.ProcessEnv = process.env): PersistenceConfig {
  const url = env.REDIS_URL?.trim();
  if (url) return { kind: 'redis', url, keyPrefix: env.REDIS_KEY_PREFIX?.trim() || DEFAULT_KEY_PREFIX };
  return { kind: 'file', dir: env.TUAN_DATA_DIR?.trim() || DEFAULT_DATA_DIR };
}

export interface Persistence {
  config: PersistenceConfig;
  /** The journal the sequencer appends to (group commit around the store). */
  journal: GroupCommitJournal;
  snapshots: SnapshotStore;
  /** Redis' durability settings as read at open; null for the file store. */
  redisSettings: RedisSettingsReport | null;
  /** Bytes of a torn last journal line cut off at open (file store only): worth a log line, never an acked entry. */
  repairedTornTailBytes: number;
  /** File store only: the journal had no high-water mark (an older version wrote it) and got one at open. */
  journalMarkCreated: boolean;
  /**
   * The Redis clients (the journal's, then the snapshots'), for callers that watch connection events or wait
   * for `ready` after an outage; empty for the file store.
   */
  redisClients: Redis[];
  /** Flushes queued appends, then closes the stores (and the Redis client). */
  close(): Promise<void>;
}

export interface OpenPersistenceOptions {
  groupCommit?: Partial<GroupCommitOptions>;
  redisClient?: RedisClientOptions;
  /** File store: segment size before rolling to a new one. */
  segmentBytesMax?: number;
}

/** Opens the configured store. Rejects when Redis is unreachable or the data directory is in use. */
export async function openPersistence(config: PersistenceConfig, options: OpenPersistenceOptions = {}): Promise<Persistence> {
  if (config.kind === 'redis') {
    const redis = await connectRedis(config.url, options.redisClient);
    let snapshotRedis: Redis | null = null;
    try {
      // Snapshots get their own connection: a snapshot of tens of megabytes would otherwise sit in front of
      // the journal's appends on the wire and delay every ack behind it. It also gets a longer timeout.
      snapshotRedis = await connectRedis(config.url, {
        ...options.redisClient,
        redis: { commandTimeout: SNAPSHOT_COMMAND_TIMEOUT_MS, ...options.redisClient?.redis },
      });
      const redisSettings = await checkRedisSettings(redis);
      // Two batches in flight: Node encodes the next while Redis runs the current one (see journal.ts, Concurrency).
      const journal = new GroupCommitJournal(new RedisJournal(redis, { keyPrefix: config.keyPrefix }), { maxBatchesInFlight: 2, ...options.groupCommit });
      const snapshots = new RedisSnapshotStore(snapshotRedis, { keyPrefix: config.keyPrefix, ownsClient: true });
      return {
        config,
        journal,
        snapshots,
        redisSettings,
        repairedTornTailBytes: 0,
        journalMarkCreated: false,
        redisClients: [redis, snapshotRedis],
        async close() {
          try {
            await journal.close();
            await snapshots.close();
          } finally {
            await quit(redis);
          }
        },
      };
    } catch (error) {
      redis.disconnect();
      snapshotRedis?.disconnect();
      throw error;
    }
  }
  // Snapshots first: they hold no lock, so a failure there leaves nothing to release.
  const snapshots = await FileSnapshotStore.open(join(config.dir, 'snapshots'));
  const fileJournal = await FileJournal.open({ dir: join(config.dir, 'journal'), segmentBytesMax: options.segmentBytesMax });
  const journal = new GroupCommitJournal(fileJournal, options.groupCommit);
  return {
    config,
    journal,
    snapshots,
    redisSettings: null,
    repairedTornTailBytes: fileJournal.openReport.tornTailBytes,
    journalMarkCreated: fileJournal.openReport.markCreated,
    redisClients: [],
    async close() {
      await journal.close();
      await snapshots.close();
    },
  };
}
