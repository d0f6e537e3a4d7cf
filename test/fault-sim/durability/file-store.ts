// The real embedded store of persistence/ in a temporary directory: FileJournal, FileSnapshotStore,
// writeCheckpoint and recover(), the code a restarted server runs. Appends are batched (group commit) and flushed
// before a checkpoint or a crash, which keeps journal-before-ack: nothing is lost that the run relies on. A crash
// closes the store, sometimes leaves a torn last line behind (a write cut short, never acknowledged), reopens it
// and recovers from the newest or the previous snapshot.
import { appendFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine, type Command, type EngineConfig } from '../../../engine/index.ts';
import { FileJournal, FileSnapshotStore, recover, RecoveryError, writeCheckpoint, type JournalEntry } from '../../../persistence/index.ts';
import { CheckFailure } from '../check-failure.ts';
import type { EngineFactory, SimEngine } from '../engine-port.ts';
import type { Prng } from '../prng.ts';
import type { DurableStore, Recovered } from './durable-store.ts';

export class FileStore implements DurableStore {
  readonly kind = 'file';
  private pending: JournalEntry[] = [];
  private lastSeq = 0;

  private constructor(
    private readonly dir: string,
    private readonly rng: Prng,
    private journal: FileJournal,
    private snapshots: FileSnapshotStore,
  ) {}

  static async open(rng: Prng): Promise<FileStore> {
    const dir = await mkdtemp(join(tmpdir(), 'tuan-fault-sim-'));
    const journal = await FileJournal.open({ dir: join(dir, 'journal') });
    const snapshots = await FileSnapshotStore.open(join(dir, 'snapshots'));
    return new FileStore(dir, rng, journal, snapshots);
  }

  record(command: Command): void {
    this.pending.push({ seq: ++this.lastSeq, command: structuredClone(command) });
  }

  async checkpoint(engine: SimEngine): Promise<string> {
    await this.flush();
    const trim = this.rng.chance(0.7);
    // writeCheckpoint reads only `snapshot()` from the engine; a wrapped engine serves it the same way.
    const result = await writeCheckpoint({ engine: engine as unknown as Engine, seq: this.lastSeq, journal: this.journal, snapshots: this.snapshots, trim });
    return `file snapshot at seq ${result.seq}${result.trimmedBefore === null ? '' : `, journal trimmed before seq ${result.trimmedBefore}`}`;
  }

  async recover(factory: EngineFactory, config: EngineConfig): Promise<Recovered> {
    await this.flush();
    await this.journal.close();
    await this.snapshots.close();
    const torn = this.rng.chance(0.3) ? await this.tearLastLine() : 0;

    this.journal = await FileJournal.open({ dir: join(this.dir, 'journal') });
    this.snapshots = await FileSnapshotStore.open(join(this.dir, 'snapshots'));
    if (this.journal.openReport.tornTailBytes !== torn) {
      throw new CheckFailure('torn journal tail', `${torn} bytes of a torn line were left, the journal repaired ${this.journal.openReport.tornTailBytes}`);
    }
    const kept = await this.snapshots.list();
    const slot = kept.length === 2 && this.rng.chance(0.25) ? 'previous' : 'newest';
    let recovered: Awaited<ReturnType<typeof recover>>;
    try {
      recovered = await recover({ journal: this.journal, snapshots: this.snapshots, createEngine: () => new Engine(config), snapshot: slot });
    } catch (error) {
      if (error instanceof RecoveryError) throw new CheckFailure(`recovery refused the file store (${error.problem})`, error.message);
      throw error;
    }
    if (recovered.lastSeq !== this.lastSeq) {
      throw new CheckFailure('recovered seq', `recovery reached seq ${recovered.lastSeq}, the run had journaled up to seq ${this.lastSeq}`);
    }
    // Recovery builds a plain Engine; the run goes on with the factory's kind of engine in the same state.
    const engine = factory.restore(recovered.engine.snapshot());
    const start = recovered.snapshotSeq === null ? 'the first command' : `the ${slot} snapshot (seq ${recovered.snapshotSeq})`;
    return { engine, detail: `file store: from ${start}, replayed ${recovered.replayed} entries${torn > 0 ? `, repaired a ${torn}-byte torn tail` : ''}` };
  }

  async close(): Promise<void> {
    try {
      await this.journal.close();
      await this.snapshots.close();
    } finally {
      await rm(this.dir, { recursive: true, force: true });
    }
  }

  private async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    await this.journal.append(batch);
  }

  /** Appends the start of a line that never got its newline, as a crash in the middle of a write leaves it. */
  private async tearLastLine(): Promise<number> {
    const journalDir = join(this.dir, 'journal');
    const segments = (await readdir(journalDir)).filter((name) => /^\d{16}\.log$/.test(name)).sort();
    const fragment = `0badf00d {"seq":${this.lastSeq + 1},"command":{"type":"ti`;
    await appendFile(join(journalDir, segments[segments.length - 1]!), fragment);
    return Buffer.byteLength(fragment);
  }
}
