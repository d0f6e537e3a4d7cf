// A graceful stop leaves nothing to replay: the shutdown snapshot is written whenever the engine is past the
// newest snapshot, which includes a stop right after a start that replayed entries and ran no new command.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../engine/index.ts';
import { FileJournal, FileSnapshotStore, writeCheckpoint } from '../../persistence/index.ts';
import { ServerProcess } from '../../scripts/lib/server-process.ts';
import { makeWorkload } from '../persistence/workload.ts';

// Production mode: no demo offers are seeded, so no command runs between the two starts.
const ENV = { NODE_ENV: 'production', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', TOKEN_SECRET: 'shutdown-test-secret-0123456789abcdefgh' };
// Commands stamped far in the future (year 2255): no deadline of theirs falls due while the test runs, so the
// server journals no tick of its own and the stop comes right after the replay, with no new command.
const workload = makeWorkload(17, 40, 9_000_000_000_000);

let dir: string | null = null;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = null;
});

/** A data directory with a snapshot at seq 15 and journal entries 1..40 (25 to replay after it). */
async function dataDirWithTail(): Promise<string> {
  dir = await mkdtemp(join(tmpdir(), 'tuan-shutdown-'));
  const journal = await FileJournal.open({ dir: join(dir, 'journal') });
  const snapshots = await FileSnapshotStore.open(join(dir, 'snapshots'));
  const engine = new Engine();
  const entries = workload.commands.map((command, i) => ({ seq: i + 1, command }));
  for (const entry of entries.slice(0, 15)) engine.apply(entry.command);
  await journal.append(entries.slice(0, 15));
  await writeCheckpoint({ engine, seq: 15, journal, snapshots, trim: false });
  await journal.append(entries.slice(15));
  await journal.close();
  await snapshots.close();
  return dir;
}

describe('graceful stop right after a replay', () => {
  it('writes a snapshot, so the next start replays nothing', async () => {
    const dataDir = await dataDirWithTail();
    const first = await ServerProcess.start({ ...ENV, TUAN_DATA_DIR: dataDir });
    expect(first.recovered).toMatchObject({ lastSeq: 40, snapshotSeq: 15, replayed: 25 });
    expect((await first.terminate()).code).toBe(0);

    const second = await ServerProcess.start({ ...ENV, TUAN_DATA_DIR: dataDir });
    expect(second.recovered).toMatchObject({ lastSeq: 40, snapshotSeq: 40, replayed: 0, stateHash: first.recovered.stateHash });
    expect((await second.terminate()).code).toBe(0);
  });
});
