// The journal: the ordered, durable list of commands the sequencer accepted. The engine is deterministic, so
// these commands (each stamped with its `nowMs`) are all that is needed to rebuild its state after a snapshot.
//
// Every store (Redis Streams, the embedded file store) implements `Journal`; the sequencer talks to a
// `GroupCommitJournal` wrapped around one, which turns many appends made in one event-loop turn into one write.
import type { Command } from '../engine/index.ts';
import { JOURNAL_COMMAND_FORMAT } from '../engine/journal-command.ts';

/**
 * The format version written with every journal entry (file line field `v`, Redis stream field `v`), so a
 * later change to how commands are stored can be read entry by entry. Entries written before versions existed
 * carry none and are format 1; version 2 is the same command JSON with the version recorded.
 */
export const JOURNAL_FORMAT_VERSION = JOURNAL_COMMAND_FORMAT;

/** One journaled command. `seq` starts at 1 and increases by exactly one per entry, with no gaps, forever. */
export interface JournalEntry {
  seq: number;
  command: Command;
}

/**
 * An entry as read back from a store. The store has checked its checksum and that it is JSON; whether the
 * command is still a valid command (`decodeJournalCommand`, never the client's `parseCommand`) is for the reader to decide, because a store must be able
 * to hand back an entry written by an older version of the code and let recovery name what is wrong with it.
 */
export interface StoredEntry {
  seq: number;
  command: unknown;
  /** The entry's format version as stored; undefined for entries written before versions (format 1). */
  version?: unknown;
}

/**
 * Contract every journal store keeps.
 *
 * - Ordering: entries are stored and read back in `seq` order. A store refuses (`JournalSequenceError`) any
 *   append whose first seq is not exactly `lastSeq() + 1` or whose seqs are not consecutive, so a duplicate or
 *   a gap can never enter the journal, even from a second writer that believes it owns the same journal.
 * - Atomicity: one `append` call is all or nothing as far as the store can make it (the Redis store checks
 *   everything before writing anything; the file store truncates a torn tail on open).
 * - Concurrency: the file store takes one append at a time (the caller waits for one to settle before the
 *   next, as GroupCommitJournal does with `maxBatchesInFlight: 1`). The Redis store also takes a next append
 *   while one is in flight: one connection keeps them in order, and its seq check refuses the second when
 *   the first failed.
 * - Acknowledged: when `append` resolves, every entry in it is as durable as the store promises (the file
 *   store: written and fdatasync'ed; Redis: in Redis memory and its AOF buffer, durable on disk per the Redis
 *   `appendfsync` setting, see docs/durability.md). Only then may the sequencer ack the commands.
 * - Failure: when `append` rejects with `JournalUnavailableError` the entries are in doubt (a timeout may hide
 *   a write that happened). The journal then holds a prefix of everything ever sent, never a hole; the caller
 *   must rebuild its state from the store (`recover`) and continue from `lastSeq() + 1`.
 * - Idempotency: none at this level. Re-appending an entry that was written is refused as a duplicate.
 */
export interface Journal {
  /** Appends consecutive entries after the current last one. Resolves once they are durable (see above). */
  append(entries: readonly JournalEntry[]): Promise<void>;
  /**
   * Reads entries with seq ≥ `fromSeq` in order, in batches of at most `batchSize`. A stored entry that fails
   * its checksum or is not JSON stops the read with `JournalCorruptError`; entries are never skipped. The
   * reader does not check for gaps (recovery does, so it can say where the gap is).
   */
  readFrom(fromSeq: number, batchSize?: number): AsyncIterable<readonly StoredEntry[]>;
  /**
   * Allows the store to drop entries with seq < `seq`; entries ≥ `seq` are never dropped. A store may keep
   * some older entries (the file store drops whole segments only). Call it only after a snapshot at or after
   * `seq - 1` is safely written (`writeCheckpoint` does that).
   */
  trimBefore(seq: number): Promise<void>;
  /** The seq of the last entry ever appended (trimming does not lower it); 0 for a journal never written. */
  lastSeq(): Promise<number>;
  /**
   * The highest seq the store recorded, apart from the entries themselves, as acknowledged (the file store's
   * high-water mark, written and fsync'ed before each ack), or null when the store keeps no such record.
   * Recovery refuses a journal whose entries end before it: acknowledged entries were lost.
   */
  acknowledgedSeq?(): Promise<number | null>;
  /** Releases the store's resources. Appends after close are refused. */
  close(): Promise<void>;
}

/** Base of every journal error, so the gateway can answer `unavailable` for any of them with one check. */
export class JournalError extends Error {
  override name = 'JournalError';
}

/** The store could not be reached or failed to write. The entries of the failed append are in doubt. */
export class JournalUnavailableError extends JournalError {
  override name = 'JournalUnavailableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * The store failed in a way this process cannot see past: after a failed write or fsync of the file journal,
 * the page cache may have dropped or kept data the disk never got, so what is durable is unknown until the
 * journal is opened again (which re-reads it from disk). Not retryable in place: restart and recover.
 */
export class JournalBrokenError extends JournalError {
  override name = 'JournalBrokenError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** An append was out of step with the store: a duplicate seq, a gap, or non-consecutive entries. */
export class JournalSequenceError extends JournalError {
  override name = 'JournalSequenceError';
  constructor(
    message: string,
    /** The seq the store expected next, when it knows it. */
    readonly expectedSeq: number | null,
    readonly gotSeq: number,
  ) {
    super(message);
  }
}

/** The group-commit queue is full: nothing was written. The sequencer should refuse commands before this. */
export class JournalOverloadedError extends JournalError {
  override name = 'JournalOverloadedError';
}

/** A stored entry is damaged. `seq` is the entry's seq when it could be read, else null; `where` locates it. */
export class JournalCorruptError extends JournalError {
  override name = 'JournalCorruptError';
  constructor(
    message: string,
    readonly seq: number | null,
    readonly where: string,
  ) {
    super(message);
  }
}

/** The journal was closed. */
export class JournalClosedError extends JournalError {
  override name = 'JournalClosedError';
}

/** Checks that `entries` are consecutive and start right after `lastSeq`; throws `JournalSequenceError` if not. */
export function checkConsecutive(entries: readonly JournalEntry[], lastSeq: number | null): void {
  let expected = lastSeq === null ? null : lastSeq + 1;
  for (const entry of entries) {
    if (!Number.isSafeInteger(entry.seq) || entry.seq < 1) {
      throw new JournalSequenceError(`seq ${String(entry.seq)} is not a positive integer`, expected, entry.seq);
    }
    if (expected !== null && entry.seq !== expected) {
      const what = entry.seq < expected ? 'a duplicate' : 'a gap';
      throw new JournalSequenceError(`seq ${entry.seq} would make ${what}: the journal expects seq ${expected} next`, expected, entry.seq);
    }
    expected = entry.seq + 1;
  }
}
