// Connection caps over real sockets: per remote address (at the upgrade), per shopper (at authenticate), and the
// authentication timeout that closes connections which neither authenticate nor watch anything.
import { afterEach, describe, expect, it } from 'vitest';
import { CLOSE_CODES, DEFAULT_CONFIG } from '../../gateway/index.ts';
import { startHarness, type Harness } from './helpers/harness.ts';
import { TestClient } from './helpers/ws-client.ts';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

function metric(harness: Harness, series: string): number {
  const line = harness.server.metrics.render().split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

/** Opens connections from this one address until the server refuses one; returns how many it held. */
async function fill(harness: Harness, upTo: number): Promise<{ held: TestClient[]; refusal: string | null }> {
  const held: TestClient[] = [];
  for (let i = 0; i < upTo; i++) {
    try {
      held.push(await TestClient.connect(harness.server.wsUrl));
    } catch (error) {
      return { held, refusal: (error as Error).message };
    }
  }
  return { held, refusal: null };
}

describe('connections per address', () => {
  it('refuses the upgrade past the cap with 429, counts it, and takes a new one once a slot is free', async () => {
    h = await startHarness({ maxConnectionsPerAddress: 3 });
    const { held, refusal } = await fill(h, 10);
    expect(held).toHaveLength(3);
    expect(refusal).toMatch(/429/);
    expect(metric(h, 'tuan_ws_connections_refused_total{reason="address_limit"}')).toBe(1);
    await held[0]!.close();
    // The server's close handler ran before its close frame reached the client.
    const again = await TestClient.connect(h.server.wsUrl);
    expect(again.received[0]).toMatchObject({ type: 'welcome' });
    for (const client of [...held.slice(1), again]) client.terminate();
  });

  it('holds the default number of connections from one address, no more (figure printed)', async () => {
    h = await startHarness();
    const { held, refusal } = await fill(h, DEFAULT_CONFIG.maxConnectionsPerAddress + 5);
    console.log(`one address held ${held.length} connections with the defaults (MAX_CONNECTIONS_PER_ADDRESS=${DEFAULT_CONFIG.maxConnectionsPerAddress}); then: ${refusal}`);
    expect(held).toHaveLength(DEFAULT_CONFIG.maxConnectionsPerAddress);
    expect(refusal).toMatch(/429/);
    for (const client of held) client.terminate();
  });
});

describe('connections per shopper', () => {
  it('refuses a shopper’s authenticate past the cap, renews on a counted connection, and frees the slot on close', async () => {
    h = await startHarness({ maxConnectionsPerShopper: 2 });
    const first = await h.shopper('sam');
    const second = await h.shopper('sam');
    const third = await h.connect();
    const refused = await third.request({ type: 'authenticate', token: h.token('sam') });
    expect(refused).toMatchObject({ type: 'error', code: 'too_many_connections' });
    expect(refused.message).toContain('close one');
    expect(metric(h, 'tuan_ws_connections_refused_total{reason="shopper_limit"}')).toBe(1);
    // Refused: the third connection is still anonymous; shopper commands are unauthorized there.
    expect(await third.request({ type: 'open_group', offerId: 'x' })).toMatchObject({ code: 'unauthorized' });
    // A renewal on a connection already counted is not a new connection.
    expect(await first.request({ type: 'authenticate', token: h.token('sam') })).toMatchObject({ type: 'ack' });
    // Another shopper is not affected.
    expect(await third.request({ type: 'authenticate', token: h.token('tess') })).toMatchObject({ type: 'ack' });
    await second.close();
    const fourth = await h.connect();
    expect(await fourth.request({ type: 'authenticate', token: h.token('sam') })).toMatchObject({ type: 'ack', result: { shopperId: 'sam' } });
  });
});

describe('authentication timeout', () => {
  it('closes a connection that neither authenticates nor subscribes with 4001, and keeps the others', async () => {
    h = await startHarness({ authTimeoutMs: 300 });
    const offerId = await h.createOffer();
    const shopper = await h.shopper('una');
    const merchant = await h.merchant('a');
    const watcher = await h.connect();
    await watcher.ok({ type: 'subscribe', channel: `offer:${offerId}` });
    const idle = await h.connect();
    // The idle connection opened last, so every other connection's timer was due first.
    expect(await idle.closed()).toEqual({ code: CLOSE_CODES.authTimeout, reason: 'auth_timeout' });
    for (const client of [shopper, merchant, watcher]) {
      expect(await client.request({ type: 'ping' })).toMatchObject({ type: 'ack' });
      expect(client.closedWith).toBeNull();
    }
    expect(metric(h, 'tuan_ws_connections_closed_total{reason="auth_timeout"}')).toBe(1);
  });

  it('does not save a connection whose authenticate was refused', async () => {
    h = await startHarness({ authTimeoutMs: 300 });
    const client = await h.connect();
    expect(await client.request({ type: 'authenticate', token: 'not-a-token' })).toMatchObject({ code: 'unauthorized' });
    expect(await client.closed()).toEqual({ code: CLOSE_CODES.authTimeout, reason: 'auth_timeout' });
  });
});
