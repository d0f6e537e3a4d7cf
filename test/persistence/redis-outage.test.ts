// Redis going away under a running journal: appends are refused (so the gateway answers `unavailable`)
// instead of hanging or being queued, nothing acknowledged is lost, and once Redis is back the gateway's
// rebuild-and-resync path works again. The test kills and restarts its own redis-server only.
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../engine/index.ts';
import { JournalError, JournalUnavailableError, openPersistence, recover, writeCheckpoint, type Persistence } from '../../persistence/index.ts';
import { entriesOf, readAll } from './store-conformance.ts';
import { RedisServer } from '../../scripts/lib/redis-server.ts';
import { makeWorkload } from './workload.ts';

let server: RedisServer;

beforeAll(async () => {
  // AOF with fsync on every write: a kill -9 of Redis loses nothing Redis acknowledged.
  server = await RedisServer.start({ appendonly: true, appendfsync: 'always' });
});

afterAll(async () => {
  await server?.destroy();
});

/** Waits for every client of `persistence` to reconnect: an event, not a timer. */
async function untilReady(persistence: Persistence): Promise<void> {
  await Promise.all(persistence.redisClients.map(async (client) => {
    if (client.status !== 'ready') await once(client, 'ready');
  }));
}

describe('Redis outage', () => {
  it('refuses appends while Redis is down, loses nothing acked, and works again when it is back', async () => {
    const workload = makeWorkload(3, 60);
    const entries = entriesOf(workload.commands);
    const persistence = await openPersistence({ kind: 'redis', url: server.url, keyPrefix: '{outage}:' });
    expect(persistence.redisSettings?.worst).toBe('ok');
    const { journal, snapshots } = persistence;

    await Promise.all(entries.slice(0, 30).map((entry) => journal.append([entry])));
    const engine = new Engine();
    for (const entry of entries.slice(0, 30)) engine.apply(entry.command);
    await writeCheckpoint({ engine, seq: 30, journal, snapshots });
    await Promise.all(entries.slice(30, 40).map((entry) => journal.append([entry])));

    await server.kill();
    const refused = await journal.append([entries[40]!]).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(JournalUnavailableError);
    expect(journal.wouldAccept()).toBe(false);
    await expect(journal.append([entries[41]!])).rejects.toThrow(/refuses appends after a failed write until it is resynced/);
    // Recovery while Redis is down is an I/O failure to retry, not a data problem.
    const early = await recover({ journal, snapshots, createEngine: () => new Engine() }).catch((error: unknown) => error);
    expect(early).toBeInstanceOf(Error);
    expect(early).not.toHaveProperty('problem');

    await server.restart();
    await untilReady(persistence);
    // What the gateway does: rebuild from the store, resync the journal, go on from the recovered seq.
    const recovered = await recover({ journal, snapshots, createEngine: () => new Engine() });
    expect(recovered.snapshotSeq).toBe(30);
    expect(recovered.lastSeq).toBe(40);
    const reference = new Engine();
    for (const entry of entries.slice(0, 40)) reference.apply(entry.command);
    expect(recovered.stateHash).toBe(reference.stateHash());
    expect(await journal.resync()).toBe(40);
    expect(journal.wouldAccept()).toBe(true);

    await Promise.all(entries.slice(40).map((entry) => journal.append([entry])));
    expect(await readAll(journal, 31)).toEqual(entries.slice(30));
    await persistence.close();
  });

  it('fails fast instead of queueing when the journal is opened while Redis is down', async () => {
    await server.stop();
    try {
      const error = await openPersistence({ kind: 'redis', url: server.url, keyPrefix: '{down}:' }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(Error);
      expect(error).not.toBeInstanceOf(JournalError);
      expect(String(error)).toMatch(/ECONNREFUSED|connect/i);
    } finally {
      await server.restart();
    }
  });
});
