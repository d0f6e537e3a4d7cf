// An in-memory journal and snapshot store with the contract of persistence/ (two snapshots kept, the journal trimmed
// only below the older one), kept as JSON text so that a restore sees exactly what a store would hand back. The
// replay is the simulator's own (parse, then apply, in seq order), so a planted bug in a restored engine is visible.
import { canonicalJson, hash64, parseCommand, type Command, type EngineConfig, type EngineSnapshot } from '../../../engine/index.ts';
import { CheckFailure } from '../check-failure.ts';
import type { EngineFactory, SimEngine } from '../engine-port.ts';
import type { Prng } from '../prng.ts';
import type { DurableStore, Recovered } from './durable-store.ts';

interface StoredSnapshot {
  seq: number;
  hash: string;
  json: string;
}

export class MemoryStore implements DurableStore {
  readonly kind = 'memory';
  private entries: { seq: number; json: string }[] = [];
  private lastSeq = 0;
  private newest: StoredSnapshot | null = null;
  private previous: StoredSnapshot | null = null;

  constructor(private readonly rng: Prng) {}

  record(command: Command): void {
    this.entries.push({ seq: ++this.lastSeq, json: JSON.stringify(command) });
  }

  async checkpoint(engine: SimEngine): Promise<string> {
    // The state hash is by definition the hash of the snapshot's canonical JSON: one snapshot serves both.
    const state = engine.snapshot();
    const snapshot: StoredSnapshot = { seq: this.lastSeq, hash: hash64(canonicalJson(state)), json: JSON.stringify(state) };
    // The same seq again replaces the newest in place, so `previous` is always strictly older.
    if (this.newest !== null && this.newest.seq !== snapshot.seq) this.previous = this.newest;
    this.newest = snapshot;
    let trimmed = '';
    if (this.previous !== null && this.rng.chance(0.7)) {
      const keepAfter = this.previous.seq;
      const before = this.entries.length;
      this.entries = this.entries.filter((entry) => entry.seq > keepAfter);
      trimmed = `, trimmed ${before - this.entries.length} entries`;
    }
    return `memory snapshot at seq ${snapshot.seq}${trimmed}`;
  }

  async recover(factory: EngineFactory, config: EngineConfig): Promise<Recovered> {
    const from = this.previous !== null && this.rng.chance(0.25) ? this.previous : this.newest;
    let engine: SimEngine;
    let baseSeq = 0;
    if (from === null) {
      engine = factory.create(config);
    } else {
      engine = factory.restore(JSON.parse(from.json) as EngineSnapshot);
      baseSeq = from.seq;
      const restoredHash = engine.stateHash();
      if (restoredHash !== from.hash) {
        throw new CheckFailure('restored snapshot hash', `the snapshot at seq ${from.seq} restores to state hash ${restoredHash}, but ${from.hash} was taken with it`);
      }
    }
    let expected = baseSeq + 1;
    for (const entry of this.entries) {
      if (entry.seq <= baseSeq) continue;
      if (entry.seq !== expected) throw new CheckFailure('journal gap', `recovery from seq ${baseSeq} needs seq ${expected}, the journal has seq ${entry.seq} next`);
      const parsed = parseCommand(JSON.parse(entry.json));
      if (!parsed.ok) throw new CheckFailure('journaled command invalid', `seq ${entry.seq} no longer parses: ${parsed.message}`);
      engine.apply(parsed.command);
      expected++;
    }
    if (expected !== this.lastSeq + 1) throw new CheckFailure('journal gap', `recovery replayed up to seq ${expected - 1}, the journal ends at seq ${this.lastSeq}`);
    const start = from === null ? 'the first command' : `the ${from === this.newest ? 'newest' : 'previous'} snapshot (seq ${from.seq})`;
    return { engine, detail: `memory store: from ${start}, replayed ${this.lastSeq - baseSeq} entries` };
  }

  async close(): Promise<void> {
    this.entries = [];
  }
}
