// Snapshot stores: the engine's whole state at a seq, with its state hash, so recovery replays only the tail.
import type { EngineSnapshot } from '../engine/index.ts';

/** A snapshot of the engine after applying every entry up to and including `seq`. */
export interface SnapshotRecord {
  seq: number;
  /** `engine.stateHash()` when the snapshot was taken; recovery checks the restored engine against it. */
  hash: string;
  snapshot: EngineSnapshot;
}

/** Which of the kept snapshots to load: normally the newest; the previous one is for an operator's fallback. */
export type SnapshotSlot = 'newest' | 'previous';

export interface SnapshotInfo {
  slot: SnapshotSlot;
  seq: number;
  hash: string;
}

/**
 * Contract every snapshot store keeps.
 * - Atomicity: `save` either makes the new record the newest, or (on any failure) leaves the store as it was.
 *   A reader never sees half a snapshot.
 * - Retention: the store keeps the newest record and the one before it. The previous one is replaced only by a
 *   successful save, so there is always a complete snapshot even if a save dies halfway.
 * - Ordering: a record with a lower seq than the newest is refused; saving the newest seq again replaces it
 *   without moving it to `previous` (so `previous` is always strictly older).
 * - Acknowledged: when `save` resolves, the record survives a crash of this process (file store: fsync'ed and
 *   renamed into place; Redis: as durable as Redis' own persistence settings make it).
 * - Integrity: a record is stored with a checksum; `load` throws `SnapshotCorruptError` on a mismatch.
 */
export interface SnapshotStore {
  save(record: SnapshotRecord): Promise<void>;
  /** The record in `slot`, or null when there is none. */
  load(slot?: SnapshotSlot): Promise<SnapshotRecord | null>;
  /** Seq and hash of the kept records, newest first, without loading their data. */
  list(): Promise<SnapshotInfo[]>;
  close(): Promise<void>;
}

export class SnapshotCorruptError extends Error {
  override name = 'SnapshotCorruptError';
  constructor(
    message: string,
    readonly where: string,
  ) {
    super(message);
  }
}

/** A snapshot older than the newest one kept. */
export class SnapshotOrderError extends Error {
  override name = 'SnapshotOrderError';
}

/** A snapshot store that cannot be reached or failed to write; nothing changed in the store. */
export class SnapshotUnavailableError extends Error {
  override name = 'SnapshotUnavailableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
