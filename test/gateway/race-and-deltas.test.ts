// The live market over real sockets: concurrent shoppers racing for the last unit, and watchers seeing every
// change in order, with private amounts only on the shopper's own channel.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './helpers/harness.ts';
import type { Message } from './helpers/ws-client.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

describe('two shoppers race for the last unit', () => {
  it('lets exactly one win; the other gets sold_out; both watchers see the same final state', async () => {
    const offerId = await h.createOffer({ inventory: 2 });
    const leader = await h.shopper('leader');
    const opened = await leader.ok({ type: 'open_group', offerId });
    const groupId = opened.result.groupId as string;

    const alice = await h.shopper('alice');
    const bob = await h.shopper('bob');
    for (const client of [alice, bob]) await client.ok({ type: 'subscribe', channel: `offer:${offerId}` });

    // Both joins are on the wire before either answer comes back.
    const [aliceAnswer, bobAnswer] = await Promise.all([
      alice.request({ type: 'join_group', groupId }),
      bob.request({ type: 'join_group', groupId }),
    ]);
    const answers = [aliceAnswer, bobAnswer];
    expect(answers.filter((a) => a.type === 'ack')).toHaveLength(1);
    const loser = answers.find((a) => a.type === 'error')!;
    expect(loser.code).toBe('sold_out');

    const channel = `offer:${offerId}`;
    // The winner's join produces group_joined then stock_changed.
    const [aliceDeltas, bobDeltas] = await Promise.all([alice.waitForDeltas(channel, 2), bob.waitForDeltas(channel, 2)]);
    expect(aliceDeltas).toEqual(bobDeltas);
    const finalStock = aliceDeltas.at(-1)!.event;
    expect(finalStock).toMatchObject({ type: 'stock_changed', availableUnits: 0, heldUnits: 2 });
    expect(h.server.engine.offer(offerId)!.availableUnits).toBe(0);
    expect(h.server.engine.group(groupId)!.size).toBe(2);
    expect(h.server.engine.checkInvariants()).toEqual([]);
  });

  it('match_group races for the last unit the same way', async () => {
    const offerId = await h.createOffer({ inventory: 1 });
    const carol = await h.shopper('carol');
    const dave = await h.shopper('dave');
    const answers = await Promise.all([carol.request({ type: 'match_group', offerId }), dave.request({ type: 'match_group', offerId })]);
    expect(answers.map((a) => a.type).sort()).toEqual(['ack', 'error']);
    expect(answers.find((a) => a.type === 'error')!.code).toBe('sold_out');
    expect(h.server.engine.groupsOf(offerId)).toHaveLength(1);
  });
});

describe('a subscriber sees every delta in order', () => {
  it('numbers deltas 1, 2, 3… with no gap, in the order the engine applied the commands', async () => {
    const offerId = await h.createOffer({ inventory: 50 });
    const channel = `offer:${offerId}`;
    const watcher = await h.connect();
    const subscribed = await watcher.ok({ type: 'subscribe', channel });
    expect(subscribed).toMatchObject({ type: 'subscribed', channel, offset: 0 });
    expect(subscribed.snapshot.offer.offerId).toBe(offerId);
    expect(subscribed.snapshot.groups).toEqual([]);

    const shoppers = await Promise.all(['s1', 's2', 's3', 's4'].map((id) => h.shopper(id)));
    const opened = await shoppers[0]!.ok({ type: 'open_group', offerId, qty: 2 });
    const groupId = opened.result.groupId as string;
    await shoppers[1]!.ok({ type: 'join_group', groupId });
    await shoppers[1]!.ok({ type: 'leave_group', groupId });
    await shoppers[2]!.ok({ type: 'match_group', offerId });
    await shoppers[3]!.ok({ type: 'match_group', offerId });
    const merchant = await h.merchant('a');
    await merchant.ok({ type: 'edit_offer', offerId, patch: { title: 'Better tea' } });
    await merchant.ok({ type: 'pause_offer', offerId });

    const expected = [
      'group_opened', 'group_joined', 'stock_changed', // open (leader's seat)
      'group_joined', 'stock_changed', // s2 joins
      'group_left', 'stock_changed', // s2 leaves
      'group_joined', 'stock_changed', // s3 matched into the group
      'group_joined', 'group_formed', 'stock_changed', // s4 makes it 3: formed
      'offer_edited',
      'offer_paused',
    ];
    const deltas = await watcher.waitForDeltas(channel, expected.length);
    expect(deltas.map((d) => d.offset)).toEqual(expected.map((_, i) => i + 1));
    expect(deltas.map((d) => d.event.type)).toEqual(expected);
    expect(deltas.find((d) => d.event.type === 'offer_edited')!.event.offer.title).toBe('Better tea');

    // Replaying the stock deltas lands on what the engine holds now.
    const lastStock = deltas.filter((d) => d.event.type === 'stock_changed').at(-1)!.event;
    const offer = h.server.engine.offer(offerId)!;
    expect(lastStock).toMatchObject({ heldUnits: offer.heldUnits, availableUnits: offer.availableUnits });
  });

  it('keeps amounts off public channels and puts them on the shopper’s own channel', async () => {
    const offerId = await h.createOffer({ inventory: 10 });
    const erin = await h.shopper('erin');
    await erin.ok({ type: 'subscribe', channel: 'shopper:erin' });
    const watcher = await h.connect();
    await watcher.ok({ type: 'subscribe', channel: `offer:${offerId}` });

    const opened = await erin.ok({ type: 'open_group', offerId });
    const groupId = opened.result.groupId as string;
    await watcher.ok({ type: 'subscribe', channel: `group:${groupId}` });
    const frank = await h.shopper('frank');
    await frank.ok({ type: 'join_group', groupId });

    const own = await erin.waitForDeltas('shopper:erin', 1);
    expect(own[0]!.event).toMatchObject({ type: 'group_joined', shopperId: 'erin', chargedMinor: 800 });
    const publicJoins = (await watcher.waitForDeltas(`offer:${offerId}`, 5)).filter((d: Message) => d.event.type === 'group_joined');
    expect(publicJoins).toHaveLength(2);
    for (const join of publicJoins) {
      expect(join.event).not.toHaveProperty('chargedMinor');
      expect(join.event).not.toHaveProperty('quotedUnitPriceMinor');
    }
    const groupDeltas = await watcher.waitForDeltas(`group:${groupId}`, 1);
    expect(groupDeltas[0]!.event).toMatchObject({ type: 'group_joined', shopperId: 'frank', size: 2 });

    // Erin's snapshot of her own channel lists her membership with what she was charged.
    const again = await erin.ok({ type: 'subscribe', channel: 'shopper:erin' });
    expect(again.snapshot.memberships).toEqual([expect.objectContaining({ groupId, chargedMinor: 800, qty: 1 })]);
  });

  it('sends the same delta to every watcher, serialized once', async () => {
    const offerId = await h.createOffer();
    const channel = `offer:${offerId}`;
    const watchers = await Promise.all([1, 2, 3].map(() => h.connect()));
    for (const w of watchers) await w.ok({ type: 'subscribe', channel });
    const before = h.server.metrics.render().match(/tuan_fanout_messages_total (\d+)/)![1];
    const gina = await h.shopper('gina');
    await gina.ok({ type: 'open_group', offerId });
    const all = await Promise.all(watchers.map((w) => w.waitForDeltas(channel, 3)));
    expect(all[1]).toEqual(all[0]);
    expect(all[2]).toEqual(all[0]);
    const after = h.server.metrics.render().match(/tuan_fanout_messages_total (\d+)/)![1];
    // Three deltas on the offer channel, whatever the number of watchers.
    expect(Number(after) - Number(before)).toBe(3);
  });
});
