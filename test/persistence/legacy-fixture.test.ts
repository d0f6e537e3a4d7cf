// Data written by an older tuan (test/fixtures/legacy-v3: journal entries without a format version, a snapshot
// in engine format `tuan-engine/3`) recovers in today's code, from the file store and from Redis: the snapshot's
// stored hash is checked against the old format's canonical hash before it is migrated, the read views match
// what the old code reported (on the fields both formats have), and snapshot + tail reaches the same state as a
// replay of the whole journal from seq 1.
//
// The fixture's file journal segment (`*.log`) is not in the repository (the ignore rules leave out `*.log`), so
// the file store's journal is rebuilt here from the Redis dump's entries, which are the same commands: each is
// checked against its recorded checksum first, then written as the old file format wrote it
// (`<crc32> {"seq":N,"command":…}`).
import { cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Engine, canonicalJson, hash64, type EngineConfig } from '../../engine/index.ts';
import { decodeJournalCommand } from '../../engine/journal-command.ts';
import {
  FileJournal,
  FileSnapshotStore,
  RecoveryError,
  RedisJournal,
  RedisSnapshotStore,
  connectRedis,
  journalKey,
  recover,
  snapshotKeys,
  type Journal,
  type Recovered,
  type SnapshotStore,
} from '../../persistence/index.ts';
import { checksum } from '../../persistence/codec.ts';
import { RedisServer } from '../../scripts/lib/redis-server.ts';

const FIXTURE = fileURLToPath(new URL('../fixtures/legacy-v3/', import.meta.url));

interface RedisDump {
  journal: { id: string; c: string; k: string }[];
  snapshot: Record<string, string>;
}
interface Expected {
  lastSeq: number;
  snapshotSeq: number;
  snapshotHashV3: string;
  views: {
    offers: ({ offerId: string } & Record<string, unknown>)[];
    groups: Record<string, unknown[]>;
    priceHistory: Record<string, unknown[]>;
    ruleSetHistory: Record<string, unknown[]>;
    auctions: Record<string, unknown>;
    reservations: Record<string, unknown>;
    nextDeadlineMs: number | null;
    nowMs: number;
  };
}

const dump = JSON.parse(await readFile(join(FIXTURE, 'redis-store.json'), 'utf8')) as RedisDump;
const expected = JSON.parse(await readFile(join(FIXTURE, 'expected.json'), 'utf8')) as Expected;

/** The journal's entries, each checked against the checksum the old code recorded with it. */
function fixtureEntries(): { seq: number; c: string }[] {
  return dump.journal.map(({ id, c, k }) => {
    const seq = Number(id.split('-')[0]);
    if (checksum(`${seq}\n${c}`) !== k) throw new Error(`fixture entry ${id} does not match its recorded checksum`);
    return { seq, c };
  });
}

/**
 * What both formats have: `expected` cut down to the keys `actual` also has (recursively; arrays element by
 * element), with a count of the leaf values kept, so a comparison can never pass by comparing nothing.
 */
function common(expectedValue: unknown, actualValue: unknown, counter: { leaves: number }): unknown {
  if (Array.isArray(expectedValue) && Array.isArray(actualValue)) return expectedValue.map((item, i) => common(item, actualValue[i], counter));
  if (expectedValue !== null && typeof expectedValue === 'object' && actualValue !== null && typeof actualValue === 'object' && !Array.isArray(actualValue)) {
    const kept: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(expectedValue)) if (key in actualValue) kept[key] = common(value, (actualValue as Record<string, unknown>)[key], counter);
    return kept;
  }
  counter.leaves += 1;
  return expectedValue;
}

function expectViews(engine: Engine): void {
  const { views } = expected;
  const actual = {
    offers: views.offers.map((offer) => engine.offer(offer.offerId)),
    groups: Object.fromEntries(Object.keys(views.groups).map((offerId) => [offerId, engine.groupsOf(offerId)])),
    priceHistory: Object.fromEntries(Object.keys(views.priceHistory).map((offerId) => [offerId, engine.priceHistory(offerId)])),
    ruleSetHistory: Object.fromEntries(Object.keys(views.ruleSetHistory).map((offerId) => [offerId, engine.ruleSetHistory(offerId)])),
    auctions: Object.fromEntries(Object.keys(views.auctions).map((offerId) => [offerId, engine.auction(offerId)])),
    reservations: Object.fromEntries(
      Object.keys(views.reservations).map((key) => {
        const [offerId, shopperId] = key.split('/') as [string, string];
        return [key, engine.reservation(offerId, shopperId)];
      }),
    ),
    nextDeadlineMs: engine.nextDeadlineMs(),
    nowMs: engine.nowMs,
  };
  const counter = { leaves: 0 };
  const shared = common(views, actual, counter);
  expect(counter.leaves).toBeGreaterThan(500);
  expect(actual).toMatchObject(shared as Record<string, unknown>);
}

/**
 * The engine settings the old market ran with, as its snapshot records them. Settings are not journaled, so a
 * replay from seq 1 that should reach the same state has to start from the same ones (the old default
 * `maxOffers` was 100 000; today's is 1 000 000, and it is part of the state hash).
 */
const OLD_CONFIG = (JSON.parse(dump.snapshot.data!) as { config: Partial<EngineConfig> }).config;

/** A replay of the whole journal from seq 1 through the journal decoder: the reference for the new state hash. */
function replayFromFirst(): Engine {
  const engine = new Engine(OLD_CONFIG);
  for (const { seq, c } of fixtureEntries()) {
    const decoded = decodeJournalCommand(undefined, JSON.parse(c));
    if (!decoded.ok) throw new Error(`fixture seq ${seq}: ${decoded.message}`);
    engine.apply(decoded.command);
  }
  return engine;
}

async function recoverFrom(journal: Journal, snapshots: SnapshotStore): Promise<Recovered> {
  try {
    return await recover({ journal, snapshots, createEngine: () => new Engine(OLD_CONFIG) });
  } finally {
    await journal.close();
    await snapshots.close();
  }
}

function expectRecovered(recovered: Recovered): void {
  expect(recovered).toMatchObject({ lastSeq: expected.lastSeq, snapshotSeq: expected.snapshotSeq, replayed: expected.lastSeq - expected.snapshotSeq });
  expect(recovered.engine.checkInvariants()).toEqual([]);
  expectViews(recovered.engine);
  expect(recovered.stateHash).toBe(replayFromFirst().stateHash());
}

describe('legacy v3 fixture, file store', () => {
  let dir: string;
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** The fixture's file store in a temporary directory (the fixture itself is never written). */
  async function fixtureDataDir(): Promise<string> {
    dir = await mkdtemp(join(tmpdir(), 'tuan-legacy-'));
    await cp(join(FIXTURE, 'file-store', 'snapshots'), join(dir, 'snapshots'), { recursive: true });
    await mkdir(join(dir, 'journal'));
    const lines = fixtureEntries().map(({ seq, c }) => {
      const json = `{"seq":${seq},"command":${c}}`;
      return `${checksum(json)} ${json}\n`;
    });
    await writeFile(join(dir, 'journal', '0000000000000001.log'), lines.join(''));
    return dir;
  }

  const open = async (dataDir: string) => [await FileJournal.open({ dir: join(dataDir, 'journal') }), await FileSnapshotStore.open(join(dataDir, 'snapshots'))] as const;

  it('the fixture is what it says: a v3 snapshot at seq 39 whose stored hash is its canonical hash', async () => {
    const [journal, snapshots] = await open(await fixtureDataDir());
    const record = await snapshots.load();
    expect(record).toMatchObject({ seq: expected.snapshotSeq, hash: expected.snapshotHashV3, snapshot: { format: 'tuan-engine/3' } });
    expect(hash64(canonicalJson(record!.snapshot))).toBe(expected.snapshotHashV3);
    await journal.close();
    await snapshots.close();
  });

  it('recovers (v3 snapshot + unversioned tail) to the views the old code reported and the state of a full replay', async () => {
    const [journal, snapshots] = await open(await fixtureDataDir());
    expectRecovered(await recoverFrom(journal, snapshots));
  });

  it('a full replay from seq 1 (no snapshot) reaches the same state and views', async () => {
    const dataDir = await fixtureDataDir();
    await rm(join(dataDir, 'snapshots'), { recursive: true });
    const [journal, snapshots] = await open(dataDir);
    const recovered = await recoverFrom(journal, snapshots);
    expect(recovered).toMatchObject({ lastSeq: expected.lastSeq, snapshotSeq: null, replayed: expected.lastSeq });
    expectViews(recovered.engine);
    expect(recovered.stateHash).toBe(replayFromFirst().stateHash());
  });

  it('refuses a v3 snapshot with a flipped field (checksum made to match) with hash_mismatch, before migrating it', async () => {
    const dataDir = await fixtureDataDir();
    const name = (await readdir(join(dataDir, 'snapshots'))).find((n) => n.endsWith('.json'))!;
    const path = join(dataDir, 'snapshots', name);
    const text = await readFile(path, 'utf8');
    const newline = text.indexOf('\n');
    const header = JSON.parse(text.slice(0, newline)) as Record<string, unknown>;
    // One field changed, the same length, so only the state hash can tell.
    const data = text.slice(newline + 1).replace(/"inventory":60/, '"inventory":61');
    expect(data).not.toBe(text.slice(newline + 1));
    await writeFile(path, `${JSON.stringify({ ...header, crc: checksum(data), bytes: Buffer.byteLength(data) })}\n${data}`);
    const [journal, snapshots] = await open(dataDir);
    const error = await recoverFrom(journal, snapshots).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RecoveryError);
    expect(error).toMatchObject({ problem: 'hash_mismatch', seq: 39 });
    expect((error as Error).message).toMatch(/format "tuan-engine\/3"\) hashes to [0-9a-f]+, but hash 44dc18bc092fd097 was stored with it/);
  });
});

describe('legacy v3 fixture, Redis', () => {
  let server: RedisServer;
  let admin: Redis;
  let prefix: string;
  beforeAll(async () => {
    server = await RedisServer.start();
    admin = await connectRedis(server.url);
  });
  afterAll(async () => {
    await admin?.quit();
    await server?.destroy();
  });
  afterEach(async () => {
    await admin.del(journalKey(prefix), ...Object.values(snapshotKeys(prefix)));
  });

  /** The dump loaded under a key prefix of this run, as the old code wrote it (fields c and k, no v). */
  async function loadDump(snapshot: Record<string, string> = dump.snapshot): Promise<void> {
    prefix = `{legacy-${randomUUID()}}:`;
    for (const { id, c, k } of dump.journal) await admin.xadd(journalKey(prefix), id, 'c', c, 'k', k);
    await admin.hset(snapshotKeys(prefix).newest, snapshot);
  }

  const open = async () =>
    [
      new RedisJournal(await connectRedis(server.url), { keyPrefix: prefix, ownsClient: true }),
      new RedisSnapshotStore(await connectRedis(server.url), { keyPrefix: prefix, ownsClient: true }),
    ] as const;

  it('recovers to the views the old code reported and the state of a full replay', async () => {
    await loadDump();
    const [journal, snapshots] = await open();
    expectRecovered(await recoverFrom(journal, snapshots));
  });

  it('refuses a v3 snapshot with a flipped field (checksum made to match) with hash_mismatch', async () => {
    const data = dump.snapshot.data!.replace(/"inventory":60/, '"inventory":61');
    expect(data).not.toBe(dump.snapshot.data);
    await loadDump({ ...dump.snapshot, data, crc: checksum(data) });
    const [journal, snapshots] = await open();
    const error = await recoverFrom(journal, snapshots).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ problem: 'hash_mismatch', seq: 39 });
  });
});
