// The seam where persistence plugs in: the sequencer hands every state-changing command to a journal and
// applies it only once the journal says it is durable, so an acknowledged command is never lost.
// persistence/'s GroupCommitJournal implements all of it; InMemoryJournal only `append`.
import type { Command } from '../engine/index.ts';

export interface JournalEntry {
  /** Consecutive from the sequencer's first seq, with no gaps: recovery stops on a gap. */
  seq: number;
  /** The command exactly as it will be applied, `nowMs` stamped. Replaying the entries in order rebuilds the state. */
  command: Command;
}

/** An entry as a store reads it back: the command is still to be validated by the reader. */
export interface StoredJournalEntry {
  seq: number;
  command: unknown;
  /** The entry's journal format version as stored (undefined: written before versions). */
  version?: unknown;
}

/**
 * Contract:
 * - `append` is called with consecutive seqs across calls, and may be called again before earlier calls
 *   settled (the sequencer keeps appending while a write is in flight). Calls must become durable in call order;
 *   once a call fails, every later call must fail too or be refused by the store's own seq check (a later call
 *   that lands anyway is harmless: see `resync`). A call resolves once all its entries are durable.
 * - `maxBatchEntries`: the most entries one call may hold; the sequencer splits larger bursts.
 * - `wouldAccept(count)`: false when a call of `count` entries would be refused for lack of room; the
 *   sequencer then answers `unavailable` without giving the commands a seq.
 * - `resync` + `readFrom` make a failed journal recoverable in place: after a failed append the sequencer
 *   calls `resync()` (waits until no write is in flight, clears the failure, returns the store's last seq),
 *   reads what the store has beyond what it applied, applies it, and continues after the store's last seq.
 *   A journal without them turns the first failed append into a permanent stop (`unavailable` until restart).
 */
export interface Journal {
  append(entries: readonly JournalEntry[]): Promise<void>;
  readonly maxBatchEntries?: number;
  wouldAccept?(count: number): boolean;
  resync?(): Promise<number>;
  readFrom?(fromSeq: number, batchSize?: number): AsyncIterable<readonly StoredJournalEntry[]>;
}

/** No durability: for tests and benchmarks of the gateway alone. Acknowledged means applied in memory. */
export class InMemoryJournal implements Journal {
  /** Entries appended, for metrics and tests. Only the count is kept, so memory stays flat. */
  appended = 0;

  append(entries: readonly JournalEntry[]): Promise<void> {
    this.appended += entries.length;
    return Promise.resolve();
  }
}
