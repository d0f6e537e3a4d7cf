// In-memory journal and snapshot stores that keep the persistence contracts and can be told to fail the way a
// remote store does: refuse everything while "down", or write a batch and then report failure (a reply lost
// on the way back: the write is in doubt). Tests drive outages with them without any timing.
import {
  JournalUnavailableError,
  type Journal,
  type JournalEntry,
  type SnapshotInfo,
  type SnapshotRecord,
  type SnapshotStore,
  type StoredEntry,
} from '../../../persistence/index.ts';
import { checkConsecutive } from '../../../persistence/journal.ts';

export type StoreMode = 'up' | 'down' | 'write-then-fail';

export class MemoryJournalStore implements Journal {
  entries: JournalEntry[] = [];
  mode: StoreMode = 'up';
  /** Appends that reached the store, for group-commit checks. */
  writes = 0;
  /** Called once per failed append, after the mode took effect. */
  onFailure: (() => void) | null = null;

  async append(entries: readonly JournalEntry[]): Promise<void> {
    if (this.mode === 'down') throw this.unavailable('append');
    checkConsecutive(entries, this.last());
    this.writes += 1;
    // JSON round trip: what a real store would hand back, never the live objects.
    for (const entry of entries) this.entries.push(JSON.parse(JSON.stringify(entry)) as JournalEntry);
    if (this.mode === 'write-then-fail') {
      // The write happened; the caller hears it failed. Later calls find the store away.
      this.mode = 'down';
      this.onFailure?.();
      throw this.unavailable('append (reply lost)');
    }
  }

  async *readFrom(fromSeq: number, batchSize = 100): AsyncIterable<readonly StoredEntry[]> {
    if (this.mode === 'down') throw this.unavailable('read');
    const rest = this.entries.filter((entry) => entry.seq >= fromSeq);
    for (let i = 0; i < rest.length; i += batchSize) yield rest.slice(i, i + batchSize);
  }

  async trimBefore(seq: number): Promise<void> {
    if (this.mode === 'down') throw this.unavailable('trim');
    this.entries = this.entries.filter((entry) => entry.seq >= seq);
  }

  async lastSeq(): Promise<number> {
    if (this.mode === 'down') throw this.unavailable('lastSeq');
    return this.last();
  }

  async close(): Promise<void> {}

  private last(): number {
    return this.entries.length === 0 ? 0 : this.entries[this.entries.length - 1]!.seq;
  }

  private unavailable(what: string): JournalUnavailableError {
    return new JournalUnavailableError(`memory store is down (${what})`);
  }
}

export class MemorySnapshotStore implements SnapshotStore {
  records: SnapshotRecord[] = [];

  async save(record: SnapshotRecord): Promise<void> {
    const newest = this.records[0];
    if (newest && newest.seq > record.seq) throw new Error(`snapshot ${record.seq} is older than ${newest.seq}`);
    const copy = JSON.parse(JSON.stringify(record)) as SnapshotRecord;
    if (newest && newest.seq === record.seq) this.records[0] = copy;
    else this.records = [copy, ...this.records].slice(0, 2);
  }

  async load(slot: 'newest' | 'previous' = 'newest'): Promise<SnapshotRecord | null> {
    return this.records[slot === 'newest' ? 0 : 1] ?? null;
  }

  async list(): Promise<SnapshotInfo[]> {
    return this.records.map((record, i) => ({ slot: i === 0 ? 'newest' : 'previous', seq: record.seq, hash: record.hash }));
  }

  async close(): Promise<void> {}
}
