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
