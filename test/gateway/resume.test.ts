// Reconnecting with {epoch, offset}: exactly the missed deltas, or a fresh snapshot flagged `recovered: false`
// when the history no longer covers the gap. Never a silent gap, never a duplicate.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './helpers/harness.ts';
import { TestClient, type Message } from './helpers/ws-client.ts';

const HISTORY = 8;
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ historyPerChannel: HISTORY });
});
afterAll(async () => {
  await h.close();
});

/** Each call changes the offer and yields one delta on its channel. */
async function retitle(merchant: TestClient, offerId: string, times: number): Promise<void> {
  for (let i = 0; i < times; i++) await merchant.ok({ type: 'edit_offer', offerId, patch: { title: `Tea #${i}` } });
}

const offsets = (deltas: Message[]) => deltas.map((d) => d.offset);

describe('resume', () => {
  it('replays exactly the missed deltas after a disconnect mid-stream, then continues live', async () => {
    const offerId = await h.createOffer();
    const channel = `offer:${offerId}`;
    const merchant = await h.merchant('a');
    const reference = await h.connect();
    await reference.ok({ type: 'subscribe', channel });
    const client = await h.connect();
    const subscribed = await client.ok({ type: 'subscribe', channel });

    // A burst of commands is in flight; the client drops off after seeing the third delta.
    const burst = Promise.all([1, 2, 3, 4, 5, 6].map((i) => merchant.request({ type: 'edit_offer', offerId, patch: { title: `Burst ${i}` } })));
    await client.waitForDeltas(channel, 3);
    client.terminate();
    const seenBefore = client.deltas(channel);
    const lastOffset = seenBefore.at(-1)!.offset as number;
    await burst;

    const again = await h.connect();
    const resumed = await again.ok({ type: 'subscribe', channel, resume: { epoch: subscribed.epoch, offset: lastOffset } });
    expect(resumed).toMatchObject({ type: 'subscribed', recovered: true, offset: lastOffset, epoch: subscribed.epoch });
    expect(resumed).not.toHaveProperty('snapshot');
    await retitle(merchant, offerId, 2);

    const total = 8;
    const referenceDeltas = await reference.waitForDeltas(channel, total);
    const afterResume = await again.waitForDeltas(channel, total - lastOffset);
    const stitched = [...seenBefore, ...afterResume];
    expect(offsets(stitched)).toEqual(offsets(referenceDeltas));
    expect(stitched).toEqual(referenceDeltas);
  });

  it('resuming at the latest offset replays nothing and stays live', async () => {
    const offerId = await h.createOffer();
    const channel = `offer:${offerId}`;
    const merchant = await h.merchant('a');
    const client = await h.connect();
    const subscribed = await client.ok({ type: 'subscribe', channel });
    await retitle(merchant, offerId, 2);
    await client.waitForDeltas(channel, 2);
    await client.close();

    const again = await h.connect();
    const resumed = await again.ok({ type: 'subscribe', channel, resume: { epoch: subscribed.epoch, offset: 2 } });
    expect(resumed).toMatchObject({ recovered: true, offset: 2 });
    await retitle(merchant, offerId, 1);
    const deltas = await again.waitForDeltas(channel, 1);
    expect(offsets(deltas)).toEqual([3]);
  });

  it('sends a fresh snapshot flagged recovered: false once the history no longer covers the gap', async () => {
    const offerId = await h.createOffer();
    const channel = `offer:${offerId}`;
    const merchant = await h.merchant('a');
    const client = await h.connect();
    const subscribed = await client.ok({ type: 'subscribe', channel });
    await retitle(merchant, offerId, 1);
    await client.waitForDeltas(channel, 1);
    client.terminate();
    await retitle(merchant, offerId, HISTORY + 3);

    const again = await h.connect();
    const resumed = await again.ok({ type: 'subscribe', channel, resume: { epoch: subscribed.epoch, offset: 1 } });
    expect(resumed).toMatchObject({ recovered: false, offset: HISTORY + 4, epoch: subscribed.epoch });
    expect(resumed.snapshot.offer.title).toBe(`Tea #${HISTORY + 2}`);
    // Nothing from the lost range is sent; the next live delta follows the snapshot's offset.
    await retitle(merchant, offerId, 1);
    const deltas = await again.waitForDeltas(channel, 1);
    expect(offsets(again.deltas(channel))).toEqual([HISTORY + 5]);
    expect(deltas[0]!.event.offer.title).toBe('Tea #0');
  });

  it('answers an unknown epoch or an offset from the future with a fresh snapshot', async () => {
    const offerId = await h.createOffer();
    const channel = `offer:${offerId}`;
    const client = await h.connect();
    const subscribed = await client.ok({ type: 'subscribe', channel });

    const otherEpoch = await (await h.connect()).ok({ type: 'subscribe', channel, resume: { epoch: 'from-another-run', offset: 0 } });
    expect(otherEpoch).toMatchObject({ recovered: false, offset: 0 });
    expect(otherEpoch.snapshot.offer.offerId).toBe(offerId);

    const ahead = await (await h.connect()).ok({ type: 'subscribe', channel, resume: { epoch: subscribed.epoch, offset: 99 } });
    expect(ahead).toMatchObject({ recovered: false, offset: 0 });
  });

  it('resumes a shopper’s own channel after a restart of the connection', async () => {
    const offerId = await h.createOffer();
    const hana = await h.shopper('hana');
    const subscribed = await hana.ok({ type: 'subscribe', channel: 'shopper:hana' });
    const opened = await hana.ok({ type: 'open_group', offerId });
    await hana.waitForDeltas('shopper:hana', 1);
    hana.terminate();

    const ivan = await h.shopper('ivan');
    await ivan.ok({ type: 'join_group', groupId: opened.result.groupId });
    const hanaAgain = await h.shopper('hana');
    await hanaAgain.ok({ type: 'leave_group', groupId: opened.result.groupId });
    const resumed = await hanaAgain.ok({ type: 'subscribe', channel: 'shopper:hana', resume: { epoch: subscribed.epoch, offset: 1 } });
    expect(resumed).toMatchObject({ recovered: true, offset: 1 });
    const deltas = await hanaAgain.waitForDeltas('shopper:hana', 1);
    expect(deltas[0]!).toMatchObject({ offset: 2, event: { type: 'group_left', shopperId: 'hana', refundMinor: 800 } });
  });
});
