// Checkpoints: a snapshot of the engine at a seq, then a trim of the journal that no kept snapshot needs.
// The order is the point: the journal loses entries only after a snapshot covering them is durable, and only
// entries older than the *previous* snapshot, so a damaged newest snapshot still leaves a way to recover.
import { canonicalJson, hash64, type Engine } from '../engine/index.ts';
import { JournalSequenceError, type Journal } from './journal.ts';
import type { SnapshotStore } from './snapshots.ts';

export interface CheckpointOptions {
  engine: Engine;
  /** The last seq the engine has applied; the snapshot is the state after it. */
  seq: number;
  /** With a GroupCommitJournal, its `sync` is awaited so the snapshot never runs ahead of the journal. */
  journal: Journal & { sync?: () => Promise<void> };
  snapshots: SnapshotStore;
  /**
   * Whether to trim the journal after the snapshot (default true). Off keeps every entry, e.g. for an audit
   * trail or to replay the whole history from the first command.
   */
  trim?: boolean;
  /**
   * Awaited after the state is captured and before the snapshot is saved, with its seq. The effects outbox
   * flushes here: recovery replays only after the newest snapshot, so whatever must be derived from the entries
   * up to `seq` has to be out of memory before a snapshot makes those entries look done. A rejection aborts
   * the checkpoint (nothing is saved).
   */
  beforeSave?: (seq: number) => Promise<void>;
}

export interface CheckpointResult {
  seq: number;
  hash: string;
  /** The journal was trimmed before this seq (entries below it may be gone), or null when nothing was trimmed. */
  trimmedBefore: number | null;
}

/**
 * Writes a snapshot of `engine` at `seq`, then trims the journal. Call it between two commands: the state is
 * captured synchronously before the first await, so commands applied meanwhile do not leak into it.
 * Contract: resolves once the snapshot is durable; the trim happens after that and only below the oldest kept
 * snapshot. Rejects when the journal has not reached `seq` (a snapshot ahead of the journal would make the
 * next append look like a gap after a restart).
 */
export async function writeCheckpoint(options: CheckpointOptions): Promise<CheckpointResult> {
  const { engine, seq, journal, snapshots } = options;
  // A deep copy, so later commands cannot change what is written; its hash equals engine.stateHash() now.
  const snapshot = structuredClone(engine.snapshot());
  const hash = hash64(canonicalJson(snapshot));

  if (journal.sync) await journal.sync();
  const journalLast = await journal.lastSeq();
  if (journalLast < seq) {
    throw new JournalSequenceError(`cannot snapshot at seq ${seq}: the journal is durable only up to seq ${journalLast}`, seq, journalLast);
  }
  if (options.beforeSave) await options.beforeSave(seq);
  await snapshots.save({ seq, hash, snapshot });

  if (options.trim === false) return { seq, hash, trimmedBefore: null };
  const kept = await snapshots.list();
  const oldest = kept.reduce((min, info) => Math.min(min, info.seq), seq);
  if (kept.length < 2) return { seq, hash, trimmedBefore: null };
  await journal.trimBefore(oldest + 1);
  return { seq, hash, trimmedBefore: oldest + 1 };
}

export interface CheckpointPolicyOptions {
  /** Checkpoint after this many journaled entries since the last one... */
  everyEntries: number;
  /** ...or after this long with at least one entry since the last one. */
  everyMs: number;
}

export const DEFAULT_CHECKPOINT_POLICY: CheckpointPolicyOptions = { everyEntries: 100_000, everyMs: 5 * 60_000 };

/**
 * Decides when to checkpoint, by count and by time. The caller feeds it its clock (so tests need no timers) and
 * tells it when a checkpoint finished; at most one checkpoint should run at a time.
 */
export class CheckpointPolicy {
  private lastSeq: number;
  private lastAtMs: number;

  constructor(
    private readonly options: CheckpointPolicyOptions = DEFAULT_CHECKPOINT_POLICY,
    startSeq = 0,
    startAtMs = 0,
  ) {
    this.lastSeq = startSeq;
    this.lastAtMs = startAtMs;
  }

  isDue(seq: number, nowMs: number): boolean {
    const pending = seq - this.lastSeq;
    return pending >= this.options.everyEntries || (pending > 0 && nowMs - this.lastAtMs >= this.options.everyMs);
  }

  done(seq: number, nowMs: number): void {
    this.lastSeq = seq;
    this.lastAtMs = nowMs;
  }
}
