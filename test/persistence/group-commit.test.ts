// Group commit against a store whose writes the test completes by hand, so batching, bounds and failure
// handling can be checked step by step without timing anything.
import { describe, expect, it } from 'vitest';
import { parseCommand, type Command } from '../../engine/index.ts';
import {
  GroupCommitJournal,
  JournalClosedError,
  JournalOverloadedError,
  JournalUnavailableError,
  assessRedisSettings,
  type Journal,
  type JournalEntry,
  type StoredEntry,
} from '../../persistence/index.ts';
import { CheckpointPolicy } from '../../persistence/checkpoint.ts';

interface Write {
  entries: readonly JournalEntry[];
  succeed: () => void;
  fail: (error: Error) => void;
}

/** A journal whose appends wait until the test settles them; it records every write it was asked for. */
class ManualJournal implements Journal {
  writes: Write[] = [];
  stored: JournalEntry[] = [];
  closed = false;
  private waiter: (() => void) | null = null;

  append(entries: readonly JournalEntry[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.writes.push({
        entries,
        succeed: () => {
          this.stored.push(...entries);
          resolve();
        },
        fail: reject,
      });
      this.waiter?.();
    });
  }
  /** Resolves when the store has been asked for `count` writes in all. */
  async writesRequested(count: number): Promise<Write> {
    while (this.writes.length < count) await new Promise<void>((resolve) => (this.waiter = resolve));
    return this.writes[count - 1]!;
  }
  async *readFrom(fromSeq: number): AsyncIterable<readonly StoredEntry[]> {
    yield this.stored.filter((entry) => entry.seq >= fromSeq);
  }
  async trimBefore(): Promise<void> {}
  async lastSeq(): Promise<number> {
    return this.stored[this.stored.length - 1]?.seq ?? 0;
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

const tick = (parseCommand({ type: 'tick', nowMs: 1 }) as { ok: true; command: Command }).command;
const entry = (seq: number): JournalEntry => ({ seq, command: tick });

describe('GroupCommitJournal', () => {
  it('writes one batch at a time; what arrives meanwhile goes out together next', async () => {
    const store = new ManualJournal();
    const journal = new GroupCommitJournal(store, { maxBatchEntries: 100, maxQueuedEntries: 1_000 });
    const first = [1, 2, 3].map((seq) => journal.append([entry(seq)]));
    const write1 = await store.writesRequested(1);
    expect(write1.entries.map((e) => e.seq)).toEqual([1, 2, 3]);
    const second = [4, 5].map((seq) => journal.append([entry(seq)]));
    const third = journal.append([entry(6), entry(7)]);
    expect(store.writes).toHaveLength(1);
    expect(journal.stats().queuedEntries).toBe(7);
    write1.succeed();
    await Promise.all(first);
    const write2 = await store.writesRequested(2);
    expect(write2.entries.map((e) => e.seq)).toEqual([4, 5, 6, 7]);
    write2.succeed();
    await Promise.all([...second, third]);
    expect(journal.stats()).toMatchObject({ queuedEntries: 0, durableSeq: 7, batchesWritten: 2 });
  });

  it('with two batches in flight, acks in batch order even when the later write lands first', async () => {
    const store = new ManualJournal();
    const journal = new GroupCommitJournal(store, { maxBatchEntries: 2, maxQueuedEntries: 10, maxBatchesInFlight: 2 });
    const order: number[] = [];
    const acks = [1, 2, 3, 4, 5].map((seq) => journal.append([entry(seq)]).then(() => order.push(seq)));
    const write1 = await store.writesRequested(1);
    const write2 = await store.writesRequested(2);
    expect(store.writes).toHaveLength(2);
    write2.succeed();
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual([]);
    write1.succeed();
    (await store.writesRequested(3)).succeed();
    await Promise.all(acks);
    expect(order).toEqual([1, 2, 3, 4, 5]);
    expect(store.writes.map((w) => w.entries.map((e) => e.seq))).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('refuses, rather than queues, past its bounds', async () => {
    const store = new ManualJournal();
    const journal = new GroupCommitJournal(store, { maxBatchEntries: 4, maxQueuedEntries: 6 });
    await expect(journal.append([1, 2, 3, 4, 5].map(entry))).rejects.toBeInstanceOf(JournalOverloadedError);
    const accepted = [1, 2, 3, 4, 5, 6].map((seq) => journal.append([entry(seq)]));
    expect(journal.wouldAccept()).toBe(false);
    await expect(journal.append([entry(7)])).rejects.toThrow(/queue is full \(6 entries waiting/);
    (await store.writesRequested(1)).succeed();
    (await store.writesRequested(2)).succeed();
    await Promise.all(accepted);
    expect(store.writes.map((w) => w.entries.length)).toEqual([4, 2]);
    expect(journal.wouldAccept()).toBe(true);
    const last = journal.append([entry(7)]);
    (await store.writesRequested(3)).succeed();
    await last;
  });

  it('after a failed write fails what queued behind it and refuses appends until resync', async () => {
    const store = new ManualJournal();
    const journal = new GroupCommitJournal(store);
    const first = journal.append([entry(1)]);
    (await store.writesRequested(1)).succeed();
    await first;
    const failing = journal.append([entry(2)]);
    const write = await store.writesRequested(2);
    const behind = journal.append([entry(3)]);
    write.fail(new JournalUnavailableError('connection lost'));
    await expect(failing).rejects.toThrow('connection lost');
    await expect(behind).rejects.toThrow(/refuses appends after a failed write until it is resynced: connection lost/);
    await expect(journal.append([entry(2)])).rejects.toBeInstanceOf(JournalUnavailableError);
    expect(journal.stats().failure).toBe('connection lost');

    expect(await journal.resync()).toBe(1);
    const retried = journal.append([entry(2)]);
    (await store.writesRequested(3)).succeed();
    await retried;
    expect(store.stored.map((e) => e.seq)).toEqual([1, 2]);
  });

  it('sync waits for everything appended before it; close drains the queue, then refuses', async () => {
    const store = new ManualJournal();
    const journal = new GroupCommitJournal(store);
    await journal.sync();
    const acked = journal.append([entry(1)]);
    let synced = false;
    const firstSync = journal.sync();
    // Syncs with nothing appended between them share one marker: the queue cannot grow by syncing.
    expect(journal.sync()).toBe(firstSync);
    const sync = firstSync.then(() => (synced = true));
    const write = await store.writesRequested(1);
    expect(synced).toBe(false);
    write.succeed();
    await Promise.all([acked, sync]);

    const pending = journal.append([entry(2)]);
    const closing = journal.close();
    await expect(journal.append([entry(3)])).rejects.toBeInstanceOf(JournalClosedError);
    (await store.writesRequested(2)).succeed();
    await Promise.all([pending, closing]);
    expect(store.closed).toBe(true);
  });
});

describe('checkpoint policy', () => {
  it('is due by count or by time, and only with something new', () => {
    const policy = new CheckpointPolicy({ everyEntries: 100, everyMs: 60_000 }, 0, 0);
    expect(policy.isDue(99, 59_999)).toBe(false);
    expect(policy.isDue(100, 0)).toBe(true);
    expect(policy.isDue(1, 60_000)).toBe(true);
    policy.done(100, 60_000);
    expect(policy.isDue(100, 500_000)).toBe(false);
  });
});

describe('Redis settings assessment', () => {
  it('says what each fsync policy and eviction policy promises', () => {
    const everysec = assessRedisSettings({ 'maxmemory-policy': 'volatile-lru', appendonly: 'yes', appendfsync: 'everysec', save: '3600 1' });
    expect(everysec.worst).toBe('warn');
    expect(everysec.settings.find((s) => s.name === 'appendfsync')?.promise).toMatch(/lose up to about a second/);
    expect(everysec.settings.find((s) => s.name === 'maxmemory-policy')?.level).toBe('warn');

    const unknown = assessRedisSettings({ 'maxmemory-policy': null, appendonly: null, appendfsync: null, save: null });
    expect(unknown.settings.every((s) => s.level === 'unknown')).toBe(true);
    expect(assessRedisSettings({ 'maxmemory-policy': 'noeviction', appendonly: 'yes', appendfsync: 'no' }).worst).toBe('danger');
  });
});
