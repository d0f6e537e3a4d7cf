// The single writer and the server's life: journal before acknowledgement, a clock that never runs backwards,
// deadlines that fire on their own, presence, and graceful shutdown with "going away".
import { afterEach, describe, expect, it } from 'vitest';
import { CLOSE_CODES } from '../../gateway/index.ts';
import { type Journal, type JournalEntry } from '../../runtime/index.ts';
import { type RunningServer } from '../../server/index.ts';
import { startHarness, type Harness } from './helpers/harness.ts';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

/** A journal whose writes complete only when the test says so. */
class HeldJournal implements Journal {
  readonly entries: JournalEntry[] = [];
  private release: (() => void)[] = [];
  private appended: (() => void)[] = [];
  failNext = false;

  append(entries: readonly JournalEntry[]): Promise<void> {
    this.entries.push(...entries);
    for (const notify of this.appended.splice(0)) notify();
    if (this.failNext) return Promise.reject(new Error('disk on fire'));
    return new Promise((resolve) => this.release.push(resolve));
  }

  /** Resolves when the next write reaches the journal. */
  nextAppend(): Promise<void> {
    return new Promise((resolve) => this.appended.push(resolve));
  }

  flush(): void {
    for (const resolve of this.release.splice(0)) resolve();
  }
}

describe('the sequencer', () => {
  it('journals a command before applying and acknowledging it', async () => {
    const journal = new HeldJournal();
    h = await startHarness({}, { journal });
    const merchant = await h.merchant('a');
    const acksBefore = merchant.received.filter((m) => m.type === 'ack').length;
    const writing = journal.nextAppend();
    const answer = merchant.request({ type: 'create_offer', offerId: 'held', title: 't', currency: 'CNY', inventory: 1, basePriceMinor: 1, mechanism: { type: 'group', minSize: 2, windowMs: 1000 } });
    await writing;
    // Written but not yet durable: not applied, not acknowledged.
    expect(h.server.engine.offer('held')).toBeNull();
    expect(merchant.received.filter((m) => m.type === 'ack')).toHaveLength(acksBefore);
    journal.flush();
    expect(await answer).toMatchObject({ type: 'ack', result: { offerId: 'held' } });
    expect(h.server.engine.offer('held')).not.toBeNull();
    expect(journal.entries).toEqual([{ seq: 1, command: expect.objectContaining({ type: 'create_offer', merchantId: 'merchant-a', nowMs: h.clock.nowMs }) }]);
  });

  it('applies a command whose sender left before the answer, and keeps serving', async () => {
    const journal = new HeldJournal();
    h = await startHarness({}, { journal });
    const merchant = await h.merchant('a');
    const writing = journal.nextAppend();
    merchant.send({ type: 'create_offer', requestId: 'gone', offerId: 'orphan', title: 't', currency: 'CNY', inventory: 1, basePriceMinor: 1, mechanism: { type: 'group', minSize: 2, windowMs: 1000 } });
    await writing;
    merchant.terminate();
    await merchant.closed();
    journal.flush();
    const other = await h.connect();
    // Read-only, so it waits its turn behind the orphaned command without a journal write of its own.
    expect(await other.request({ type: 'quote', offerId: 'orphan' })).toMatchObject({ type: 'ack', result: { availableUnits: 1 } });
    expect(h.server.engine.offer('orphan')).not.toBeNull();
  });

  it('stamps a clock that never runs backwards and does not journal read-only commands', async () => {
    const journal = new HeldJournal();
    h = await startHarness({}, { journal });
    const submit = async (cmd: Parameters<RunningServer['sequencer']['submit']>[0]) => {
      const appended = journal.nextAppend();
      const done = h!.server.sequencer.submit(cmd);
      if (cmd.type !== 'quote') {
        await appended;
        journal.flush();
      }
      return done;
    };
    await submit({ type: 'create_offer', merchantId: 'm', offerId: 'o', title: 't', currency: 'CNY', inventory: 1, basePriceMinor: 1, mechanism: { type: 'group', minSize: 2, windowMs: 1000, tiers: [], leaderDiscountBps: 0, newcomerOnly: false, autoFillMaxSeats: 0, matchOpensGroup: true } });
    h.clock.advance(-10_000);
    await submit({ type: 'pause_offer', merchantId: 'm', offerId: 'o' });
    await submit({ type: 'quote', offerId: 'o', asLeader: false, newcomer: false });
    h.clock.advance(20_000);
    await submit({ type: 'resume_offer', merchantId: 'm', offerId: 'o' });
    expect(journal.entries.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(journal.entries.map((e) => e.command.type)).toEqual(['create_offer', 'pause_offer', 'resume_offer']);
    const times = journal.entries.map((e) => e.command.nowMs);
    expect(times[1]).toBe(times[0]);
    expect(times[2]).toBe(times[0]! + 10_000);
  });

  it('answers quotes at the engine’s clock, so a read never settles what the journal has not seen', async () => {
    h = await startHarness();
    const offerId = await h.createOffer({}, { windowMs: 1_000 });
    const shopper = await h.shopper('zoe');
    const groupId = (await shopper.ok({ type: 'open_group', offerId })).result.groupId as string;
    const engineClock = h.server.engine.nowMs;
    h.clock.advance(5_000);
    expect((await h.http('GET', `/v1/offers/${offerId}/quote?groupId=${groupId}`)).status).toBe(200);
    expect(h.server.engine.nowMs).toBe(engineClock);
    expect(h.server.engine.group(groupId)).not.toBeNull();
    await h.server.sequencer.wake();
    expect(h.server.engine.group(groupId)).toBeNull();
  });

  it('stops with unavailable when the journal fails, and changes nothing', async () => {
    const journal = new HeldJournal();
    h = await startHarness({}, { journal });
    journal.failNext = true;
    const merchant = await h.merchant('a');
    const before = h.server.engine.stateHash();
    const answer = await merchant.request({ type: 'create_offer', offerId: 'x', title: 't', currency: 'CNY', inventory: 1, basePriceMinor: 1, mechanism: { type: 'group', minSize: 2, windowMs: 1000 } });
    expect(answer).toMatchObject({ type: 'error', code: 'unavailable' });
    expect(h.server.engine.stateHash()).toBe(before);
    expect((await h.http('GET', '/readyz')).status).toBe(503);
  });
});

describe('deadlines', () => {
  it('settles a group at its deadline when woken, and tells its watchers and members', async () => {
    h = await startHarness();
    const offerId = await h.createOffer({}, { windowMs: 60_000 });
    const wendy = await h.shopper('wendy');
    await wendy.ok({ type: 'subscribe', channel: 'shopper:wendy' });
    const opened = await wendy.ok({ type: 'open_group', offerId });
    const groupId = opened.result.groupId as string;
    const watcher = await h.connect();
    const subscribed = await watcher.ok({ type: 'subscribe', channel: `group:${groupId}` });
    expect(subscribed.snapshot.group.deadlineMs).toBe(h.clock.nowMs + 60_000);
    expect(subscribed.serverTimeMs).toBe(h.clock.nowMs);

    h.clock.advance(60_000);
    await h.server.sequencer.wake();
    const failed = await watcher.waitFor((m) => m.type === 'delta' && m.event.type === 'group_failed', 'group_failed');
    expect(failed.event).toMatchObject({ reason: 'deadline', memberIds: ['wendy'] });
    expect(failed.event).not.toHaveProperty('refunds');
    const own = await wendy.waitFor((m) => m.type === 'delta' && m.event.type === 'group_failed', 'own refund');
    expect(own.event.refund).toMatchObject({ shopperId: 'wendy', refundMinor: 800 });
  });

  it('wakes itself with a timer at the next deadline', async () => {
    h = await startHarness({}, { realClock: true });
    const offerId = await h.createOffer({}, { windowMs: 150 });
    const xena = await h.shopper('xena');
    const opened = await xena.ok({ type: 'open_group', offerId });
    const watcher = await h.connect();
    await watcher.ok({ type: 'subscribe', channel: `group:${opened.result.groupId}` });
    const failed = await watcher.waitFor((m) => m.type === 'delta' && m.event.type === 'group_failed', 'group_failed from the timer');
    expect(failed.event.reason).toBe('deadline');
  });
});

describe('presence', () => {
  it('counts watchers of an offer and publishes changes', async () => {
    h = await startHarness({ presenceIntervalMs: 10 });
    const offerId = await h.createOffer();
    const channel = `offer:${offerId}`;
    const first = await h.connect();
    expect((await first.ok({ type: 'subscribe', channel })).watchers).toBe(1);
    const second = await h.connect();
    expect((await second.ok({ type: 'subscribe', channel })).watchers).toBe(2);
    await first.waitFor((m) => m.type === 'presence' && m.channel === channel && m.watchers === 2, 'presence 2');
    second.terminate();
    await first.waitFor((m) => m.type === 'presence' && m.watchers === 1, 'presence 1');
    expect((await h.http('GET', `/v1/offers/${offerId}`, { key: h.merchants.a.key })).body.watchers).toBe(1);
  });
});

describe('shutdown', () => {
  it('closes every socket with 1001 going away and stops taking requests', async () => {
    h = await startHarness();
    const client = await h.shopper('yan');
    const watcher = await h.connect();
    const server = h.server;
    const closing = server.close();
    const [a, b] = await Promise.all([client.closed(), watcher.closed()]);
    expect(a).toEqual({ code: CLOSE_CODES.goingAway, reason: 'going_away' });
    expect(b.code).toBe(CLOSE_CODES.goingAway);
    await closing;
    expect(server.sequencer.ready).toBe(false);
    expect((await server.sequencer.submit({ type: 'tick' })).result).toMatchObject({ ok: false, code: 'unavailable' });
    h = null;
  });
});
