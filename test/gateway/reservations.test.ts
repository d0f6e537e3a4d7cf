// Reservation queues and slots over real sockets: a head that lets its hold expire (the gateway's own deadline
// timer passes the unit on), positions pushed to waiting shoppers, amounts only on the shopper's own channel,
// facts from the token (priority class, credit score), holds that belong to their shopper, slot waitlists, HTTP
// reads, and refusals of bad input.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './helpers/harness.ts';
import type { Message, TestClient } from './helpers/ws-client.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

let reservationCounter = 0;

/** Lists a reservation offer of merchant A over HTTP and returns its id. */
async function listResource(harness: Harness, mechanism: Record<string, unknown>, fields: Record<string, unknown> = {}): Promise<string> {
  const offerId = `resource-${++reservationCounter}`;
  const answer = await harness.http('POST', '/v1/offers', {
    key: harness.merchants.a.key,
    body: { offerId, title: 'Bike', currency: 'CNY', inventory: 1, basePriceMinor: 1_500, mechanism: { type: 'reservation', mode: 'queue', holdMs: 60_000, ...mechanism }, ...fields },
  });
  if (answer.status !== 201) throw new Error(`listing failed: ${answer.status} ${JSON.stringify(answer.body)}`);
  return offerId;
}

const ownEvent = (client: TestClient, shopperId: string, type: string, what = type): Promise<Message> =>
  client.waitFor((m) => m.type === 'delta' && m.channel === `shopper:${shopperId}` && m.event.type === type, `${what} on shopper:${shopperId}`);

const positionsOf = (client: TestClient, shopperId: string): number[] =>
  client.deltas(`shopper:${shopperId}`).filter((d) => d.event.type === 'queue_position').map((d) => d.event.position);

const AMOUNT = /Minor$/;

describe('a queue whose head lets its hold expire', () => {
  let live: Harness;
  beforeAll(async () => {
    live = await startHarness({}, { realClock: true });
  });
  afterAll(async () => {
    await live.close();
  });

  it('offers the unit to the next shopper when the deadline timer fires, and moves the others up', async () => {
    // Long enough for the three joins to land before the head's hold lapses, even on a busy machine.
    const offerId = await listResource(live, { holdMs: 1_000 });
    const channel = `offer:${offerId}`;
    const watcher = await live.connect();
    await watcher.ok({ type: 'subscribe', channel });
    const [ann, ben, cat] = await Promise.all(['ann', 'ben', 'cat'].map((id) => live.shopper(id)));
    for (const [client, id] of [[ben, 'ben'], [cat, 'cat']] as const) await client!.ok({ type: 'subscribe', channel: `shopper:${id}` });

    const head = await ann!.ok({ type: 'join_queue', offerId });
    expect(head.result.reservation).toMatchObject({ ticket: 1, holdId: `${offerId}~h1` });
    expect((await ben!.ok({ type: 'join_queue', offerId })).result.reservation).toMatchObject({ ticket: 2, position: 0 });
    expect((await cat!.ok({ type: 'join_queue', offerId })).result.reservation).toMatchObject({ ticket: 3, position: 1 });
    await cat!.waitUntil(() => (positionsOf(cat!, 'cat').includes(1) ? true : undefined), 'cat’s first position');

    // Ann does nothing: her hold lapses on the server's timer, no command involved.
    const offered = await ownEvent(ben!, 'ben', 'hold_offered');
    expect(offered.event).toMatchObject({ offerId, holdId: `${offerId}~h2`, shopperId: 'ben', slot: null });
    const served = await ben!.waitFor((m) => m.type === 'delta' && m.event.type === 'queue_changed' && m.event.change === 'served', 'ben served');
    expect(served.event).toMatchObject({ change: 'served', shopperId: 'ben', waiting: 1, headTicket: 3 });
    await cat!.waitUntil(() => (positionsOf(cat!, 'cat').at(-1) === 0 ? true : undefined), 'cat moved to the front');

    const types = await watcher.waitUntil(() => {
      const seen = watcher.deltas(channel).map((d) => d.event.type);
      return seen.indexOf('stock_changed', seen.indexOf('hold_expired')) > 0 ? seen : undefined;
    }, 'the expiry on the offer channel');
    const at = types.indexOf('hold_expired');
    expect(types.slice(at, at + 4)).toEqual(['hold_expired', 'hold_offered', 'queue_changed', 'stock_changed']);
    const expired = watcher.deltas(channel).find((d) => d.event.type === 'hold_expired')!.event;
    expect(expired).toMatchObject({ holdId: `${offerId}~h1`, shopperId: 'ann' });
    expect(live.server.engine.checkInvariants()).toEqual([]);
  });
});

describe('a queue’s rental cycle', () => {
  it('confirms, rents and returns, with amounts only on the renter’s channel and the deposit waived by credit score', async () => {
    const offerId = await listResource(h, { depositMinor: 20_000, depositWaiverCreditScore: 700 });
    const channel = `offer:${offerId}`;
    const watcher = await h.connect();
    await watcher.ok({ type: 'subscribe', channel });
    const dan = await h.shopper('dan');
    const eve = await h.shopper('eve', { creditScore: 800 });
    await dan.ok({ type: 'subscribe', channel: 'shopper:dan' });
    await eve.ok({ type: 'subscribe', channel: 'shopper:eve' });
    await eve.ok({ type: 'subscribe', channel });

    const held = await dan.ok({ type: 'join_queue', offerId });
    await eve.ok({ type: 'join_queue', offerId });
    const holdId = held.result.reservation.holdId as string;
    // A hold belongs to its shopper: Eve cannot take Dan's.
    const before = h.server.engine.stateHash();
    for (const type of ['confirm_hold', 'extend_hold', 'release_hold']) {
      expect(await eve.request({ type, offerId, holdId })).toMatchObject({ type: 'error', code: 'not_holder' });
    }
    expect(h.server.engine.stateHash()).toBe(before);

    const rented = await dan.ok({ type: 'confirm_hold', offerId, holdId });
    expect(rented.result).toMatchObject({ chargedMinor: 1_500, reservation: { rentalId: holdId, depositMinor: 20_000 } });
    const started = await ownEvent(dan, 'dan', 'rental_started');
    expect(started.event).toMatchObject({ rentalId: holdId, chargedMinor: 1_500, depositMinor: 20_000, unitPriceMinor: 1_500 });
    expect(await eve.request({ type: 'return_unit', offerId, rentalId: holdId })).toMatchObject({ type: 'error', code: 'not_holder' });

    h.clock.advance(30_000);
    const returned = await dan.ok({ type: 'return_unit', offerId, rentalId: holdId });
    expect(returned.result.reservation).toMatchObject({ depositReleasedMinor: 20_000 });
    const evesHold = await ownEvent(eve, 'eve', 'hold_offered');
    const eveRental = await eve.ok({ type: 'confirm_hold', offerId, holdId: evesHold.event.holdId });
    expect(eveRental.result.reservation.depositMinor).toBe(0);

    const publicEvents = await watcher.waitUntil(() => {
      const seen = watcher.deltas(channel).map((d) => d.event);
      return seen.filter((e) => e.type === 'rental_started').length === 2 ? seen : undefined;
    }, 'both rentals on the offer channel');
    expect(publicEvents.filter((e) => e.type === 'rental_ended')).toEqual([expect.objectContaining({ rentalId: holdId, shopperId: 'dan', durationMs: 30_000 })]);
    for (const event of publicEvents) for (const field of Object.keys(event)) expect(field).not.toMatch(AMOUNT);
    // Eve watched the offer and her own channel: no amount of Dan's reached her.
    for (const message of eve.received.filter((m) => m.type === 'delta' && m.event.type !== 'stock_changed')) {
      const amounts = Object.keys(message.event).filter((field) => AMOUNT.test(field));
      if (amounts.length > 0) expect(message.event.shopperId, JSON.stringify(message.event)).toBe('eve');
    }
    expect(h.server.engine.checkInvariants()).toEqual([]);
  });

  it('serves a higher priority class first, as the token vouches', async () => {
    const offerId = await listResource(h, { priorityClasses: 2 });
    const holder = await h.shopper('fay');
    const held = await holder.ok({ type: 'join_queue', offerId });
    const regular = await h.shopper('gus', { priorityClass: 1 });
    const member = await h.shopper('hal', { priorityClass: 0 });
    await member.ok({ type: 'subscribe', channel: 'shopper:hal' });
    expect((await regular.ok({ type: 'join_queue', offerId })).result.reservation.position).toBe(0);
    expect((await member.ok({ type: 'join_queue', offerId })).result.reservation.position).toBe(0);
    await holder.ok({ type: 'release_hold', offerId, holdId: held.result.reservation.holdId });
    expect((await ownEvent(member, 'hal', 'hold_offered')).event.shopperId).toBe('hal');
    const mine = await h.http('GET', `/v1/offers/${offerId}/reservation`, { headers: { authorization: `Bearer ${h.token('gus')}` } });
    expect(mine.body.reservation.you.waiting).toMatchObject({ position: 0, priorityClass: 1 });
  });
});

describe('slots', () => {
  it('waitlists a taken slot, pushes the waiting position, and promotes the booking when the slot frees', async () => {
    const offerId = await listResource(h, { mode: 'slots', holdMs: 60_000 });
    const startMs = h.clock.nowMs + 3_600_000;
    const slot = { offerId, startMs, endMs: startMs + 3_600_000 };
    const ivy = await h.shopper('ivy');
    const jon = await h.shopper('jon');
    await jon.ok({ type: 'subscribe', channel: 'shopper:jon' });
    const first = await ivy.ok({ type: 'book_slot', ...slot });
    expect(first.result.reservation).toMatchObject({ status: 'held', unit: 0 });
    const second = await jon.ok({ type: 'book_slot', ...slot });
    expect(second.result.reservation).toMatchObject({ status: 'waiting', position: 0 });
    const bookingId = second.result.reservation.bookingId as string;
    await ownEvent(jon, 'jon', 'booking_waitlisted');
    const pushed = await jon.waitFor((m) => m.type === 'delta' && m.event.type === 'queue_position', 'waitlist position');
    expect(pushed.event).toMatchObject({ offerId, bookingId, position: 0, estimatedWaitMs: null });
    const snapshot = await jon.ok({ type: 'subscribe', channel: 'shopper:jon' });
    expect(snapshot.snapshot.reservations).toEqual([expect.objectContaining({ offerId, bookings: [expect.objectContaining({ bookingId, status: 'waiting', position: 0 })] })]);

    await ivy.ok({ type: 'cancel_booking', offerId, bookingId: first.result.reservation.bookingId });
    const promoted = await ownEvent(jon, 'jon', 'hold_offered');
    expect(promoted.event).toMatchObject({ holdId: bookingId, slot: { unit: 0, startMs, endMs: startMs + 3_600_000 } });
    const confirmed = await jon.ok({ type: 'confirm_hold', offerId, holdId: bookingId });
    expect(confirmed.result).toMatchObject({ chargedMinor: 1_500, reservation: { bookingId, status: 'confirmed' } });
    expect((await ownEvent(jon, 'jon', 'booking_confirmed')).event.chargedMinor).toBe(1_500);
  });
});

describe('bad input', () => {
  it('answers bad_request for each malformed reservation command and changes nothing', async () => {
    const offerId = await listResource(h, {});
    const kim = await h.shopper('kim');
    const before = h.server.engine.stateHash();
    const holdId = `${offerId}~h1`;
    const malformed: Record<string, unknown>[] = [
      { type: 'join_queue' },
      { type: 'join_queue', offerId, priorityClass: 0 },
      { type: 'join_queue', offerId, creditScore: 999 },
      { type: 'join_queue', offerId, shopperId: 'kim' },
      { type: 'leave_queue', offerId, ticket: 3 },
      { type: 'confirm_hold', offerId },
      { type: 'confirm_hold', offerId, holdId: 'no spaces allowed' },
      { type: 'extend_hold', offerId, holdId, byMs: 1_000 },
      { type: 'release_hold', holdId },
      { type: 'return_unit', offerId },
      { type: 'return_unit', offerId, rentalId: 7 },
      { type: 'book_slot', offerId, startMs: 'soon', endMs: 2 },
      { type: 'book_slot', offerId, startMs: -1, endMs: 2 },
      { type: 'book_slot', offerId, startMs: 1, endMs: 2, waitlist: 'yes' },
      { type: 'cancel_booking', offerId },
      { type: 'cancel_booking', offerId, bookingId: '' },
    ];
    for (const message of malformed) {
      const answer = await kim.request(message);
      expect(answer, JSON.stringify(message)).toMatchObject({ type: 'error', code: 'bad_request' });
    }
    const anonymous = await h.connect();
    expect(await anonymous.request({ type: 'join_queue', offerId })).toMatchObject({ type: 'error', code: 'unauthorized' });
    expect(await kim.request({ type: 'book_slot', offerId, startMs: h.clock.nowMs + 10, endMs: h.clock.nowMs + 20 })).toMatchObject({ code: 'wrong_mechanism' });
    expect(await kim.request({ type: 'confirm_hold', offerId, holdId })).toMatchObject({ code: 'unknown_hold' });
    expect(h.server.engine.stateHash()).toBe(before);
  });
});

describe('reads and the merchant side', () => {
  it('lists a resource over the socket and shows its view to merchants, the public, and each shopper its own part', async () => {
    const merchant = await h.merchant('a');
    await merchant.ok({
      type: 'create_offer',
      offerId: 'scooters',
      title: 'Scooter',
      currency: 'CNY',
      inventory: 1,
      basePriceMinor: 900,
      mechanism: { type: 'reservation', mode: 'queue', holdMs: 60_000 },
    });
    const lee = await h.shopper('lee');
    const max = await h.shopper('max');
    await lee.ok({ type: 'join_queue', offerId: 'scooters' });
    await max.ok({ type: 'join_queue', offerId: 'scooters' });

    const merchantRead = await h.http('GET', '/v1/offers/scooters', { key: h.merchants.a.key });
    expect(merchantRead.body.offer.reservation).toMatchObject({ mode: 'queue', capacity: 1, waiting: 1, holds: 1 });
    const publicRead = await h.http('GET', '/v1/offers/scooters/reservation');
    expect(publicRead.body.reservation).toMatchObject({ waiting: 1, headTicket: 2 });
    expect(publicRead.body.reservation).not.toHaveProperty('you');
    const own = await h.http('GET', '/v1/offers/scooters/reservation', { headers: { authorization: `Bearer ${h.token('max')}` } });
    expect(own.body.reservation.you).toMatchObject({ shopperId: 'max', waiting: { ticket: 2, position: 0 } });
    const forged = await h.http('GET', '/v1/offers/scooters/reservation', { headers: { authorization: 'Bearer not.a.token' } });
    expect(forged.status).toBe(401);
    expect((await h.http('GET', `/v1/offers/${await h.createOffer()}/reservation`)).status).toBe(409);

    const watcher = await h.connect();
    const subscribed = await watcher.ok({ type: 'subscribe', channel: 'offer:scooters' });
    expect(subscribed.snapshot.offer.reservation).toMatchObject({ waiting: 1, holds: 1 });
  });
});
