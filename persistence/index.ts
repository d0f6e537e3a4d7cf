// Public surface of persistence: the journal and snapshot contracts, both stores, group commit, checkpoints,
// recovery and the Redis settings report. Everything outside persistence/ imports from here.
export {
  type Journal,
  type JournalEntry,
  type StoredEntry,
  JournalError,
  JournalUnavailableError,
  JournalSequenceError,
  JournalOverloadedError,
  JournalCorruptError,
  JournalClosedError,
  JournalBrokenError,
} from './journal.ts';
export { GroupCommitJournal, DEFAULT_GROUP_COMMIT, type GroupCommitOptions, type GroupCommitStats } from './group-commit.ts';
export {
  type SnapshotStore,
  type SnapshotRecord,
  type SnapshotInfo,
  type SnapshotSlot,
  SnapshotCorruptError,
  SnapshotOrderError,
  SnapshotUnavailableError,
} from './snapshots.ts';
export { FileJournal, type FileJournalOptions, type FileJournalOpenReport } from './file-journal.ts';
export { FileSnapshotStore } from './file-snapshots.ts';
export { DirectoryLockedError } from './fs-util.ts';
export { RedisJournal, journalKey, type RedisJournalOptions } from './redis-journal.ts';
export { RedisSnapshotStore, snapshotKeys, type RedisSnapshotOptions } from './redis-snapshots.ts';
export { connectRedis, JOURNAL_REDIS_OPTIONS, type RedisClientOptions } from './redis-client.ts';
export { checkRedisSettings, assessRedisSettings, type RedisSettingsReport, type RedisSettingReport, type SettingLevel } from './redis-settings.ts';
export { recover, RecoveryError, type RecoverOptions, type Recovered, type RecoveryProblem } from './recovery.ts';
export { writeCheckpoint, CheckpointPolicy, DEFAULT_CHECKPOINT_POLICY, type CheckpointOptions, type CheckpointResult, type CheckpointPolicyOptions } from './checkpoint.ts';
export {
  openPersistence,
  persistenceConfigFromEnv,
  DEFAULT_KEY_PREFIX,
  DEFAULT_DATA_DIR,
  type Persistence,
  type PersistenceConfig,
  type OpenPersistenceOptions,
} from './open.ts';
