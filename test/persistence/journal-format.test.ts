// Journal entries are read by the journal's own decoder: their format version, and the engine's command shape
// without the bounds the gateway applies to clients, so an entry accepted under an older, looser bound still
// recovers, while a structurally broken one stops recovery naming its seq.
import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Engine, LIMITS, parseCommand } from '../../engine/index.ts';
import { decodeJournalCommand } from '../../engine/journal-command.ts';
import { FileJournal, FileSnapshotStore, RecoveryError, connectRedis, journalKey, recover, RedisJournal, RedisSnapshotStore, snapshotKeys } from '../../persistence/index.ts';
import { checksum } from '../../persistence/codec.ts';
import { RedisServer } from '../../scripts/lib/redis-server.ts';
import { readAll } from './store-conformance.ts';

const NOW = 1_700_000_000_000;
/** An offer whose title is longer than clients may send today (as if the bound was tightened after it was journaled). */
const LONG_TITLE = 'Oolong tea, first flush, '.repeat(20);
const createOffer = {
  type: 'create_offer',
  nowMs: NOW,
  merchantId: 'shop-1',
  offerId: 'tea',
  title: LONG_TITLE,
  currency: 'CNY',
  inventory: 10,
  basePriceMinor: 1_000,
  mechanism: { type: 'group', minSize: 2, windowMs: 60_000, tiers: [{ minSize: 2, priceMinor: 900 }] },
};
const tick = { type: 'tick', nowMs: NOW + 1 };

/** A line as the file journal writes it, for a given format version (undefined: the format before versions). */
function fileLine(seq: number, command: unknown, version?: unknown): string {
  const json = JSON.stringify(version === undefined ? { seq, command } : { seq, v: version, command });
  return `${checksum(json)} ${json}\n`;
}

describe('the journal decoder', () => {
  it('reads a command past a client bound, which the client schema refuses', () => {
    expect(LONG_TITLE.length).toBeGreaterThan(LIMITS.titleLengthMax);
    expect(parseCommand(createOffer).ok).toBe(false);
    const decoded = decodeJournalCommand(2, createOffer);
    expect(decoded).toMatchObject({ ok: true, command: { title: LONG_TITLE } });
    expect(decodeJournalCommand(undefined, { ...createOffer, inventory: LIMITS.inventoryMax * 10 }).ok).toBe(true);
  });

  it('still refuses what is structurally broken, and formats it does not know', () => {
    expect(decodeJournalCommand(2, { ...tick, teleport: true })).toMatchObject({ ok: false, message: expect.stringMatching(/teleport/) });
    expect(decodeJournalCommand(2, { type: 'tick', nowMs: 'soon' })).toMatchObject({ ok: false, message: expect.stringMatching(/nowMs/) });
    expect(decodeJournalCommand(2, { ...createOffer, inventory: 2.5 }).ok).toBe(false);
    expect(decodeJournalCommand(2, { type: 'teleport', nowMs: NOW }).ok).toBe(false);
    expect(decodeJournalCommand(99, tick)).toMatchObject({ ok: false, message: expect.stringMatching(/format version 99 is not one this code reads/) });
    expect(decodeJournalCommand('2', tick).ok).toBe(false);
  });
});

describe('recovery through the journal decoder (file store)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tuan-format-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function recoverDir() {
    const journal = await FileJournal.open({ dir: join(dir, 'journal') });
    const snapshots = await FileSnapshotStore.open(join(dir, 'snapshots'));
    try {
      return await recover({ journal, snapshots, createEngine: () => new Engine() });
    } finally {
      await journal.close();
      await snapshots.close();
    }
  }

  /** A journal segment written line by line (an older writer's), so old formats and old bounds can be on disk. */
  async function writeSegment(lines: string[]): Promise<void> {
    const journal = await FileJournal.open({ dir: join(dir, 'journal') });
    await journal.close();
    await appendFile(join(dir, 'journal', '0000000000000001.log'), lines.join(''));
  }

  it('writes the format version with every entry and reads it back', async () => {
    const journal = await FileJournal.open({ dir: join(dir, 'journal') });
    const decoded = decodeJournalCommand(2, tick);
    if (!decoded.ok) throw new Error(decoded.message);
    await journal.append([{ seq: 1, command: decoded.command }]);
    const batches: unknown[] = [];
    for await (const batch of journal.readFrom(1)) batches.push(...batch);
    expect(batches).toEqual([{ seq: 1, command: decoded.command, version: 2 }]);
    await journal.close();
    expect(await readFile(join(dir, 'journal', '0000000000000001.log'), 'utf8')).toMatch(/^[0-9a-f]{8} \{"seq":1,"v":2,"command":/);
  });

  it('recovers entries without a version (the format before versions) and one past a client bound', async () => {
    await writeSegment([fileLine(1, createOffer), fileLine(2, tick, 2)]);
    const recovered = await recoverDir();
    expect(recovered.lastSeq).toBe(2);
    expect(recovered.engine.offer('tea')?.title).toBe(LONG_TITLE);
  });

  it('refuses a structurally broken entry with invalid_command, naming its seq', async () => {
    await writeSegment([fileLine(1, createOffer), fileLine(2, { type: 'tick', nowMs: 'soon' }, 2), fileLine(3, tick, 2)]);
    const error = await recoverDir().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RecoveryError);
    expect(error).toMatchObject({ problem: 'invalid_command', seq: 2 });
    expect((error as Error).message).toMatch(/journal entry seq 2 is not a valid command: nowMs/);
  });

  it('refuses an entry of a format version it does not read, naming its seq', async () => {
    await writeSegment([fileLine(1, createOffer), fileLine(2, tick, 3)]);
    const error = await recoverDir().catch((caught: unknown) => caught);
    expect(error).toMatchObject({ problem: 'invalid_command', seq: 2 });
    expect((error as Error).message).toMatch(/seq 2 is not a valid command: journal format version 3/);
  });
});

describe('recovery through the journal decoder (Redis)', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await RedisServer.start();
  });
  afterAll(async () => {
    await server?.destroy();
  });

  it('reads entries without a version field beside versioned ones, and one past a client bound', async () => {
    const prefix = `{format-${process.pid}}:`;
    const admin = await connectRedis(server.url);
    try {
      // The first entry as the code before versions wrote it: fields c and k, the checksum over "<seq>\n<c>".
      const c = JSON.stringify(createOffer);
      await admin.xadd(journalKey(prefix), '1-0', 'c', c, 'k', checksum(`1\n${c}`));
      const journal = new RedisJournal(await connectRedis(server.url), { keyPrefix: prefix, ownsClient: true });
      const decoded = decodeJournalCommand(2, tick);
      if (!decoded.ok) throw new Error(decoded.message);
      await journal.append([{ seq: 2, command: decoded.command }]);
      expect((await readAll(journal)).map((entry) => entry.seq)).toEqual([1, 2]);
      const snapshots = new RedisSnapshotStore(await connectRedis(server.url), { keyPrefix: prefix, ownsClient: true });
      const recovered = await recover({ journal, snapshots, createEngine: () => new Engine() });
      expect(recovered.lastSeq).toBe(2);
      expect(recovered.engine.offer('tea')?.title).toBe(LONG_TITLE);
      await journal.close();
      await snapshots.close();
    } finally {
      await admin.del(journalKey(prefix), ...Object.values(snapshotKeys(prefix)));
      await admin.quit();
    }
  });
});
