// Every class of bad input gets a clear error, changes nothing (the engine's state hash stays the same; the
// test clock is frozen so not even the engine's clock moves), and leaves the connection usable.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './helpers/harness.ts';
import type { TestClient } from './helpers/ws-client.ts';

let h: Harness;
let offerId: string;
let groupId: string;
let shopper: TestClient;

beforeAll(async () => {
  h = await startHarness();
  offerId = await h.createOffer({ inventory: 10 });
  const leader = await h.shopper('leader');
  groupId = (await leader.ok({ type: 'open_group', offerId })).result.groupId as string;
  shopper = await h.shopper('prober');
});
afterAll(async () => {
  await h.close();
});

/** Sends something bad, expects one error with `code`, an unchanged engine, and a connection that still answers. */
async function expectRefused(send: () => void, code: string): Promise<void> {
  const before = h.server.engine.stateHash();
  const errorsBefore = shopper.received.filter((m) => m.type === 'error').length;
  send();
  const error = await shopper.waitUntil(() => shopper.received.filter((m) => m.type === 'error')[errorsBefore], 'an error');
  expect(error).toMatchObject({ type: 'error', code });
  expect(typeof error.message).toBe('string');
  expect(h.server.engine.stateHash()).toBe(before);
  expect(await shopper.request({ type: 'ping' })).toMatchObject({ type: 'ack' });
}

describe('bad input over the socket', () => {
  it('malformed JSON', async () => {
    await expectRefused(() => shopper.sendRaw('{"type": "join_group", '), 'bad_request');
    await expectRefused(() => shopper.sendRaw(Buffer.from([0xff, 0xfe, 0x00, 0x7b])), 'bad_request');
  });

  it('JSON that is not an object', async () => {
    for (const raw of ['42', 'null', '"join_group"', '[{"type":"ping","requestId":"x"}]']) await expectRefused(() => shopper.sendRaw(raw), 'bad_request');
  });

  it('unknown or missing type', async () => {
    await expectRefused(() => shopper.send({ type: 'steal_everything', requestId: 'x' }), 'bad_request');
    await expectRefused(() => shopper.send({ requestId: 'x', groupId }), 'bad_request');
    await expectRefused(() => shopper.send({ type: 'tick', requestId: 'x' }), 'bad_request');
  });

  it('extra fields', async () => {
    await expectRefused(() => shopper.send({ type: 'join_group', requestId: 'x', groupId, discount: 100 }), 'bad_request');
    await expectRefused(() => shopper.send({ type: 'ping', requestId: 'x', extra: true }), 'bad_request');
  });

  it('wrong types', async () => {
    await expectRefused(() => shopper.send({ type: 'join_group', requestId: 'x', groupId, qty: '2' }), 'bad_request');
    await expectRefused(() => shopper.send({ type: 'join_group', requestId: 'x', groupId: 7 }), 'bad_request');
    await expectRefused(() => shopper.send({ type: 'join_group', requestId: 12, groupId }), 'bad_request');
    await expectRefused(() => shopper.send({ type: 'join_group', requestId: 'x', groupId, qty: 1.5 }), 'bad_request');
  });

  it('huge numbers', async () => {
    await expectRefused(() => shopper.send({ type: 'join_group', requestId: 'x', groupId, qty: 1e20 }), 'bad_request');
    await expectRefused(() => shopper.sendRaw(`{"type":"join_group","requestId":"x","groupId":"${groupId}","qty":1e400}`), 'bad_request');
    await expectRefused(() => shopper.send({ type: 'subscribe', requestId: 'x', channel: `offer:${offerId}`, resume: { epoch: 'e', offset: 2 ** 60 } }), 'bad_request');
  });

  it('negative quantities', async () => {
    await expectRefused(() => shopper.send({ type: 'join_group', requestId: 'x', groupId, qty: -1 }), 'bad_request');
    await expectRefused(() => shopper.send({ type: 'match_group', requestId: 'x', offerId, qty: 0 }), 'bad_request');
  });

  it('unknown ids', async () => {
    await expectRefused(() => shopper.send({ type: 'join_group', requestId: 'x', groupId: 'no-such-group' }), 'unknown_group');
    await expectRefused(() => shopper.send({ type: 'match_group', requestId: 'x', offerId: 'no-such-offer' }), 'unknown_offer');
    await expectRefused(() => shopper.send({ type: 'subscribe', requestId: 'x', channel: 'offer:no-such-offer' }), 'unknown_offer');
    await expectRefused(() => shopper.send({ type: 'subscribe', requestId: 'x', channel: 'group:no-such-group' }), 'unknown_group');
  });

  it('ids and channels outside the allowed shapes', async () => {
    await expectRefused(() => shopper.send({ type: 'join_group', requestId: 'x', groupId: 'a'.repeat(500) }), 'bad_request');
    await expectRefused(() => shopper.send({ type: 'join_group', requestId: 'x', groupId: 'has space' }), 'bad_request');
    await expectRefused(() => shopper.send({ type: 'subscribe', requestId: 'x', channel: 'everything' }), 'bad_request');
    await expectRefused(() => shopper.send({ type: 'subscribe', requestId: 'x', channel: 'auction:a1' }), 'bad_request');
  });

  it('business refusals pass through with the engine’s code', async () => {
    await shopper.ok({ type: 'join_group', groupId });
    await expectRefused(() => shopper.send({ type: 'join_group', requestId: 'x', groupId }), 'already_member');
  });

  it('echoes the requestId of a refused message when it has one', async () => {
    const answer = await shopper.request({ type: 'join_group', groupId, qty: -5 });
    expect(answer).toMatchObject({ type: 'error', code: 'bad_request', message: expect.stringContaining('qty') });
  });
});

describe('bad input over HTTP', () => {
  const key = () => h.merchants.a.key;

  it('refuses malformed JSON, extra fields, wrong types and out-of-range numbers with 400, changing nothing', async () => {
    const before = h.server.engine.stateHash();
    const valid = { offerId: 'http-bad', title: 't', currency: 'CNY', inventory: 5, basePriceMinor: 100, mechanism: { type: 'group', minSize: 2, windowMs: 1000 } };
    const answers = [
      await h.http('POST', '/v1/offers', { key: key(), rawBody: '{"offerId": ', headers: { 'content-type': 'application/json' } }),
      await h.http('POST', '/v1/offers', { key: key(), body: { ...valid, surprise: 1 } }),
      await h.http('POST', '/v1/offers', { key: key(), body: { ...valid, inventory: '5' } }),
      await h.http('POST', '/v1/offers', { key: key(), body: { ...valid, inventory: -1 } }),
      await h.http('POST', '/v1/offers', { key: key(), body: { ...valid, basePriceMinor: 1e30 } }),
      await h.http('POST', '/v1/offers', { key: key(), body: { ...valid, nowMs: 5 } }),
      await h.http('PATCH', `/v1/offers/${offerId}`, { key: key(), body: { inventory: -3 } }),
      await h.http('POST', `/v1/offers/${offerId}/pause`, { key: key(), body: { please: true } }),
      await h.http('GET', `/v1/offers/${offerId}/quote?asLeader=maybe`),
      await h.http('GET', `/v1/offers/${offerId}/quote?unknown=1`),
    ];
    for (const answer of answers) {
      expect(answer.status).toBe(400);
      expect(answer.body.error.code).toBe('bad_request');
    }
    expect(h.server.engine.stateHash()).toBe(before);
  });

  it('answers unknown ids with 404 and the engine’s code', async () => {
    const quote = await h.http('GET', '/v1/offers/no-such-offer/quote');
    expect(quote.status).toBe(404);
    expect(quote.body.error.code).toBe('unknown_offer');
    expect((await h.http('GET', '/v1/offers/no-such-offer/open-groups')).body.error.code).toBe('unknown_offer');
    expect((await h.http('POST', '/v1/offers/no-such-offer/pause', { key: key() })).status).toBe(404);
    expect((await h.http('GET', `/v1/offers/${offerId}/quote?groupId=nope`)).body.error.code).toBe('unknown_group');
  });

  it('refuses an oversize body with 413', async () => {
    const answer = await h.http('POST', '/v1/offers', { key: key(), rawBody: JSON.stringify({ title: 'x'.repeat(100_000) }) });
    expect(answer.status).toBe(413);
    expect(answer.body.error.code).toBe('too_large');
  });

  it('answers unknown routes with 404 not_found', async () => {
    const answer = await h.http('DELETE', '/v1/everything');
    expect(answer.status).toBe(404);
    expect(answer.body.error.code).toBe('not_found');
  });
});
