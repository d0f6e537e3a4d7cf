// The three seams the effects outbox hangs on, without Redis: the sequencer passes each applied command's seq and
// refuses state-changing commands (never ticks) when told to; a checkpoint saves nothing until its `beforeSave`
// (the outbox flush) resolved, and nothing at all when it rejects; recovery reports every entry it replays
// after the snapshot, with its seq and events.
import { describe, expect, it } from 'vitest';
import { Engine } from '../../engine/index.ts';
import { InMemoryJournal, Sequencer, type UnstampedCommand } from '../../runtime/index.ts';
import { createLogger } from '../../gateway/logger.ts';
import { GroupCommitJournal, recover, writeCheckpoint } from '../../persistence/index.ts';
import { MemoryJournalStore, MemorySnapshotStore } from './helpers/memory-store.ts';

const MECHANISM = { type: 'group', minSize: 3, maxSize: 5, windowMs: 60_000, tiers: [], leaderDiscountBps: 0, newcomerOnly: false, autoFillMaxSeats: 0, matchOpensGroup: true } as const;
const createOffer = (offerId: string): UnstampedCommand => ({ type: 'create_offer', merchantId: 'm', offerId, title: 'Tea', currency: 'CNY', inventory: 10, basePriceMinor: 1_000, mechanism: { ...MECHANISM, tiers: [] } });
const openGroup = (shopperId: string): UnstampedCommand => ({ type: 'open_group', shopperId, newcomer: false, offerId: 'tea', qty: 1 });

function deferred(): { promise: Promise<void>; resolve: () => void; reject: (error: Error) => void } {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe('effects seams', () => {
  it('the sequencer hands onApplied the seq, and admit refuses state-changing commands but not ticks or reads', async () => {
    const seen: (number | null)[] = [];
    let admit = true;
    const sequencer = new Sequencer({
      engine: new Engine(),
      clock: () => 1_000,
      journal: new InMemoryJournal(),
      maxQueued: 100,
      onApplied: (_command, _applied, seq) => seen.push(seq),
      admit: () => (admit ? null : 'effects are backed up; retry shortly'),
      logger: createLogger('silent'),
    });
    expect((await sequencer.submit(createOffer('tea'))).result.ok).toBe(true);
    expect((await sequencer.submit({ type: 'quote', offerId: 'tea', asLeader: false, newcomer: false })).result.ok).toBe(true);
    admit = false;
    const refused = await sequencer.submit(openGroup('ann'));
    expect(refused.result).toMatchObject({ ok: false, code: 'unavailable', message: 'effects are backed up; retry shortly' });
    expect((await sequencer.wake()).result.ok).toBe(true);
    expect(seen).toEqual([1, null, 2]);
    await sequencer.stop();
  });

  it('the catch-up after a journal outage hands onApplied the seq of each in-doubt entry it applies', async () => {
    const store = new MemoryJournalStore();
    const seen: (number | null)[] = [];
    const sequencer = new Sequencer({
      engine: new Engine(),
      clock: () => 1_000,
      journal: new GroupCommitJournal(store),
      maxQueued: 100,
      onApplied: (_command, _applied, seq) => seen.push(seq),
      retryMinMs: 1,
      retryMaxMs: 5,
      logger: createLogger('silent'),
    });
    expect((await sequencer.submit(createOffer('tea'))).result.ok).toBe(true);
    // Written, but the reply is lost: refused to its sender, then found in the store and applied by the catch-up.
    store.mode = 'write-then-fail';
    expect((await sequencer.submit(openGroup('ann'))).result).toMatchObject({ ok: false, code: 'unavailable' });
    const accepting = new Promise<void>((resolve) => sequencer.onStateChange((state) => state === 'accepting' && resolve()));
    store.mode = 'up';
    await accepting;
    expect(seen).toEqual([1, 2]);
    await sequencer.stop();
  });

  it('a checkpoint saves only after beforeSave resolved, and nothing when it rejects', async () => {
    const engine = new Engine();
    const journal = new MemoryJournalStore();
    const snapshots = new MemorySnapshotStore();
    const applied = engine.submit({ ...createOffer('tea'), nowMs: 1_000 });
    expect(applied.result.ok).toBe(true);
    await journal.append([{ seq: 1, command: { ...createOffer('tea'), nowMs: 1_000 } }]);

    const gate = deferred();
    const flushedFor: number[] = [];
    const writing = writeCheckpoint({ engine, seq: 1, journal, snapshots, trim: false, beforeSave: (seq) => (flushedFor.push(seq), gate.promise) });
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(flushedFor).toEqual([1]);
    expect(snapshots.records).toHaveLength(0);
    gate.resolve();
    await writing;
    expect(snapshots.records.map((record) => record.seq)).toEqual([1]);

    const failing = new MemorySnapshotStore();
    await expect(writeCheckpoint({ engine, seq: 1, journal, snapshots: failing, beforeSave: () => Promise.reject(new Error('outbox not flushed')) })).rejects.toThrow('outbox not flushed');
    expect(failing.records).toHaveLength(0);
  });

  it('recovery reports each entry replayed after the snapshot, with its events', async () => {
    const journal = new MemoryJournalStore();
    const snapshots = new MemorySnapshotStore();
    const engine = new Engine();
    const commands = [createOffer('tea'), openGroup('ann'), openGroup('bob')].map((command, i) => ({ ...command, nowMs: 1_000 + i }));
    for (const [i, command] of commands.entries()) {
      engine.submit(command);
      await journal.append([{ seq: i + 1, command }]);
      if (i === 0) await writeCheckpoint({ engine, seq: 1, journal, snapshots, trim: false });
    }
    const replayed: { seq: number; events: number }[] = [];
    const recovered = await recover({ journal, snapshots, createEngine: () => new Engine(), onReplayed: (seq, _command, applied) => replayed.push({ seq, events: applied.events.length }) });
    expect(recovered.snapshotSeq).toBe(1);
    expect(replayed.map((entry) => entry.seq)).toEqual([2, 3]);
    expect(replayed.every((entry) => entry.events > 0)).toBe(true);
  });
});
