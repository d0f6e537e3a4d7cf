// The seam where persistence plugs in: the sequencer hands every state-changing command to a journal and
// applies it only once the journal says it is durable, so an acknowledged command is never lost.
import type { Command } from '../engine/index.ts';

export interface JournalEntry {
  /** Consecutive from the sequencer's first seq, with no gaps: recovery stops on a gap. */
  seq: number;
  /** The command exactly as it will be applied, `nowMs` stamped. Replaying the entries in order rebuilds the state. */
  command: Command;
}

/**
 * Contract: `append` is called with entries in seq order and never again before the previous call settled.
 * It resolves once every entry is durable (the sequencer then applies them and acknowledges); it rejects on an
 * I/O fault, after which the sequencer applies nothing more and answers `unavailable`.
 */
export interface Journal {
  append(entries: readonly JournalEntry[]): Promise<void>;
}

/** No durability: for `npm start` without a store, tests and benchmarks. Acknowledged means applied in memory. */
export class InMemoryJournal implements Journal {
  /** Entries appended, for metrics and tests. Only the count is kept, so memory stays flat. */
  appended = 0;

  append(entries: readonly JournalEntry[]): Promise<void> {
    this.appended += entries.length;
    return Promise.resolve();
  }
}
