// One conformance suite for every journal + snapshot store: the same contract, checked the same way, so the
// embedded store and Redis cannot drift apart. Each store's test file supplies a harness (how to open it and
// how to damage it) and calls `describeStoreConformance`.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Engine, type Command } from '../../engine/index.ts';
import {
  GroupCommitJournal,
  JournalClosedError,
  JournalSequenceError,
  RecoveryError,
  SnapshotOrderError,
  recover,
  writeCheckpoint,
  type Journal,
  type JournalEntry,
  type SnapshotStore,
  type StoredEntry,
} from '../../persistence/index.ts';
import { makeWorkload } from './workload.ts';

export interface StoreHarness {
  /** Opens the journal; every call in one test opens the same stored data. */
  openJournal(): Promise<Journal>;
  openSnapshots(): Promise<SnapshotStore>;
  /** Removes the entry at `seq` from the stored journal (called while the journal is closed). */
  dropEntry(seq: number): Promise<void>;
  /** Damages the stored entry at `seq` so its checksum no longer matches (journal closed). */
  corruptEntry(seq: number): Promise<void>;
  /** Damages the newest snapshot's data (store closed). */
  corruptNewestSnapshot(): Promise<void>;
  /** Removes everything the harness made. */
  dispose(): Promise<void>;
}

/** Every entry from `fromSeq`, as seq and command (the format version is checked on its own). */
export async function readAll(journal: Journal, fromSeq = 1, batchSize?: number): Promise<StoredEntry[]> {
  const all: StoredEntry[] = [];
  for await (const batch of journal.readFrom(fromSeq, batchSize)) for (const { seq, command } of batch) all.push({ seq, command });
  return all;
}

export function entriesOf(commands: readonly Command[], firstSeq = 1): JournalEntry[] {
  return commands.map((command, i) => ({ seq: firstSeq + i, command }));
}

/**
 * Runs `commands` through an engine and a group-commit journal the way the sequencer does: a burst of commands
 * is applied and appended in one turn, the burst's acks wait for the batch. Checkpoints after the given seqs.
 */
export async function journalThroughEngine(
  journal: Journal,
  snapshots: SnapshotStore,
  commands: readonly Command[],
  checkpointAfter: readonly number[] = [],
  burst = 25,
): Promise<Engine> {
  const engine = new Engine();
  const grouped = new GroupCommitJournal(journal, { maxBatchEntries: 64, maxQueuedEntries: 256 });
  let seq = 0;
  while (seq < commands.length) {
    const acks: Promise<void>[] = [];
    for (let i = 0; i < burst && seq < commands.length; i++) {
      const command = commands[seq]!;
      engine.apply(command);
      seq += 1;
      acks.push(grouped.append([{ seq, command }]));
      if (checkpointAfter.includes(seq)) break;
    }
    await Promise.all(acks);
    if (checkpointAfter.includes(seq)) await writeCheckpoint({ engine, seq, journal: grouped, snapshots });
  }
  return engine;
}

async function recoveryError(run: Promise<unknown>): Promise<RecoveryError> {
  const error = await run.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(RecoveryError);
  return error as RecoveryError;
}

export function describeStoreConformance(storeName: string, makeHarness: () => Promise<StoreHarness>): void {
  describe(`${storeName}: journal and snapshot store conformance`, () => {
    const workload = makeWorkload(7, 400);
    let harness: StoreHarness;
    let journal: Journal;
    let snapshots: SnapshotStore;

    beforeEach(async () => {
      harness = await makeHarness();
      journal = await harness.openJournal();
      snapshots = await harness.openSnapshots();
    });
    afterEach(async () => {
      await journal.close();
      await snapshots.close();
      await harness.dispose();
    });

    const reopen = async () => {
      await journal.close();
      await snapshots.close();
      journal = await harness.openJournal();
      snapshots = await harness.openSnapshots();
    };

    it('starts empty', async () => {
      expect(await journal.lastSeq()).toBe(0);
      expect(await readAll(journal)).toEqual([]);
      expect(await snapshots.load()).toBeNull();
      expect(await snapshots.list()).toEqual([]);
    });

    it('reads back what was appended, in order, from any seq and in any batch size', async () => {
      const entries = entriesOf(workload.commands.slice(0, 120));
      await journal.append(entries.slice(0, 50));
      await journal.append(entries.slice(50));
      expect(await journal.lastSeq()).toBe(120);
      expect(await readAll(journal, 1, 7)).toEqual(entries);
      expect(await readAll(journal, 77, 1000)).toEqual(entries.slice(76));
      expect(await readAll(journal, 121)).toEqual([]);
    });

    it('refuses a duplicate seq, a gap and non-consecutive entries, and writes nothing of them', async () => {
      const entries = entriesOf(workload.commands.slice(0, 10));
      await journal.append(entries.slice(0, 5));
      await expect(journal.append([entries[4]!])).rejects.toBeInstanceOf(JournalSequenceError);
      await expect(journal.append([entries[6]!])).rejects.toBeInstanceOf(JournalSequenceError);
      await expect(journal.append([entries[5]!, entries[7]!])).rejects.toBeInstanceOf(JournalSequenceError);
      expect(await journal.lastSeq()).toBe(5);
      expect(await readAll(journal)).toEqual(entries.slice(0, 5));
      await journal.append(entries.slice(5));
      expect(await readAll(journal)).toEqual(entries);
    });

    it('group commit: appends of one turn share one write and each caller is acked', async () => {
      const grouped = new GroupCommitJournal(journal, { maxBatchEntries: 1_000, maxQueuedEntries: 1_000 });
      const entries = entriesOf(workload.commands.slice(0, 100));
      const acked: number[] = [];
      await Promise.all(entries.map((entry) => grouped.append([entry]).then(() => acked.push(entry.seq))));
      expect(acked).toEqual(entries.map((entry) => entry.seq));
      expect(grouped.stats()).toMatchObject({ batchesWritten: 1, entriesWritten: 100, durableSeq: 100, queuedEntries: 0 });
      expect(await readAll(grouped)).toEqual(entries);
    });

    it('group commit: batches are bounded and written in order; an out-of-step call fails alone', async () => {
      const grouped = new GroupCommitJournal(journal, { maxBatchEntries: 16, maxQueuedEntries: 200 });
      const entries = entriesOf(workload.commands.slice(0, 100));
      const acks = entries.map((entry) => grouped.append([entry]));
      const stray = expect(grouped.append([{ seq: 42, command: workload.commands[0]! }])).rejects.toBeInstanceOf(JournalSequenceError);
      await Promise.all(acks);
      await stray;
      expect(grouped.stats().batchesWritten).toBe(Math.ceil(100 / 16));
      expect(await readAll(grouped)).toEqual(entries);
    });

    it('trims only entries before the trim point; the last seq and later appends are unaffected', async () => {
      const entries = entriesOf(workload.commands.slice(0, 200));
      for (let i = 0; i < 200; i += 20) await journal.append(entries.slice(i, i + 20));
      await journal.trimBefore(150);
      const left = await readAll(journal);
      expect(left[0]!.seq).toBeGreaterThan(1);
      expect(left[0]!.seq).toBeLessThanOrEqual(150);
      expect(left).toEqual(entries.slice(left[0]!.seq - 1));
      expect(await journal.lastSeq()).toBe(200);

      await journal.trimBefore(201);
      expect(await readAll(journal)).toEqual([]);
      expect(await journal.lastSeq()).toBe(200);
      await expect(journal.append([entries[0]!])).rejects.toBeInstanceOf(JournalSequenceError);
      const next = { seq: 201, command: workload.commands[200]! };
      await journal.append([next]);
      expect(await readAll(journal)).toEqual([next]);
    });

    it('sees everything again after close and reopen, and goes on from there', async () => {
      const entries = entriesOf(workload.commands.slice(0, 60));
      await journal.append(entries.slice(0, 40));
      const engine = Engine.restore(workload.engine.snapshot());
      await snapshots.save({ seq: 40, hash: engine.stateHash(), snapshot: engine.snapshot() });
      await reopen();
      expect(await journal.lastSeq()).toBe(40);
      expect(await readAll(journal)).toEqual(entries.slice(0, 40));
      expect((await snapshots.load())?.seq).toBe(40);
      await journal.append(entries.slice(40));
      expect(await readAll(journal)).toEqual(entries);
    });

    it('refuses appends after close', async () => {
      await journal.close();
      await expect(journal.append(entriesOf(workload.commands.slice(0, 1)))).rejects.toBeInstanceOf(JournalClosedError);
      journal = await harness.openJournal();
    });

    it('round-trips a snapshot exactly, keeps the previous one, refuses an older one', async () => {
      const engine = Engine.restore(workload.engine.snapshot());
      const hash = engine.stateHash();
      await snapshots.save({ seq: 10, hash: 'h10', snapshot: new Engine().snapshot() });
      await snapshots.save({ seq: 20, hash, snapshot: engine.snapshot() });
      const loaded = await snapshots.load();
      expect(loaded).toEqual({ seq: 20, hash, snapshot: engine.snapshot() });
      expect(Engine.restore(loaded!.snapshot).stateHash()).toBe(hash);
      expect(await snapshots.list()).toEqual([
        { slot: 'newest', seq: 20, hash },
        { slot: 'previous', seq: 10, hash: 'h10' },
      ]);

      await snapshots.save({ seq: 30, hash: 'h30', snapshot: new Engine().snapshot() });
      expect((await snapshots.list()).map((info) => info.seq)).toEqual([30, 20]);
      expect((await snapshots.load('previous'))?.hash).toBe(hash);
      await expect(snapshots.save({ seq: 25, hash: 'h25', snapshot: new Engine().snapshot() })).rejects.toBeInstanceOf(SnapshotOrderError);
      // The same seq again replaces the newest and leaves the previous where it is.
      await snapshots.save({ seq: 30, hash: 'h30b', snapshot: new Engine().snapshot() });
      expect(await snapshots.list()).toEqual([
        { slot: 'newest', seq: 30, hash: 'h30b' },
        { slot: 'previous', seq: 20, hash },
      ]);
      await reopen();
      expect((await snapshots.list()).map((info) => info.seq)).toEqual([30, 20]);
    });

    describe('recovery', () => {
      it('replays a journal with no snapshot to the same state', async () => {
        const engine = await journalThroughEngine(journal, snapshots, workload.commands);
        await reopen();
        const recovered = await recover({ journal, snapshots, createEngine: () => new Engine() });
        expect(recovered).toMatchObject({ lastSeq: 400, snapshotSeq: null, replayed: 400, stateHash: engine.stateHash() });
        expect(recovered.stateHash).toBe(workload.engine.stateHash());
      });

      it('snapshot + tail gives the same hash as never stopping, from the newest or the previous snapshot', async () => {
        const engine = await journalThroughEngine(journal, snapshots, workload.commands, [100, 250, 300]);
        expect(engine.stateHash()).toBe(workload.engine.stateHash());
        await reopen();
        // Kept: snapshots at 300 and 250; the journal needs to reach back only to 251.
        expect((await readAll(journal))[0]!.seq).toBeLessThanOrEqual(251);
        expect((await readAll(journal))[0]!.seq).toBeGreaterThan(1);

        const recovered = await recover({ journal, snapshots, createEngine: () => new Engine() });
        expect(recovered).toMatchObject({ lastSeq: 400, snapshotSeq: 300, replayed: 100, stateHash: engine.stateHash() });
        const fromPrevious = await recover({ journal, snapshots, createEngine: () => new Engine(), snapshot: 'previous' });
        expect(fromPrevious).toMatchObject({ lastSeq: 400, snapshotSeq: 250, replayed: 150, stateHash: engine.stateHash() });
        // The recovered engine goes on exactly like the original.
        const more = makeWorkload(7, 420).commands.slice(400);
        for (const command of more) {
          expect(recovered.engine.apply(command)).toEqual(engine.apply(command));
        }
        expect(recovered.engine.stateHash()).toBe(engine.stateHash());
      });

      it('stops at a missing entry, naming the seq', async () => {
        await journalThroughEngine(journal, snapshots, workload.commands, [100]);
        await journal.close();
        await harness.dropEntry(180);
        journal = await harness.openJournal();
        const error = await recoveryError(recover({ journal, snapshots, createEngine: () => new Engine() }));
        expect(error.problem).toBe('gap');
        expect(error.seq).toBe(180);
        expect(error.message).toMatch(/seq 180 is missing \(the journal jumps from seq 179 to seq 181\)/);
      });

      it('stops at a damaged entry, naming the seq', async () => {
        await journalThroughEngine(journal, snapshots, workload.commands, [100]);
        await journal.close();
        await harness.corruptEntry(222);
        journal = await harness.openJournal();
        const error = await recoveryError(recover({ journal, snapshots, createEngine: () => new Engine() }));
        expect(error.problem).toBe('corrupt_entry');
        expect(error.seq).toBe(222);
        expect(error.message).toMatch(/seq 222 .*fails its checksum/);
      });

      it('stops when a snapshot does not hash to its stored hash', async () => {
        await journalThroughEngine(journal, snapshots, workload.commands.slice(0, 50));
        const engine = Engine.restore(workload.engine.snapshot());
        await snapshots.save({ seq: 50, hash: '0123456789abcdef', snapshot: engine.snapshot() });
        const error = await recoveryError(recover({ journal, snapshots, createEngine: () => new Engine() }));
        expect(error.problem).toBe('hash_mismatch');
        expect(error.seq).toBe(50);
        expect(error.message).toContain(`restores to state hash ${engine.stateHash()}, but hash 0123456789abcdef was stored`);
      });

      it('stops at a damaged snapshot', async () => {
        await journalThroughEngine(journal, snapshots, workload.commands.slice(0, 120), [60, 120]);
        await snapshots.close();
        await harness.corruptNewestSnapshot();
        snapshots = await harness.openSnapshots();
        const error = await recoveryError(recover({ journal, snapshots, createEngine: () => new Engine() }));
        expect(error.problem).toBe('corrupt_snapshot');
        expect(error.message).toMatch(/newest snapshot is damaged: .*checksum/);
        // The operator's way round it: the previous snapshot and the journal kept behind it.
        const recovered = await recover({ journal, snapshots, createEngine: () => new Engine(), snapshot: 'previous' });
        expect(recovered).toMatchObject({ snapshotSeq: 60, lastSeq: 120 });
      });
    });
  });
}
