// Limits that protect the server: rate limits (per connection and per shopper), message size, subscriptions per
// connection, origins, connection count, and slow consumers (closed with 4008 while fast ones keep receiving).
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CLOSE_CODES } from '../../gateway/index.ts';
import { startHarness, type Harness } from './helpers/harness.ts';
import { TestClient } from './helpers/ws-client.ts';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

function counter(harness: Harness, name: string): number {
  const match = new RegExp(`^${name} (\\d+)$`, 'm').exec(harness.server.metrics.render());
  return match ? Number(match[1]) : 0;
}

describe('rate limits', () => {
  it('refuses messages past a connection’s burst until its bucket refills, and the connection stays usable', async () => {
    h = await startHarness({ connectionRate: { ratePerS: 1, burst: 5 }, rateLimitStrikesMax: 100 });
    const client = await h.connect();
    for (let i = 0; i < 5; i++) expect(await client.request({ type: 'ping' })).toMatchObject({ type: 'ack' });
    client.send({ type: 'ping', requestId: 'over' });
    const refused = await client.waitFor((m) => m.type === 'error', 'rate_limited');
    expect(refused).toMatchObject({ code: 'rate_limited', requestId: null });
    h.clock.advance(2_000);
    expect(await client.request({ type: 'ping' })).toMatchObject({ type: 'ack' });
    expect(await client.request({ type: 'ping' })).toMatchObject({ type: 'ack' });
  });

  it('closes a connection that keeps sending after being told to slow down (4029)', async () => {
    h = await startHarness({ connectionRate: { ratePerS: 1, burst: 2 }, rateLimitStrikesMax: 5 });
    const client = await h.connect();
    for (let i = 0; i < 20; i++) client.send({ type: 'ping', requestId: `p${i}` });
    const closed = await client.closed();
    expect(closed.code).toBe(CLOSE_CODES.rateLimitAbuse);
    expect(client.received.filter((m) => m.code === 'rate_limited')).toHaveLength(4);
  });

  it('limits a shopper’s commands across all its connections', async () => {
    h = await startHarness({ shopperRate: { ratePerS: 1, burst: 3 } });
    const first = await h.shopper('pat');
    const second = await h.shopper('pat');
    const other = await h.shopper('quinn');
    const leave = { type: 'leave_group', groupId: 'none' };
    expect(await first.request(leave)).toMatchObject({ code: 'unknown_group' });
    expect(await second.request(leave)).toMatchObject({ code: 'unknown_group' });
    expect(await first.request(leave)).toMatchObject({ code: 'unknown_group' });
    expect(await second.request(leave)).toMatchObject({ code: 'rate_limited' });
    expect(await other.request(leave)).toMatchObject({ code: 'unknown_group' });
    h.clock.advance(1_000);
    expect(await second.request(leave)).toMatchObject({ code: 'unknown_group' });
  });
});

describe('message size', () => {
  it('answers a message over the limit with too_large and keeps the connection', async () => {
    h = await startHarness({ maxMessageBytes: 1_024 });
    const client = await h.connect();
    client.send({ type: 'ping', requestId: 'big', pad: 'x'.repeat(2_000) });
    expect(await client.waitFor((m) => m.type === 'error', 'too_large')).toMatchObject({ code: 'too_large' });
    expect(await client.request({ type: 'ping' })).toMatchObject({ type: 'ack' });
  });

  it('drops a connection whose message is past the hard limit without reading it', async () => {
    h = await startHarness({ maxMessageBytes: 1_024, hardMaxMessageBytes: 4_096 });
    const client = await h.connect();
    client.sendRaw('x'.repeat(10_000));
    const closed = await client.closed();
    expect(closed.code).toBe(1006);
  });
});

describe('subscriptions per connection', () => {
  it('refuses a subscription past the cap until one is dropped', async () => {
    h = await startHarness({ maxSubscriptionsPerConnection: 2 });
    const offers = [await h.createOffer(), await h.createOffer(), await h.createOffer()];
    const client = await h.connect();
    await client.ok({ type: 'subscribe', channel: `offer:${offers[0]}` });
    await client.ok({ type: 'subscribe', channel: `offer:${offers[1]}` });
    expect(await client.request({ type: 'subscribe', channel: `offer:${offers[2]}` })).toMatchObject({ code: 'too_many_subscriptions' });
    // Subscribing again to a watched channel is not a new subscription: it gets a fresh snapshot.
    expect(await client.request({ type: 'subscribe', channel: `offer:${offers[1]}` })).toMatchObject({ type: 'subscribed' });
    await client.ok({ type: 'unsubscribe', channel: `offer:${offers[0]}` });
    await client.ok({ type: 'subscribe', channel: `offer:${offers[2]}` });
  });
});

describe('who may connect', () => {
  it('turns away browser origins not on the allowlist', async () => {
    h = await startHarness({ origins: ['https://shop.example'] });
    await expect(TestClient.connect(h.server.wsUrl, { origin: 'https://evil.example' })).rejects.toThrow(/403/);
    const allowed = await TestClient.connect(h.server.wsUrl, { origin: 'https://shop.example' });
    expect(await allowed.request({ type: 'ping' })).toMatchObject({ type: 'ack' });
    allowed.terminate();
    const corsRefused = await h.http('GET', '/healthz', { headers: { origin: 'https://evil.example' } });
    expect(corsRefused.status).toBe(403);
    const cors = await h.http('GET', '/healthz', { headers: { origin: 'https://shop.example' } });
    expect(cors.headers.get('access-control-allow-origin')).toBe('https://shop.example');
  });

  it('accepts the tuan.v1 subprotocol and refuses versions it does not speak', async () => {
    h = await startHarness();
    const v1 = await TestClient.connect(h.server.wsUrl, { protocols: ['tuan.v1'] });
    expect(v1.socket.protocol).toBe('tuan.v1');
    expect(v1.received[0]).toMatchObject({ type: 'welcome', protocolVersion: 1 });
    v1.terminate();
    await expect(TestClient.connect(h.server.wsUrl, { protocols: ['tuan.v9'] })).rejects.toThrow(/400/);
  });

  it('refuses connections past the maximum', async () => {
    h = await startHarness({ maxConnections: 2 });
    await h.connect();
    await h.connect();
    await expect(TestClient.connect(h.server.wsUrl)).rejects.toThrow(/503/);
  });
});

describe('slow consumers', () => {
  it('closes a client that stops reading with 4008 while a fast one receives every delta', async () => {
    // The hard uWS bound is set far away so that the documented, graceful close is what happens.
    h = await startHarness({ slowConsumerBytes: 64 * 1024, maxBackpressureBytes: 256 * 1024 * 1024, slowConsumerCheckMs: 5 });
    const offerId = await h.createOffer();
    const channel = `offer:${offerId}`;
    const slow = await h.connect();
    const fast = await h.connect();
    const slowSubscribed = await slow.ok({ type: 'subscribe', channel });
    await fast.ok({ type: 'subscribe', channel });
    slow.socket.pause();

    // Each edit is one ~1 KB delta. Loopback buffers several MB in the kernel before uWS sees backpressure.
    const maxEdits = 40_000;
    let edits = 0;
    while (counter(h, 'tuan_slow_consumer_disconnects_total') === 0 && edits < maxEdits) {
      const batch: Promise<unknown>[] = [];
      for (let i = 0; i < 100; i++, edits++) {
        batch.push(h.server.sequencer.submit({ type: 'edit_offer', merchantId: 'merchant-a', offerId, patch: { title: `${edits} ${'t'.repeat(180)}` } }));
      }
      await Promise.all(batch);
      // Let timers (the slow-consumer sweep) and socket writes run between batches.
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    expect(edits).toBeLessThan(maxEdits);
    // Life goes on after the slow client is gone.
    for (let i = 0; i < 10; i++, edits++) await h.server.sequencer.submit({ type: 'edit_offer', merchantId: 'merchant-a', offerId, patch: { title: `after ${i}` } });

    const fastDeltas = await fast.waitForDeltas(channel, edits, 20_000);
    expect(fastDeltas.map((d) => d.offset)).toEqual(Array.from({ length: edits }, (_, i) => i + 1));
    expect(fast.closedWith).toBeNull();

    slow.socket.resume();
    const closed = await slow.closed(20_000);
    expect(closed).toEqual({ code: CLOSE_CODES.slowConsumer, reason: 'slow_consumer' });
    // What the slow client did get is a gap-free prefix, so it can resume from its last offset.
    const slowOffsets = slow.deltas(channel).map((d) => d.offset);
    expect(slowOffsets).toEqual(Array.from({ length: slowOffsets.length }, (_, i) => i + 1));
    expect(slowOffsets.length).toBeLessThan(edits);
    const back = await h.connect();
    const resumed = await back.ok({ type: 'subscribe', channel, resume: { epoch: slowSubscribed.epoch, offset: slowOffsets.at(-1) } });
    expect(resumed.type).toBe('subscribed');
  });

  it('never blocks the engine on a stalled socket', async () => {
    h = await startHarness({ slowConsumerBytes: 64 * 1024, slowConsumerCheckMs: 60_000 });
    const offerId = await h.createOffer();
    const stalled = new WebSocket(h.server.wsUrl);
    await new Promise((resolve) => stalled.once('open', resolve));
    stalled.send(JSON.stringify({ type: 'subscribe', requestId: 's', channel: `offer:${offerId}` }));
    stalled.pause();
    const merchant = await h.merchant('a');
    // Commands keep being acknowledged although one watcher reads nothing.
    for (let i = 0; i < 50; i++) await merchant.ok({ type: 'edit_offer', offerId, patch: { title: `t${i}` } });
    expect(h.server.engine.offer(offerId)!.title).toBe('t49');
    stalled.terminate();
  });
});
