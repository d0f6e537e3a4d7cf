// Queue positions pushed to waiting shoppers, in-process: coalesced per event-loop turn (one position per moved
// shopper, however many changes the turn held), only to shoppers whose own channel exists, only when the position
// moved, and at most `viewsPerTurnMax` views a turn (the pass resumes in the next turn). Who waits comes from the
// engine (portfolios are engine state), so it is the same after a restore.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { Engine, type CommandInput } from '../../engine/index.ts';
import { ChannelRegistry } from '../../gateway/channels.ts';
import { QueuePositions } from '../../gateway/queue-positions.ts';

const START_MS = 1_700_000_000_000;

function market(viewsPerTurnMax: number) {
  const engine = new Engine();
  const sent: { topic: string; event: Record<string, unknown> }[] = [];
  const channels = new ChannelRegistry({
    historyPerChannel: 100,
    channelsMax: 1_000,
    publish: (topic, message) => sent.push({ topic, event: (JSON.parse(message) as { event: Record<string, unknown> }).event }),
    subscribers: () => 1,
  });
  const positions = new QueuePositions(engine, channels, viewsPerTurnMax);
  const apply = (command: Record<string, unknown>): void => {
    const { result, events } = engine.submit({ nowMs: START_MS, ...command } as CommandInput);
    if (!result.ok) throw new Error(`${String(command.type)}: ${result.code}`);
    for (const event of events) positions.changed(event.offerId);
  };
  apply({ type: 'create_offer', merchantId: 'm', offerId: 'bikes', title: 'Bikes', currency: 'CNY', inventory: 1, basePriceMinor: 100, mechanism: { type: 'reservation', mode: 'queue', holdMs: 60_000 } });
  return { engine, channels, positions, sent, apply };
}

const positionsSent = (sent: { topic: string; event: Record<string, unknown> }[]) =>
  sent.filter((m) => m.event.type === 'queue_position').map((m) => `${m.topic}=${String(m.event.position)}`);

describe('queue positions', () => {
  it('sends one position per moved shopper per turn, only to shoppers whose channel exists', async () => {
    const { channels, sent, apply } = market(1_000);
    for (const id of ['s1', 's2', 's3', 's4']) channels.open(`shopper:${id}`);
    apply({ type: 'join_queue', shopperId: 'head', offerId: 'bikes' }); // served at once
    for (const id of ['s1', 's2', 's3', 's4', 'unwatched']) apply({ type: 'join_queue', shopperId: id, offerId: 'bikes' });
    expect(positionsSent(sent)).toEqual([]); // nothing before the turn ends
    await nextTurn();
    expect(positionsSent(sent)).toEqual(['shopper:s1=0', 'shopper:s2=1', 'shopper:s3=2', 'shopper:s4=3']);

    sent.length = 0;
    apply({ type: 'leave_queue', shopperId: 's2', offerId: 'bikes' });
    apply({ type: 'release_hold', shopperId: 'head', offerId: 'bikes', holdId: 'bikes~h1' }); // s1 is served
    await nextTurn();
    // s1 is no longer waiting, s2 left: only s3 and s4 moved, each told once.
    expect(positionsSent(sent)).toEqual(['shopper:s3=0', 'shopper:s4=1']);
    sent.length = 0;
    apply({ type: 'join_queue', shopperId: 'late', offerId: 'bikes' });
    await nextTurn();
    expect(positionsSent(sent)).toEqual([]); // nobody ahead of them moved
  });

  it('computes at most viewsPerTurnMax views a turn and resumes the pass in the next', async () => {
    const { channels, sent, apply } = market(2);
    apply({ type: 'create_offer', merchantId: 'm', offerId: 'boats', title: 'Boats', currency: 'CNY', inventory: 1, basePriceMinor: 100, mechanism: { type: 'reservation', mode: 'queue', holdMs: 60_000 } });
    for (const id of ['a', 'b', 'c']) channels.open(`shopper:${id}`);
    for (const offerId of ['bikes', 'boats']) {
      apply({ type: 'join_queue', shopperId: `head-${offerId}`, offerId });
      for (const id of ['a', 'b', 'c']) apply({ type: 'join_queue', shopperId: id, offerId });
    }
    const perTurn: string[][] = [];
    for (let turn = 0; turn < 4; turn++) {
      await nextTurn();
      perTurn.push(sent.filter((m) => m.event.type === 'queue_position').map((m) => `${String(m.event.offerId)}:${m.topic.slice(8)}`));
      sent.length = 0;
    }
    expect(perTurn).toEqual([['bikes:a', 'bikes:b'], ['bikes:c', 'boats:a'], ['boats:b', 'boats:c'], []]);
  });

  it('knows who waits, holds and bids after a restore: the engine keeps it, not the gateway', () => {
    const { engine, apply } = market(10);
    apply({ type: 'join_queue', shopperId: 'head', offerId: 'bikes' });
    apply({ type: 'join_queue', shopperId: 'w1', offerId: 'bikes' });
    apply({
      type: 'create_offer',
      merchantId: 'm',
      offerId: 'vase',
      title: 'Vase',
      currency: 'CNY',
      inventory: 1,
      basePriceMinor: 100,
      endMs: START_MS + 60_000,
      mechanism: { type: 'auction', kind: 'english' },
    });
    apply({ type: 'place_bid', shopperId: 'w1', offerId: 'vase', maxBidMinor: 500 });
    const restored = Engine.restore(engine.snapshot());
    expect(restored.shopper('head').reservations.map((r) => r.offerId)).toEqual(['bikes']);
    expect(restored.participantsOf('bikes').sort()).toEqual(['head', 'w1']);
    expect(restored.reservation('bikes', 'w1')?.you?.waiting).toMatchObject({ position: 0 });
    expect(restored.shopper('w1').bids).toEqual([expect.objectContaining({ offerId: 'vase', bidMinor: 500, bidderNo: 1, leading: true })]);
    expect(restored.shopper('w1').exposureMinor).toBe(500);
    expect(restored.participantsOf('vase')).toEqual(['w1']);
  });
});
