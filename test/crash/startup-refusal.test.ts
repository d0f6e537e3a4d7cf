// A damaged or incomplete journal stops `npm start` (the real process) with a non-zero exit code and a message
// on stderr naming the seq, instead of starting from a state that is not the acknowledged one.
import { appendFile, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FileJournal, RedisJournal, journalKey } from '../../persistence/index.ts';
import { editJournalLine } from '../persistence/journal-files.ts';
import { RedisServer } from '../../scripts/lib/redis-server.ts';
import { makeWorkload } from '../persistence/workload.ts';
import { ServerProcess } from '../../scripts/lib/server-process.ts';

const ENV = { HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', TOKEN_SECRET: 'refusal-test-secret-0123456789abcdefgh' };
const entries = makeWorkload(11, 40).commands.map((command, i) => ({ seq: i + 1, command }));

let dir: string | null = null;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = null;
});

async function segmentOf(dataDir: string): Promise<string> {
  const names = (await readdir(join(dataDir, 'journal'))).filter((name) => name.endsWith('.log'));
  return join(dataDir, 'journal', names[names.length - 1]!);
}

/** A data directory whose journal holds the workload, written the way the server writes it. */
async function dataDirWithJournal(): Promise<string> {
  dir = await mkdtemp(join(tmpdir(), 'tuan-refusal-'));
  const journal = await FileJournal.open({ dir: join(dir, 'journal') });
  await journal.append(entries.slice(0, 20));
  await journal.append(entries.slice(20));
  await journal.close();
  return dir;
}

describe('start-up with a bad journal (file store)', () => {
  it('starts from a sound journal (the control case)', async () => {
    const dataDir = await dataDirWithJournal();
    const server = await ServerProcess.start({ ...ENV, TUAN_DATA_DIR: dataDir });
    expect(server.recovered.lastSeq).toBe(40);
    expect((await server.terminate()).code).toBe(0);
  });

  it('refuses to start when an entry is damaged, naming its seq', async () => {
    const dataDir = await dataDirWithJournal();
    // Change a character of the command, past the seq, so the checksum no longer matches.
    await editJournalLine(join(dataDir, 'journal'), 17, (line) => line.replace('"type":"', '"type":"x'));
    const exit = await ServerProcess.runToExit({ ...ENV, TUAN_DATA_DIR: dataDir });
    expect(exit.code).toBe(3);
    expect(exit.stderr).toMatch(/cannot start: recovery stopped: journal entry seq 17 is damaged/);
    expect(exit.stdout).not.toContain('tuan listening');
  });

  it('refuses to start (exit 3) when the last complete line is damaged, naming its seq', async () => {
    const dataDir = await dataDirWithJournal();
    await editJournalLine(join(dataDir, 'journal'), 40, (line) => line.replace('"nowMs":', '"nowMS":'));
    const exit = await ServerProcess.runToExit({ ...ENV, TUAN_DATA_DIR: dataDir });
    expect(exit.code).toBe(3);
    expect(exit.stderr).toMatch(/cannot start: recovery stopped: journal entry seq 40 is damaged: .*\(last line\) fails its checksum/);
  });

  it('refuses to start (exit 3) when a bad line was appended, naming the seq it stands at', async () => {
    const dataDir = await dataDirWithJournal();
    await appendFile(await segmentOf(dataDir), '0badc0de {"seq":41,"command":{"type":"tick","nowMs":1}}\n');
    const exit = await ServerProcess.runToExit({ ...ENV, TUAN_DATA_DIR: dataDir });
    expect(exit.code).toBe(3);
    expect(exit.stderr).toMatch(/recovery stopped: journal entry seq 41 is damaged: .*\(last line\) fails its checksum/);
  });

  it('refuses to start (exit 3) when the journal was cut short at a line boundary, naming the missing seqs', async () => {
    const dataDir = await dataDirWithJournal();
    const segment = await segmentOf(dataDir);
    const lines = (await readFile(segment, 'utf8')).split('\n');
    await writeFile(segment, `${lines.slice(0, 20).join('\n')}\n`);
    const exit = await ServerProcess.runToExit({ ...ENV, TUAN_DATA_DIR: dataDir });
    expect(exit.code).toBe(3);
    expect(exit.stderr).toMatch(/recovery stopped: the journal ends at seq 20, but its high-water mark records seq 40 as acknowledged: seq 21\.\.40 are missing/);
    expect(exit.stdout).not.toContain('tuan listening');
  });

  it('refuses to start (exit 3) when the last line was removed or the journal emptied', async () => {
    const dataDir = await dataDirWithJournal();
    const segment = await segmentOf(dataDir);
    const lines = (await readFile(segment, 'utf8')).split('\n');
    await writeFile(segment, `${lines.slice(0, 39).join('\n')}\n`);
    let exit = await ServerProcess.runToExit({ ...ENV, TUAN_DATA_DIR: dataDir });
    expect(exit.code).toBe(3);
    expect(exit.stderr).toMatch(/seq 40 is missing/);
    await writeFile(segment, '');
    exit = await ServerProcess.runToExit({ ...ENV, TUAN_DATA_DIR: dataDir });
    expect(exit.code).toBe(3);
    expect(exit.stderr).toMatch(/seq 1\.\.40 are missing/);
  });

  it('refuses to start when an entry is missing, naming the seq', async () => {
    const dataDir = await dataDirWithJournal();
    await editJournalLine(join(dataDir, 'journal'), 23, () => null);
    const exit = await ServerProcess.runToExit({ ...ENV, TUAN_DATA_DIR: dataDir });
    expect(exit.code).toBe(3);
    expect(exit.stderr).toMatch(/recovery stopped: seq 23 is missing \(the journal jumps from seq 22 to seq 24\)/);
  });
});

describe('start-up with a bad journal (Redis)', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  afterAll(async () => {
    await redis?.destroy();
  });

  it('refuses to start when a stream entry is missing, naming the seq', async () => {
    const keyPrefix = '{refusal}:';
    const client = new Redis(redis.url);
    const journal = new RedisJournal(client, { keyPrefix });
    await journal.append(entries);
    await client.xdel(journalKey(keyPrefix), '31-0');
    await client.quit();
    const exit = await ServerProcess.runToExit({ ...ENV, REDIS_URL: redis.url, REDIS_KEY_PREFIX: keyPrefix });
    expect(exit.code).toBe(3);
    expect(exit.stderr).toMatch(/recovery stopped: seq 31 is missing/);
  });

  it('exits non-zero with a clear message when Redis cannot be reached', async () => {
    const exit = await ServerProcess.runToExit({ ...ENV, REDIS_URL: 'redis://127.0.0.1:1' });
    expect(exit.code).toBe(1);
    expect(exit.stderr).toMatch(/cannot start: cannot open the journal \(Redis at redis:\/\/127\.0\.0\.1:1\/? \(keys under \{tuan\}:\)\)/);
  });
});
