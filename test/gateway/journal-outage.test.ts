// The journal going away under a running server: commands are answered `unavailable` (never acknowledged
// without being journaled), /readyz says 503, and the server takes commands again by itself once the store is
// back — first with a store the test switches off and on, then with a private redis-server it kills and
// restarts. A store that lost acknowledged entries stops the server for good.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Engine, type Command } from '../../engine/index.ts';
import { GroupCommitJournal, JournalBrokenError, openPersistence, recover, type Persistence } from '../../persistence/index.ts';
import type { Sequencer, SequencerState } from '../../runtime/index.ts';
import { RedisServer } from '../../scripts/lib/redis-server.ts';
import { startHarness, type Harness } from './helpers/harness.ts';
import { MemoryJournalStore, MemorySnapshotStore } from './helpers/memory-store.ts';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

/** Resolves when the sequencer reaches `state` (at once if it is there): an event, not a timer. */
function reaches(sequencer: Sequencer, state: SequencerState): Promise<void> {
  if (sequencer.status === state) return Promise.resolve();
  return new Promise((resolve) => {
    const stop = sequencer.onStateChange((now) => {
      if (now !== state) return;
      stop();
      resolve();
    });
  });
}

function replayHash(entries: readonly { command: Command }[]): string {
  const engine = new Engine();
  for (const entry of entries) engine.apply(entry.command);
  return engine.stateHash();
}

async function offerWithShopper(harness: Harness): Promise<{ offerId: string; shopper: Awaited<ReturnType<Harness['shopper']>> }> {
  const offerId = await harness.createOffer({ inventory: 50 });
  return { offerId, shopper: await harness.shopper('sam') };
}

describe('a journal outage (store switched off and on by the test)', () => {
  it('refuses while the store is away, catches up with an in-doubt write, and applies a retried command once', async () => {
    const store = new MemoryJournalStore();
    h = await startHarness({}, { persistence: { journal: new GroupCommitJournal(store), snapshots: new MemorySnapshotStore() } });
    const { sequencer, engine } = h.server;
    const { offerId, shopper } = await offerWithShopper(h);
    await shopper.ok({ type: 'open_group', offerId, idempotencyKey: 'before' });

    // The store writes the next batch but the reply is lost: the command is in doubt, so it is not acknowledged.
    store.mode = 'write-then-fail';
    const inDoubt = await shopper.request({ type: 'open_group', offerId, idempotencyKey: 'in-doubt' });
    expect(inDoubt).toMatchObject({ type: 'error', code: 'unavailable' });
    expect(sequencer.status).toBe('recovering');
    expect((await h.http('GET', '/readyz')).status).toBe(503);
    expect((await h.http('GET', '/healthz')).status).toBe(200);
    expect(await shopper.request({ type: 'open_group', offerId, idempotencyKey: 'during' })).toMatchObject({ type: 'error', code: 'unavailable' });
    // Not applied yet: the live engine holds only what it applied after a successful write.
    expect(engine.groupsOf(offerId)).toHaveLength(1);

    store.mode = 'up';
    await reaches(sequencer, 'accepting');
    expect((await h.http('GET', '/readyz')).status).toBe(200);
    // The in-doubt entry was in the store, so the live engine caught up with it: it equals a replay of the store.
    expect(engine.groupsOf(offerId)).toHaveLength(2);
    expect(engine.stateHash()).toBe(replayHash(store.entries));

    // The client retries with its key and gets the first result: no second group.
    const retried = await shopper.ok({ type: 'open_group', offerId, idempotencyKey: 'in-doubt' });
    expect(engine.groupsOf(offerId).map((group) => group.groupId)).toContain(retried.result.groupId);
    expect(engine.groupsOf(offerId)).toHaveLength(2);
    // The command refused while the store was away was never journaled: retrying it applies it now, once.
    await shopper.ok({ type: 'open_group', offerId, idempotencyKey: 'during' });
    expect(engine.groupsOf(offerId)).toHaveLength(3);
    expect(store.entries.map((entry) => entry.seq)).toEqual(store.entries.map((_, i) => i + 1));
    expect(engine.stateHash()).toBe(replayHash(store.entries));
  });

  it('stops for good when the store comes back without entries it had acknowledged', async () => {
    const store = new MemoryJournalStore();
    h = await startHarness({}, { persistence: { journal: new GroupCommitJournal(store), snapshots: new MemorySnapshotStore() } });
    const { sequencer } = h.server;
    const { offerId, shopper } = await offerWithShopper(h);
    await shopper.ok({ type: 'open_group', offerId });
    store.mode = 'down';
    expect(await shopper.request({ type: 'open_group', offerId })).toMatchObject({ code: 'unavailable' });
    store.entries.pop();
    store.mode = 'up';
    await reaches(sequencer, 'failed');
    expect((await h.http('GET', '/readyz')).status).toBe(503);
    expect((await h.http('GET', '/healthz')).status).toBe(503);
    expect(await shopper.request({ type: 'open_group', offerId })).toMatchObject({ code: 'unavailable' });
  });

  it('stops for good when the store cannot tell what is durable (a broken file journal)', async () => {
    const store = new MemoryJournalStore();
    h = await startHarness({}, { persistence: { journal: new GroupCommitJournal(store), snapshots: new MemorySnapshotStore() } });
    const { offerId, shopper } = await offerWithShopper(h);
    store.lastSeq = () => Promise.reject(new JournalBrokenError('fsync failed'));
    store.mode = 'write-then-fail';
    expect(await shopper.request({ type: 'open_group', offerId })).toMatchObject({ code: 'unavailable' });
    store.mode = 'up';
    await reaches(h.server.sequencer, 'failed');
  });
});

describe('the sequencer around a journal with limits', () => {
  it('answers unavailable without giving out a seq when the journal has no room, and goes on after', async () => {
    const store = new MemoryJournalStore();
    const journal = new GroupCommitJournal(store);
    h = await startHarness({}, { persistence: { journal, snapshots: new MemorySnapshotStore() } });
    const { sequencer } = h.server;
    const { offerId, shopper } = await offerWithShopper(h);
    const realWouldAccept = journal.wouldAccept.bind(journal);
    journal.wouldAccept = () => false;
    expect(await shopper.request({ type: 'open_group', offerId })).toMatchObject({ code: 'unavailable' });
    // Refused before the journal: nothing failed, so the sequencer keeps accepting.
    expect(sequencer.status).toBe('accepting');
    journal.wouldAccept = realWouldAccept;
    await shopper.ok({ type: 'open_group', offerId });
    expect(store.entries.map((entry) => entry.seq)).toEqual(store.entries.map((_, i) => i + 1));
  });

  it('stops promptly while it waits for the journal to come back', async () => {
    const store = new MemoryJournalStore();
    h = await startHarness({}, { persistence: { journal: new GroupCommitJournal(store), snapshots: new MemorySnapshotStore() } });
    const { sequencer } = h.server;
    const { offerId, shopper } = await offerWithShopper(h);
    store.mode = 'down';
    expect(await shopper.request({ type: 'open_group', offerId })).toMatchObject({ code: 'unavailable' });
    expect(sequencer.status).toBe('recovering');
    await sequencer.stop();
    expect(sequencer.status).toBe('stopped');
    store.mode = 'up';
    expect((await sequencer.submit({ type: 'tick' })).result).toMatchObject({ code: 'unavailable' });
  });
});

describe('a Redis outage (private redis-server, killed and restarted)', () => {
  let redis: RedisServer;
  let persistence: Persistence | null = null;

  beforeAll(async () => {
    // AOF with fsync on every write: what Redis acknowledged survives its own kill -9.
    redis = await RedisServer.start({ appendonly: true, appendfsync: 'always' });
  });
  afterAll(async () => {
    await redis?.destroy();
  });
  afterEach(async () => {
    await h?.close();
    h = null;
    await persistence?.close();
    persistence = null;
  });

  it('answers unavailable while Redis is down, recovers by itself when it returns, and loses nothing acked', async () => {
    persistence = await openPersistence({ kind: 'redis', url: redis.url, keyPrefix: '{outage-server}:' });
    const { journal, snapshots } = persistence;
    h = await startHarness({}, { persistence: { journal, snapshots } });
    const { sequencer, engine } = h.server;
    const { offerId, shopper } = await offerWithShopper(h);
    const acked: string[] = [];
    for (let i = 0; i < 5; i++) acked.push((await shopper.ok({ type: 'open_group', offerId })).result.groupId as string);

    await redis.kill();
    const refused = await shopper.request({ type: 'open_group', offerId, idempotencyKey: 'while-down' });
    expect(refused).toMatchObject({ type: 'error', code: 'unavailable' });
    expect(sequencer.status).toBe('recovering');
    expect((await h.http('GET', '/readyz')).status).toBe(503);
    expect((await h.http('POST', `/v1/offers/${offerId}/pause`, { key: h.merchants.a.key })).status).toBe(503);

    await redis.restart();
    await reaches(sequencer, 'accepting');
    expect((await h.http('GET', '/readyz')).status).toBe(200);
    acked.push((await shopper.ok({ type: 'open_group', offerId, idempotencyKey: 'while-down' })).result.groupId as string);

    // Everything acknowledged is in Redis: a recovery from it equals the live engine.
    const recovered = await recover({ journal, snapshots, createEngine: () => new Engine() });
    expect(recovered.lastSeq).toBe(sequencer.appliedSeq);
    expect(recovered.stateHash).toBe(engine.stateHash());
    const live = recovered.engine.groupsOf(offerId).map((group) => group.groupId);
    for (const groupId of acked) expect(live).toContain(groupId);
  });
});
