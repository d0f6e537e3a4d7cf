// The embedded file store: the shared conformance suite, plus what only files have (torn tails, the lock,
// segments) and the env-driven choice of store.
import { spawn } from 'node:child_process';
import { appendFile, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Engine } from '../../engine/index.ts';
import {
  DirectoryLockedError,
  FileJournal,
  FileSnapshotStore,
  JournalCorruptError,
  RecoveryError,
  openPersistence,
  persistenceConfigFromEnv,
  recover,
} from '../../persistence/index.ts';
import { checksum } from '../../persistence/codec.ts';
import { describeStoreConformance, entriesOf, readAll, type StoreHarness } from './store-conformance.ts';
import { editJournalLine } from './journal-files.ts';
import { makeWorkload } from './workload.ts';

/** Small segments, so trimming and reading across segment boundaries are exercised. */
const SEGMENT_BYTES = 4_096;

async function fileHarness(): Promise<StoreHarness & { dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'tuan-files-'));
  const journalDir = join(dir, 'journal');
  const snapshotDir = join(dir, 'snapshots');
  return {
    dir,
    openJournal: () => FileJournal.open({ dir: journalDir, segmentBytesMax: SEGMENT_BYTES }),
    openSnapshots: () => FileSnapshotStore.open(snapshotDir),
    dropEntry: (seq) => editJournalLine(journalDir, seq, () => null),
    corruptEntry: (seq) => editJournalLine(journalDir, seq, (line) => line.replace('"nowMs":1', '"nowMs":2')),
    async corruptNewestSnapshot() {
      const names = (await readdir(snapshotDir)).sort();
      const path = join(snapshotDir, names[names.length - 1]!);
      await writeFile(path, (await readFile(path, 'utf8')).replace(/"nowMs":1/, '"nowMs":2'));
    },
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}

describeStoreConformance('file store', fileHarness);

describe('file store specifics', () => {
  const workload = makeWorkload(11, 60);
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tuan-files-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('cuts off a torn last line on open (a write a crash cut short, never acked) and goes on', async () => {
    const entries = entriesOf(workload.commands.slice(0, 10));
    let journal = await FileJournal.open({ dir });
    await journal.append(entries.slice(0, 9));
    await journal.close();
    const segment = join(dir, (await readdir(dir)).find((name) => name.endsWith('.log'))!);
    await appendFile(segment, '1a2b3c4d {"seq":10,"command":{"type":"ti');

    journal = await FileJournal.open({ dir });
    expect(journal.openReport.tornTailBytes).toBe(40);
    expect(await journal.lastSeq()).toBe(9);
    await journal.append([entries[9]!]);
    expect(await readAll(journal)).toEqual(entries);
    await journal.close();
  });

  describe('a journal shorter than what it acknowledged (lost data, not a crash artefact)', () => {
    /** A data directory whose journal acknowledged seq 1..40, in two batches, and an open store on it. */
    async function acknowledged40(): Promise<{ segment: string; lines: string[] }> {
      const journal = await FileJournal.open({ dir: join(dir, 'journal') });
      const entries = entriesOf(workload.commands.slice(0, 40));
      await journal.append(entries.slice(0, 20));
      await journal.append(entries.slice(20));
      await journal.close();
      const name = (await readdir(join(dir, 'journal'))).find((n) => n.endsWith('.log'))!;
      const segment = join(dir, 'journal', name);
      return { segment, lines: (await readFile(segment, 'utf8')).split('\n').filter((line) => line.length > 0) };
    }

    async function recoveryOf(): Promise<RecoveryError> {
      const journal = await FileJournal.open({ dir: join(dir, 'journal') });
      const snapshots = await FileSnapshotStore.open(join(dir, 'snapshots'));
      try {
        const error = await recover({ journal, snapshots, createEngine: () => new Engine() }).then(
          () => null,
          (caught: unknown) => caught,
        );
        expect(error).toBeInstanceOf(RecoveryError);
        // Refusing changes nothing: the journal takes no appends on top of the loss.
        await expect(journal.append(entriesOf(workload.commands.slice(0, 1), (await journal.lastSeq()) + 1))).rejects.toThrow(/refuses writes/);
        return error as RecoveryError;
      } finally {
        await journal.close();
        await snapshots.close();
      }
    }

    it('refuses a journal cut at a line boundary halfway, naming the missing seqs', async () => {
      const { segment, lines } = await acknowledged40();
      await writeFile(segment, `${lines.slice(0, 20).join('\n')}\n`);
      const error = await recoveryOf();
      expect(error.problem).toBe('journal_truncated');
      expect(error.seq).toBe(21);
      expect(error.message).toMatch(/the journal ends at seq 20, but its high-water mark records seq 40 as acknowledged: seq 21\.\.40 are missing/);
    });

    it('refuses a journal cut inside a line, and cuts nothing off (the bytes stay as evidence)', async () => {
      const { segment, lines } = await acknowledged40();
      const cut = `${lines.slice(0, 20).join('\n')}\n${lines[20]!.slice(0, 30)}`;
      await writeFile(segment, cut);
      const error = await recoveryOf();
      expect(error.message).toMatch(/seq 21\.\.40 are missing/);
      expect(await readFile(segment, 'utf8')).toBe(cut);
    });

    it('refuses a journal without its last line: seq N is missing', async () => {
      const { segment, lines } = await acknowledged40();
      await writeFile(segment, `${lines.slice(0, 39).join('\n')}\n`);
      const error = await recoveryOf();
      expect(error.seq).toBe(40);
      expect(error.message).toMatch(/the journal ends at seq 39, .* seq 40 is missing/);
    });

    it('refuses an emptied journal, and one whose segments are gone', async () => {
      const { segment } = await acknowledged40();
      await writeFile(segment, '');
      expect((await recoveryOf()).message).toMatch(/the journal ends at seq 0, .* seq 1\.\.40 are missing/);
      await rm(segment);
      expect((await recoveryOf()).message).toMatch(/seq 1\.\.40 are missing/);
      expect((await readdir(join(dir, 'journal'))).filter((n) => n.endsWith('.log'))).toEqual([]);
    });

    it('still recovers a journal whose last batch was written but never acknowledged (mark behind the entries)', async () => {
      const { segment, lines } = await acknowledged40();
      // As after a crash between a batch's fdatasync and the mark's: one more complete line than the mark says.
      const extra = JSON.stringify({ seq: 41, v: 2, command: workload.commands[40] });
      await writeFile(segment, `${[...lines, `${checksum(extra)} ${extra}`].join('\n')}\n`);
      const journal = await FileJournal.open({ dir: join(dir, 'journal') });
      const snapshots = await FileSnapshotStore.open(join(dir, 'snapshots'));
      const recovered = await recover({ journal, snapshots, createEngine: () => new Engine() });
      expect(recovered.lastSeq).toBe(41);
      await journal.close();
      await snapshots.close();
    });

    it('gives a journal written before high-water marks one at its last entry', async () => {
      await acknowledged40();
      await rm(join(dir, 'journal', 'HIGH_WATER'));
      const journal = await FileJournal.open({ dir: join(dir, 'journal') });
      expect(journal.openReport).toMatchObject({ markCreated: true, acknowledgedSeq: 40 });
      expect(await journal.acknowledgedSeq()).toBe(40);
      await journal.close();
    });
  });

  it('names a damaged last line by seq when it opens, even when the damage is in its seq', async () => {
    const journal = await FileJournal.open({ dir });
    await journal.append(entriesOf(workload.commands.slice(0, 3)));
    await journal.close();
    await editJournalLine(dir, 3, (line) => line.replace('"seq":3', '"seq":7'));
    const error = await FileJournal.open({ dir }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(JournalCorruptError);
    expect((error as JournalCorruptError).seq).toBe(3);
    expect((error as JournalCorruptError).message).toMatch(/journal entry seq 3 at .*\(last line\) fails its checksum/);
  });

  it('names a damaged last line when it opens, instead of guessing the last seq', async () => {
    const journal = await FileJournal.open({ dir });
    await journal.append(entriesOf(workload.commands.slice(0, 3)));
    await journal.close();
    await editJournalLine(dir, 3, (line) => line.replace('"seq":3', '"seq":4'));
    await expect(FileJournal.open({ dir })).rejects.toThrow(/\(last line\) fails its checksum/);
  });

  it('stops recovery at an entry whose checksum is right but which is not a valid command', async () => {
    const journal = await FileJournal.open({ dir: join(dir, 'journal') });
    const snapshots = await FileSnapshotStore.open(join(dir, 'snapshots'));
    await journal.append(entriesOf(workload.commands.slice(0, 5)));
    await journal.close();
    await editJournalLine(join(dir, 'journal'), 4, () => {
      const json = JSON.stringify({ seq: 4, command: { type: 'join_group', nowMs: 5, shopperId: 's1', groupId: 'g~1', teleport: true } });
      return `${checksum(json)} ${json}`;
    });
    const reopened = await FileJournal.open({ dir: join(dir, 'journal') });
    const error = await recover({ journal: reopened, snapshots, createEngine: () => new Engine() }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RecoveryError);
    expect((error as RecoveryError).problem).toBe('invalid_command');
    expect((error as RecoveryError).message).toMatch(/journal entry seq 4 is not a valid command: .*teleport/);
    await reopened.close();
  });

  it('lets only one process at a time use a journal directory, and takes over a dead one\'s lock', async () => {
    const journal = await FileJournal.open({ dir });
    await expect(FileJournal.open({ dir })).rejects.toBeInstanceOf(DirectoryLockedError);
    await journal.close();

    const dead = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => dead.once('exit', resolve));
    await writeFile(join(dir, 'LOCK'), `${dead.pid}\n`);
    const again = await FileJournal.open({ dir });
    expect((await readFile(join(dir, 'LOCK'), 'utf8')).trim()).toBe(String(process.pid));
    await again.close();
  });

  it('picks the file store without REDIS_URL and Redis with it', async () => {
    expect(persistenceConfigFromEnv({})).toEqual({ kind: 'file', dir: 'data' });
    expect(persistenceConfigFromEnv({ TUAN_DATA_DIR: dir })).toEqual({ kind: 'file', dir });
    expect(persistenceConfigFromEnv({ REDIS_URL: 'redis://127.0.0.1:6390', REDIS_KEY_PREFIX: '{p1}:' })).toEqual({
      kind: 'redis',
      url: 'redis://127.0.0.1:6390',
      keyPrefix: '{p1}:',
    });

    const persistence = await openPersistence({ kind: 'file', dir });
    expect(persistence.redisSettings).toBeNull();
    await Promise.all(entriesOf(workload.commands.slice(0, 20)).map((entry) => persistence.journal.append([entry])));
    await persistence.close();
    const reopened = await openPersistence({ kind: 'file', dir });
    const recovered = await recover({ journal: reopened.journal, snapshots: reopened.snapshots, createEngine: () => new Engine() });
    expect(recovered.lastSeq).toBe(20);
    await reopened.close();
  });
});
