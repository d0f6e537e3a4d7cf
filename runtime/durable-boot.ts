// Start-up of the durable part: open the configured store (Redis with REDIS_URL, files otherwise), report what
// the Redis settings promise, and recover the engine (newest snapshot + replay of the journal's tail).
// Anything that makes recovery refuse to go on stops start-up with a message naming the seq: starting from a
// state other than the acknowledged one would break promises made to shoppers.
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { Engine } from '../engine/index.ts';
import {
  JournalCorruptError,
  RecoveryError,
  openPersistence,
  recover,
  writeCheckpoint,
  type Persistence,
  type PersistenceConfig,
  type RecoverOptions,
  type Recovered,
  type RedisSettingsReport,
} from '../persistence/index.ts';

/** Why start-up stopped, with the process exit code that says so (documented in docs/durability.md). */
export class BootError extends Error {
  override name = 'BootError';
  constructor(
    message: string,
    /** 3: the stored data does not add up (recovery refused); 1: the store could not be opened or read. */
    readonly exitCode: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface Booted {
  persistence: Persistence;
  recovered: Recovered;
}

/** Where the data lives, fit for a log line: a Redis URL without its password. */
export function describeStore(config: PersistenceConfig): string {
  if (config.kind === 'file') return `the file store in ${config.dir}`;
  let url = config.url;
  try {
    const parsed = new URL(config.url);
    if (parsed.password !== '') parsed.password = '***';
    url = parsed.toString();
  } catch {
    url = '(unparsable REDIS_URL)';
  }
  return `Redis at ${url} (keys under ${config.keyPrefix})`;
}

/** Opens the store and recovers the engine; throws BootError (and closes what it opened) when it cannot. */
export async function openAndRecover(config: PersistenceConfig, logger: Logger, options: RecoverHooks = {}): Promise<Booted> {
  const persistence = await openStore(config, logger);
  return { persistence, recovered: await recoverStore(persistence, logger, options) };
}

export interface RecoverHooks {
  onReplayed?: RecoverOptions['onReplayed'];
  /**
   * What to do with a store that holds no market (no snapshot, a journal never written): create a new, empty
   * one, or refuse (exit 3). `because` says in the log and in the refusal which setting decided it. Absent:
   * create, silently (tests and embedding that always start on a fresh store).
   */
  newMarket?: { create: boolean; because: string };
}

/** Opens the store and reports what its Redis settings promise; throws BootError when it cannot be opened. */
export async function openStore(config: PersistenceConfig, logger: Logger): Promise<Persistence> {
  const store = describeStore(config);
  const redisLog = redisConnectionLog(logger);
  let persistence: Persistence;
  try {
    persistence = await openPersistence(config, { redisClient: { onError: redisLog.onError } });
  } catch (error) {
    // A damaged last line (or high-water mark) found while opening is stored data that does not add up, like
    // any damage recovery finds later: the same exit code and the same naming of the seq.
    if (error instanceof JournalCorruptError) {
      const what = error.seq === null ? `the journal (${store}) is damaged` : `journal entry seq ${error.seq} is damaged`;
      throw new BootError(`recovery stopped: ${what}: ${error.message}. Nothing was changed; see "Recovery" in docs/durability.md.`, 3, { cause: error });
    }
    throw new BootError(`cannot open the journal (${store}): ${(error as Error).message}`, 1, { cause: error });
  }
  for (const client of persistence.redisClients) client.on('ready', redisLog.onReady);
  logger.info({ store }, 'journal opened');
  if (persistence.redisSettings) logRedisSettings(logger, persistence.redisSettings);
  if (persistence.journalMarkCreated) {
    logger.warn('the file journal had no high-water mark (written by an older version): started one at its last entry; truncations before now cannot be detected');
  }
  if (persistence.repairedTornTailBytes > 0) {
    logger.warn({ bytes: persistence.repairedTornTailBytes }, 'cut off a torn last journal line left by a crash (it was never acknowledged)');
  }
  return persistence;
}

/** Recovers the engine from an opened store; throws BootError (and closes the store) when it cannot. */
export async function recoverStore(persistence: Persistence, logger: Logger, options: RecoverHooks = {}): Promise<Recovered> {
  const store = describeStore(persistence.config);
  const startedAt = performance.now();
  try {
    const recovered = await recover({
      journal: persistence.journal,
      snapshots: persistence.snapshots,
      createEngine: () => new Engine(),
      ...(options.onReplayed ? { onReplayed: options.onReplayed } : {}),
    });
    const ms = Math.round(performance.now() - startedAt);
    const { lastSeq, snapshotSeq, replayed, stateHash } = recovered;
    if (snapshotSeq === null && lastSeq === 0 && options.newMarket) await createMarket(persistence, recovered, options.newMarket, store, logger);
    logger.info({ lastSeq, snapshotSeq, replayed, stateHash, ms }, 'recovered');
    return recovered;
  } catch (error) {
    await persistence.close().catch(() => undefined);
    if (error instanceof BootError) throw error;
    if (error instanceof RecoveryError) {
      const at = error.seq === null || error.message.includes(`seq ${error.seq}`) ? '' : ` (at seq ${error.seq})`;
      throw new BootError(`${error.message}${at}. Nothing was changed; see "Recovery" in docs/durability.md.`, 3, { cause: error });
    }
    throw new BootError(`cannot read the journal (${store}) to recover: ${(error as Error).message}`, 1, { cause: error });
  }
}

/**
 * A store with no snapshot and an empty journal is either a new installation or one that lost its data (a Redis
 * restarted without persistence, flushed or evicted; a data directory replaced). Nothing in it tells the two
 * apart, and starting an empty market over lost data would forget every acknowledged command and reuse their
 * seqs (and effect ids): so only an explicit setting creates one. The creation is itself recorded, as a
 * snapshot at seq 0, so the next start finds a market even if no command came in between.
 */
async function createMarket(persistence: Persistence, recovered: Recovered, policy: { create: boolean; because: string }, store: string, logger: Logger): Promise<void> {
  if (!policy.create) {
    throw new BootError(
      `${store} holds no market (no snapshot and an empty journal; ${policy.because}). If this is a new installation, ` +
        'start once with CREATE_MARKET=1 to create an empty market. If the store lost its data, restore it instead: a new market ' +
        'would start again from seq 1 and forget every acknowledged command. Nothing was changed.',
      3,
    );
  }
  await writeCheckpoint({ engine: recovered.engine, seq: 0, journal: persistence.journal, snapshots: persistence.snapshots, trim: false });
  logger.warn({ because: policy.because }, `the store held no market: created a new, empty one (${policy.because}; CREATE_MARKET=0 refuses instead)`);
}

/** One log line per setting, at a level matching what it promises, and a summary. */
export function logRedisSettings(logger: Logger, report: RedisSettingsReport): void {
  for (const { name, value, level, promise } of report.settings) {
    const fields = { setting: name, value, assessment: level, promise };
    if (level === 'danger') logger.error(fields, 'redis setting');
    else if (level === 'warn' || level === 'unknown') logger.warn(fields, 'redis setting');
    else logger.info(fields, 'redis setting');
  }
  const summary =
    report.worst === 'ok' || report.worst === 'info'
      ? 'acknowledged commands survive a crash of this server and of Redis'
      : 'acknowledged commands survive a crash of this server; see the settings above for what a Redis crash may lose';
  logger.info({ worst: report.worst }, `redis durability: ${summary}`);
}

/**
 * ioredis reports every failed reconnect attempt (about one a second while Redis is away): log the first error
 * of an outage and the reconnection, not every attempt.
 */
function redisConnectionLog(logger: Logger): { onError: (error: Error) => void; onReady: () => void } {
  let down = false;
  return {
    onError(error) {
      if (down) return;
      down = true;
      logger.warn({ err: error }, 'redis connection lost; reconnecting in the background');
    },
    onReady() {
      if (!down) return;
      down = false;
      logger.info('redis connection ready again');
    },
  };
}
