// The running server with a durable journal: group commit (one write per burst), snapshots taken between two
// commands by count, by time and at shutdown, trimming only behind them, deadlines that passed while the server
// was down settling right after restart.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Engine, type Command } from '../../engine/index.ts';
import { GroupCommitJournal, openPersistence, recover, type Persistence } from '../../persistence/index.ts';
import type { UnstampedCommand } from '../../runtime/index.ts';
import { ManualClock, startHarness, type Harness } from './helpers/harness.ts';
import { MemoryJournalStore, MemorySnapshotStore } from './helpers/memory-store.ts';

let h: Harness | null = null;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await h?.close();
  h = null;
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const MECHANISM = { type: 'group', minSize: 3, maxSize: 5, windowMs: 60_000, tiers: [], leaderDiscountBps: 0, newcomerOnly: false, autoFillMaxSeats: 0, matchOpensGroup: true } as const;

function createOffer(offerId: string, inventory = 10_000): UnstampedCommand {
  return { type: 'create_offer', merchantId: 'merchant-a', offerId, title: 'Tea', currency: 'CNY', inventory, basePriceMinor: 1_000, mechanism: { ...MECHANISM, tiers: [] } };
}

function openGroup(shopperId: string, offerId: string, idempotencyKey?: string): UnstampedCommand {
  return { type: 'open_group', shopperId, newcomer: false, offerId, qty: 1, ...(idempotencyKey ? { idempotencyKey } : {}) };
}

function memoryStores(): { store: MemoryJournalStore; journal: GroupCommitJournal; snapshots: MemorySnapshotStore } {
  const store = new MemoryJournalStore();
  return { store, journal: new GroupCommitJournal(store), snapshots: new MemorySnapshotStore() };
}

/** Replays journal entries 1..uptoSeq into a fresh engine. */
function replay(entries: readonly { seq: number; command: Command }[], uptoSeq = Infinity): Engine {
  const engine = new Engine();
  for (const entry of entries) if (entry.seq <= uptoSeq) engine.apply(entry.command);
  return engine;
}

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tuan-durable-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

describe('group commit', () => {
  it('journals every command submitted in one turn with one write, and acks only after it', async () => {
    const { store, journal, snapshots } = memoryStores();
    h = await startHarness({}, { persistence: { journal, snapshots } });
    const { sequencer } = h.server;
    expect((await sequencer.submit(createOffer('tea'))).result.ok).toBe(true);
    const writesBefore = store.writes;

    const burst = Array.from({ length: 300 }, (_, i) => sequencer.submit(openGroup(`s${i}`, 'tea')));
    const outcomes = await Promise.all(burst);
    expect(outcomes.every((outcome) => outcome.result.ok)).toBe(true);
    expect(store.writes - writesBefore).toBe(1);

    // Past the journal's batch bound (512 entries), a burst takes as few writes as the bound allows.
    const big = Array.from({ length: 1_100 }, () => sequencer.submit({ type: 'tick' }));
    await Promise.all(big);
    expect(store.writes - writesBefore).toBe(1 + 3);
    expect(store.entries.map((entry) => entry.seq)).toEqual(Array.from({ length: 1_401 }, (_, i) => i + 1));
    expect(sequencer.appliedSeq).toBe(1_401);
  });
});

describe('snapshots', () => {
  it('are taken between two commands while commands keep flowing: each equals a replay up to its seq', async () => {
    const { store, journal, snapshots } = memoryStores();
    h = await startHarness({ journalTrim: false }, { persistence: { journal, snapshots, checkpointPolicy: { everyEntries: 40, everyMs: 0 } } });
    const { sequencer, checkpointer } = h.server;
    await sequencer.submit(createOffer('tea'));
    // Bursts that overlap: each starts before the one before it is acknowledged, so snapshots are taken while
    // appends are in flight.
    const all: Promise<unknown>[] = [];
    for (let burst = 0; burst < 12; burst++) {
      for (let i = 0; i < 25; i++) all.push(sequencer.submit(openGroup(`b${burst}s${i}`, 'tea')));
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(all);
    await checkpointer!.snapshotAtLeast(261);
    expect(snapshots.records).toHaveLength(2);
    for (const record of snapshots.records) {
      const replayed = replay(store.entries, record.seq);
      expect(replayed.stateHash(), `snapshot at seq ${record.seq}`).toBe(record.hash);
      expect(Engine.restore(record.snapshot).stateHash()).toBe(record.hash);
    }
    expect(store.entries[0]!.seq).toBe(1);
  });

  it('trims the journal only below the older kept snapshot, and recovery still rebuilds the live state', async () => {
    const { store, journal, snapshots } = memoryStores();
    h = await startHarness({}, { persistence: { journal, snapshots, checkpointPolicy: { everyEntries: 20, everyMs: 0 } } });
    const { sequencer, checkpointer, engine } = h.server;
    await sequencer.submit(createOffer('tea'));
    for (let round = 0; round < 5; round++) {
      await Promise.all(Array.from({ length: 20 }, (_, i) => sequencer.submit(openGroup(`r${round}s${i}`, 'tea'))));
    }
    await checkpointer!.snapshotAtLeast(101);
    const [newest, previous] = await snapshots.list();
    expect(store.entries[0]!.seq).toBe(previous!.seq + 1);
    expect(newest!.seq).toBeGreaterThan(previous!.seq);
    const recovered = await recover({ journal, snapshots, createEngine: () => new Engine() });
    expect(recovered.lastSeq).toBe(sequencer.appliedSeq);
    expect(recovered.stateHash).toBe(engine.stateHash());
  });

  it('are taken by time when commands trickle in', async () => {
    const { journal, snapshots } = memoryStores();
    h = await startHarness({}, { persistence: { journal, snapshots, checkpointPolicy: { everyEntries: 0, everyMs: 60_000 } } });
    const { sequencer, checkpointer } = h.server;
    await sequencer.submit(createOffer('tea'));
    await sequencer.submit(openGroup('ann', 'tea'));
    expect(snapshots.records).toHaveLength(0);
    h.clock.advance(60_000);
    await sequencer.submit(openGroup('bob', 'tea'));
    await checkpointer!.snapshotAtLeast(3);
    expect(snapshots.records[0]!.seq).toBe(3);
  });
});

describe('restart from the file store', () => {
  it('snapshots at graceful shutdown, and settles a group whose deadline passed while the server was down', async () => {
    const dir = await tempDir();
    const clock = new ManualClock();
    const boot = async (): Promise<{ persistence: Persistence; harness: Harness; replayed: number; snapshotSeq: number | null; failed: Promise<Command> }> => {
      const persistence = await openPersistence({ kind: 'file', dir });
      const recovered = await recover({ journal: persistence.journal, snapshots: persistence.snapshots, createEngine: () => new Engine() });
      let settle: (command: Command) => void = () => undefined;
      const failed = new Promise<Command>((resolve) => (settle = resolve));
      const harness = await startHarness(
        {},
        {
          clock,
          engine: recovered.engine,
          lastSeq: recovered.lastSeq,
          persistence: { journal: persistence.journal, snapshots: persistence.snapshots },
          onApplied: (command, applied) => {
            if (applied.events.some((event) => event.type === 'group_failed')) settle(command);
          },
        },
      );
      return { persistence, harness, replayed: recovered.replayed, snapshotSeq: recovered.snapshotSeq, failed };
    };

    const first = await boot();
    h = first.harness;
    await h.server.sequencer.submit(createOffer('tea'));
    const opened = await h.server.sequencer.submit(openGroup('zoe', 'tea'));
    const groupId = (opened.result as { groupId: string }).groupId;
    const hashBefore = h.server.engine.stateHash();
    const seqBefore = h.server.sequencer.appliedSeq;
    await h.close();
    h = null;
    await first.persistence.close();

    // The group's deadline (60 s) passes while nothing runs.
    clock.advance(120_000);
    const second = await boot();
    cleanups.push(() => second.persistence.close());
    h = second.harness;
    // The shutdown snapshot covered everything: nothing to replay.
    expect(second.snapshotSeq).toBe(seqBefore);
    expect(second.replayed).toBe(0);
    // The deadline timer was armed from the recovered engine and fired at once: a tick settled the group.
    const settledBy = await second.failed;
    expect(settledBy.type).toBe('tick');
    expect(h.server.engine.group(groupId)).toBeNull();
    expect(h.server.engine.stateHash()).not.toBe(hashBefore);
    expect(h.server.sequencer.appliedSeq).toBe(seqBefore + 1);
  });
});
