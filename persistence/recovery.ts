// Recovery at start-up: the newest snapshot, checked against its stored hash, then the journal after it,
// replayed in order through the same engine code that ran it the first time. The engine is deterministic, so
// the result is the state the sequencer had when it acknowledged the last journaled command.
//
// Anything that does not add up stops recovery with a RecoveryError naming the seq and the problem: a gap, a
// damaged or invalid entry, a snapshot whose state does not hash to what was stored, broken invariants. Never
// a silent skip: starting from a state that is not the acknowledged one would break promises made to shoppers.
import { Engine, SNAPSHOT_FORMAT, canonicalJson, hash64, type Applied, type Command } from '../engine/index.ts';
import { decodeJournalCommand } from '../engine/journal-command.ts';
import { JournalCorruptError, type Journal } from './journal.ts';
import { SnapshotCorruptError, type SnapshotSlot, type SnapshotStore } from './snapshots.ts';

export type RecoveryProblem =
  | 'corrupt_snapshot'
  | 'unreadable_snapshot'
  | 'hash_mismatch'
  | 'journal_behind_snapshot'
  | 'journal_truncated'
  | 'gap'
  | 'corrupt_entry'
  | 'invalid_command'
  | 'engine_threw'
  | 'invariants';

export class RecoveryError extends Error {
  override name = 'RecoveryError';
  constructor(
    readonly problem: RecoveryProblem,
    /** The seq the problem is at, when there is one. */
    readonly seq: number | null,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`recovery stopped: ${message}`, options);
  }
}

export interface RecoverOptions {
  journal: Journal;
  snapshots: SnapshotStore;
  /** Makes the engine to replay into when there is no snapshot (a first start). */
  createEngine: () => Engine;
  /** Which snapshot to start from. 'previous' is an operator's way round a damaged newest snapshot. */
  snapshot?: SnapshotSlot;
  /** Entries read from the store per batch. */
  batchSize?: number;
  /**
   * Called after each entry replayed after the snapshot, with what its apply returned and the engine being
   * rebuilt (the effects outbox derives the entry's effects again from it). Must not throw.
   */
  onReplayed?: (seq: number, command: Command, applied: Applied, engine: Engine) => void;
}

export interface Recovered {
  engine: Engine;
  /** The last seq applied: the sequencer's next command gets `lastSeq + 1`. */
  lastSeq: number;
  /** Seq of the snapshot recovery started from, or null when it replayed from the first entry. */
  snapshotSeq: number | null;
  /** Journal entries replayed after the snapshot. */
  replayed: number;
  stateHash: string;
}

/**
 * Rebuilds the engine from `snapshots` and `journal`. Store I/O failures (JournalUnavailableError,
 * SnapshotUnavailableError) pass through unchanged: they mean "try again later", not "the data is wrong".
 */
export async function recover(options: RecoverOptions): Promise<Recovered> {
  const { journal, snapshots, createEngine } = options;
  const slot = options.snapshot ?? 'newest';
  const record = await loadSnapshot(snapshots, slot);

  let engine: Engine;
  let baseSeq = 0;
  if (record === null) {
    engine = createEngine();
  } else {
    baseSeq = record.seq;
    // A snapshot of an older format was hashed as it was written (the old code's stateHash is the hash of its
    // canonical JSON): check it before migrating, since the migrated state hashes differently by design, and a
    // field damaged on disk must be caught before a migration turns it into plausible new-format state.
    const format = (record.snapshot as { format?: unknown }).format;
    if (format !== SNAPSHOT_FORMAT) {
      const stored = hash64(canonicalJson(record.snapshot));
      if (stored !== record.hash) {
        throw new RecoveryError(
          'hash_mismatch',
          record.seq,
          `the ${slot} snapshot (seq ${record.seq}, format ${JSON.stringify(format) ?? String(format)}) hashes to ${stored}, but hash ${record.hash} was stored with it` +
            (slot === 'newest' ? '; the previous snapshot may still be usable (recover with snapshot: "previous")' : ''),
        );
      }
    }
    try {
      engine = Engine.restore(record.snapshot);
    } catch (error) {
      throw new RecoveryError('unreadable_snapshot', record.seq, `the ${slot} snapshot (seq ${record.seq}) cannot be restored: ${(error as Error).message}`, { cause: error });
    }
    const actual = engine.stateHash();
    if (format === SNAPSHOT_FORMAT && actual !== record.hash) {
      throw new RecoveryError(
        'hash_mismatch',
        record.seq,
        `the ${slot} snapshot (seq ${record.seq}) restores to state hash ${actual}, but hash ${record.hash} was stored with it` +
          (slot === 'newest' ? '; the previous snapshot may still be usable (recover with snapshot: "previous")' : ''),
      );
    }
    checkInvariants(engine, record.seq, `after restoring the ${slot} snapshot`);
  }

  const journalLast = await journal.lastSeq();
  if (journalLast < baseSeq) {
    throw new RecoveryError(
      'journal_behind_snapshot',
      baseSeq,
      `the journal ends at seq ${journalLast}, before the snapshot at seq ${baseSeq}: the journal was deleted, evicted or belongs to another data set`,
    );
  }

  // The store's own record of what it acknowledged (the file store's high-water mark): entries ending before it
  // are acknowledged commands that are gone, whatever the reason (a file cut short or replaced by an older copy).
  const acknowledged = journal.acknowledgedSeq ? await journal.acknowledgedSeq() : null;
  if (acknowledged !== null && journalLast < acknowledged) {
    const missing = journalLast + 1 === acknowledged ? `seq ${acknowledged} is` : `seq ${journalLast + 1}..${acknowledged} are`;
    throw new RecoveryError(
      'journal_truncated',
      journalLast + 1,
      `the journal ends at seq ${journalLast}, but its high-water mark records seq ${acknowledged} as acknowledged: ${missing} missing ` +
        '(the journal was cut short, emptied or replaced by an older copy)',
    );
  }

  let lastApplied = baseSeq;
  try {
    for await (const batch of journal.readFrom(baseSeq + 1, options.batchSize)) {
      for (const entry of batch) {
        const expected = lastApplied + 1;
        if (entry.seq !== expected) {
          const what = entry.seq < expected ? `seq ${entry.seq} appears again after seq ${lastApplied}` : `seq ${expected}${entry.seq > expected + 1 ? `..${entry.seq - 1}` : ''} is missing (the journal jumps from seq ${lastApplied} to seq ${entry.seq})`;
          throw new RecoveryError('gap', expected, `${what}${baseSeq > 0 && lastApplied === baseSeq ? ` right after the snapshot at seq ${baseSeq}` : ''}`);
        }
        // The journal's own decoder: structure only, so a client bound tightened since never blocks a restart.
        const parsed = decodeJournalCommand(entry.version, entry.command);
        if (!parsed.ok) throw new RecoveryError('invalid_command', entry.seq, `journal entry seq ${entry.seq} is not a valid command: ${parsed.message}`);
        let applied: Applied;
        try {
          applied = engine.apply(parsed.command);
        } catch (error) {
          throw new RecoveryError('engine_threw', entry.seq, `the engine threw while replaying seq ${entry.seq} (${parsed.command.type}): ${(error as Error).message}`, { cause: error });
        }
        lastApplied = entry.seq;
        options.onReplayed?.(entry.seq, parsed.command, applied, engine);
      }
    }
  } catch (error) {
    if (error instanceof JournalCorruptError) {
      const seq = error.seq ?? lastApplied + 1;
      throw new RecoveryError('corrupt_entry', seq, `journal entry seq ${error.seq ?? `after ${lastApplied}`} is damaged: ${error.message}`, { cause: error });
    }
    throw error;
  }

  if (lastApplied < journalLast) {
    throw new RecoveryError(
      'gap',
      lastApplied + 1,
      `the journal's last seq is ${journalLast}, but its entries stop after seq ${lastApplied}: seq ${lastApplied + 1}..${journalLast} are missing`,
    );
  }
  checkInvariants(engine, lastApplied, 'after replaying the journal');
  return { engine, lastSeq: lastApplied, snapshotSeq: record?.seq ?? null, replayed: lastApplied - baseSeq, stateHash: engine.stateHash() };
}

async function loadSnapshot(snapshots: SnapshotStore, slot: SnapshotSlot) {
  try {
    return await snapshots.load(slot);
  } catch (error) {
    if (error instanceof SnapshotCorruptError) {
      throw new RecoveryError('corrupt_snapshot', null, `the ${slot} snapshot is damaged: ${error.message}`, { cause: error });
    }
    throw error;
  }
}

function checkInvariants(engine: Engine, seq: number, when: string): void {
  const violations = engine.checkInvariants();
  if (violations.length > 0) {
    throw new RecoveryError('invariants', seq, `the engine's invariants fail ${when} (seq ${seq}): ${violations.slice(0, 5).join('; ')}`);
  }
}
