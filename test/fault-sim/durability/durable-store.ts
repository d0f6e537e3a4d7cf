// Where a simulated run keeps what would survive a crash: a journal of every command the engine applied (in the
// order applied) and snapshots. A crash discards the live engine; `recover` rebuilds one from this data alone,
// and the simulator checks it reaches the live engine's state hash before the run goes on with it.
import type { Command, EngineConfig } from '../../../engine/index.ts';
import type { EngineFactory, SimEngine } from '../engine-port.ts';

export interface Recovered {
  engine: SimEngine;
  /** How it was rebuilt, for the run's log: the store, the snapshot used, the entries replayed, repairs made. */
  detail: string;
}

export interface DurableStore {
  readonly kind: 'memory' | 'file';
  /** Journals a command the engine applied. Read-only commands that ran at the engine's clock are not journaled. */
  record(command: Command): void;
  /** A snapshot of the engine after every command recorded so far (and perhaps a trim of the journal). */
  checkpoint(engine: SimEngine): Promise<string>;
  /** What a restart rebuilds from the durable data alone. */
  recover(factory: EngineFactory, config: EngineConfig): Promise<Recovered>;
  close(): Promise<void>;
}
