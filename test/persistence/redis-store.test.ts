// The Redis store against a private redis-server: the shared conformance suite, a second writer, and the
// settings report. Every test uses its own key prefix and deletes only its own keys.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../engine/index.ts';
import {
  JournalSequenceError,
  RecoveryError,
  RedisJournal,
  RedisSnapshotStore,
  checkRedisSettings,
  connectRedis,
  journalKey,
  recover,
  snapshotKeys,
} from '../../persistence/index.ts';
import { describeStoreConformance, entriesOf, journalThroughEngine, readAll, type StoreHarness } from './store-conformance.ts';
import { RedisServer } from '../../scripts/lib/redis-server.ts';
import { makeWorkload } from './workload.ts';

let server: RedisServer;
let admin: Redis;

beforeAll(async () => {
  server = await RedisServer.start();
  admin = await connectRedis(server.url);
});

afterAll(async () => {
  admin?.disconnect();
  await server?.destroy();
});

function uniquePrefix(): string {
  return `{test-${randomUUID().slice(0, 8)}}:`;
}

async function redisHarness(): Promise<StoreHarness> {
  const prefix = uniquePrefix();
  const key = journalKey(prefix);
  const snapshotKey = snapshotKeys(prefix).newest;
  return {
    openJournal: async () => new RedisJournal(await connectRedis(server.url), { keyPrefix: prefix, ownsClient: true }),
    openSnapshots: async () => new RedisSnapshotStore(await connectRedis(server.url), { keyPrefix: prefix, ownsClient: true }),
    async dropEntry(seq) {
      expect(await admin.xdel(key, `${seq}-0`)).toBe(1);
    },
    async corruptEntry(seq) {
      // Stream entries cannot be edited in place: rebuild the stream with one entry's payload changed.
      const items = await admin.xrange(key, '-', '+');
      await admin.del(key);
      for (const [id, fields] of items) {
        const copy = [...fields];
        if (id === `${seq}-0`) copy[copy.indexOf('c') + 1] = copy[copy.indexOf('c') + 1]!.replace('"nowMs":1', '"nowMs":2');
        await admin.xadd(key, id, ...copy);
      }
    },
    async corruptNewestSnapshot() {
      const data = await admin.hget(snapshotKey, 'data');
      await admin.hset(snapshotKey, 'data', data!.replace('"nowMs":1', '"nowMs":2'));
    },
    async dispose() {
      await admin.del(key, ...Object.values(snapshotKeys(prefix)));
    },
  };
}

describeStoreConformance('Redis store', redisHarness);

describe('Redis store specifics', () => {
  const workload = makeWorkload(5, 80);

  it('refuses a second writer that is out of step, in Redis itself', async () => {
    const prefix = uniquePrefix();
    const first = new RedisJournal(await connectRedis(server.url), { keyPrefix: prefix, ownsClient: true });
    const second = new RedisJournal(await connectRedis(server.url), { keyPrefix: prefix, ownsClient: true });
    const entries = entriesOf(workload.commands.slice(0, 10));
    await first.append(entries.slice(0, 5));
    await expect(second.append(entries.slice(2, 4))).rejects.toThrow(/Redis refused seq 3: the stream ends at 5-0, the batch expects 2-0/);
    await expect(second.append(entries.slice(6, 8))).rejects.toBeInstanceOf(JournalSequenceError);
    expect(await readAll(second)).toEqual(entries.slice(0, 5));
    await admin.del(journalKey(prefix));
    await first.close();
    await second.close();
  });

  it('notices entries missing at the end of the stream', async () => {
    const prefix = uniquePrefix();
    const journal = new RedisJournal(await connectRedis(server.url), { keyPrefix: prefix, ownsClient: true });
    const snapshots = new RedisSnapshotStore(admin, { keyPrefix: prefix });
    await journalThroughEngine(journal, snapshots, workload.commands);
    await admin.xdel(journalKey(prefix), '79-0', '80-0');
    const error = await recover({ journal, snapshots, createEngine: () => new Engine() }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RecoveryError);
    expect((error as RecoveryError).message).toMatch(/last seq is 80, but its entries stop after seq 78: seq 79\.\.80 are missing/);
    await admin.del(journalKey(prefix));
    await journal.close();
  });

  it('stops when the journal is gone but a snapshot says there was one (deleted or evicted)', async () => {
    const prefix = uniquePrefix();
    const journal = new RedisJournal(admin, { keyPrefix: prefix });
    const snapshots = new RedisSnapshotStore(admin, { keyPrefix: prefix });
    await journalThroughEngine(journal, snapshots, workload.commands, [40]);
    await admin.del(journalKey(prefix));
    const error = await recover({ journal, snapshots, createEngine: () => new Engine() }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ problem: 'journal_behind_snapshot', seq: 40 });
    expect(String(error)).toMatch(/journal ends at seq 0, before the snapshot at seq 40/);
    // And the gateway could not write past the hole either: the stream would have to start at seq 1.
    await expect(journal.append(entriesOf(workload.commands.slice(40, 41), 41))).rejects.toBeInstanceOf(JournalSequenceError);
    await admin.del(...Object.values(snapshotKeys(prefix)), journalKey(prefix));
  });

  it('reports what the server settings promise', async () => {
    const report = await checkRedisSettings(admin);
    const byName = Object.fromEntries(report.settings.map((setting) => [setting.name, setting]));
    expect(byName['maxmemory-policy']).toMatchObject({ value: 'noeviction', level: 'ok' });
    expect(byName.appendonly).toMatchObject({ value: 'no', level: 'danger' });
    expect(byName.save).toMatchObject({ value: '', level: 'danger' });
    expect(report.worst).toBe('danger');

    await admin.config('SET', 'maxmemory-policy', 'allkeys-lru');
    try {
      const evicting = await checkRedisSettings(admin);
      expect(evicting.settings.find((setting) => setting.name === 'maxmemory-policy')).toMatchObject({ level: 'danger' });
      expect(evicting.settings[0]!.promise).toMatch(/silently vanish/);
    } finally {
      await admin.config('SET', 'maxmemory-policy', 'noeviction');
    }
  });
});
