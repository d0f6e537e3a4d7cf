// Unit tests of queue mode (docs/reservations.md): one test per rule or rejection, each small enough to read.
import { describe, expect, it } from 'vitest';
import { eventOf } from './fixtures.ts';
import { eventsOf, expectSameFuture, HOLD_MS, ReservationMarket, types } from './reservation-fixtures.ts';

describe('joining and being served', () => {
  it('offers a free unit at once as a hold, holding one unit of the offer', () => {
    const market = new ReservationMarket();
    market.createQueue();
    const { result, events } = market.send({ type: 'join_queue', offerId: 'o1', shopperId: 'alice' });
    expect(result).toMatchObject({ ok: true, reservation: { ticket: 1, holdId: 'o1~h1', expiresAtMs: 1_000 + HOLD_MS } });
    expect(types(events)).toEqual(['hold_offered', 'stock_changed']);
    expect(eventOf(events, 'hold_offered')).toEqual({ type: 'hold_offered', offerId: 'o1', merchantId: 'm1', currency: 'CNY', holdId: 'o1~h1', shopperId: 'alice', expiresAtMs: 31_000, slot: null, atMs: 1_000 });
    expect(market.engine.offer('o1')).toMatchObject({ heldUnits: 1, availableUnits: 0 });
    expect(market.engine.reservation('o1')).toMatchObject({ holds: 1, waiting: 0, unitsFree: 0 });
  });

  it('puts the shopper in line when no unit is free, with its position and an unknown wait', () => {
    const market = new ReservationMarket();
    market.createQueue();
    market.holdFor('alice');
    const { result, events } = market.send({ type: 'join_queue', offerId: 'o1', shopperId: 'bob' });
    expect(result).toMatchObject({ ok: true, reservation: { ticket: 2, position: 0, estimatedWaitMs: null } });
    expect(events).toEqual([{ type: 'queue_changed', offerId: 'o1', merchantId: 'm1', currency: 'CNY', change: 'joined', shopperId: 'bob', ticket: 2, waiting: 1, served: 0, headTicket: 2, atMs: 1_000 }]);
    expect(market.you('bob').waiting).toMatchObject({ ticket: 2, position: 0, estimatedWaitMs: null });
  });

  it('confirms a hold into a rental charged the rule set price, holding the deposit', () => {
    const market = new ReservationMarket();
    market.createQueue({ depositMinor: 5_000 });
    const holdId = market.holdFor('alice');
    const { result, events } = market.send({ type: 'confirm_hold', offerId: 'o1', shopperId: 'alice', holdId });
    expect(result).toMatchObject({ ok: true, chargedMinor: 1_000, quote: { unitPriceMinor: 1_000 }, reservation: { rentalId: holdId, depositMinor: 5_000 } });
    expect(events).toEqual([
      { type: 'rental_started', offerId: 'o1', merchantId: 'm1', currency: 'CNY', rentalId: holdId, shopperId: 'alice', unitPriceMinor: 1_000, chargedMinor: 1_000, depositMinor: 5_000, ruleSetVersion: 1, atMs: 1_000 },
    ]);
    expect(market.engine.offer('o1')).toMatchObject({ heldUnits: 1, soldUnits: 0 });
    expect(market.you('alice').rentals).toEqual([{ rentalId: holdId, startedAtMs: 1_000, chargedMinor: 1_000, depositMinor: 5_000 }]);
  });

  it('waives the deposit for a vouched credit score at or above the threshold', () => {
    const market = new ReservationMarket();
    market.createQueue({ depositMinor: 5_000, depositWaiverCreditScore: 700 }, { inventory: 3 });
    const rich = market.holdFor('alice', { creditScore: 700 });
    const poor = market.holdFor('bob', { creditScore: 699 });
    const unknown = market.holdFor('carol');
    expect(market.act({ type: 'confirm_hold', shopperId: 'alice', holdId: rich }).reservation?.depositMinor).toBe(0);
    expect(market.act({ type: 'confirm_hold', shopperId: 'bob', holdId: poor }).reservation?.depositMinor).toBe(5_000);
    expect(market.act({ type: 'confirm_hold', shopperId: 'carol', holdId: unknown }).reservation?.depositMinor).toBe(5_000);
  });

  it('ends a rental on return, releasing the deposit, and offers the unit to the next shopper at once', () => {
    const market = new ReservationMarket();
    market.createQueue({ depositMinor: 500 });
    const rentalId = market.rent('alice');
    market.joinQueue('bob');
    market.nowMs = 61_000;
    const { result, events } = market.send({ type: 'return_unit', offerId: 'o1', shopperId: 'alice', rentalId });
    expect(result).toMatchObject({ ok: true, reservation: { rentalId, depositReleasedMinor: 500 } });
    expect(types(events)).toEqual(['rental_ended', 'hold_offered', 'queue_changed', 'stock_changed']);
    expect(eventOf(events, 'rental_ended')).toMatchObject({ shopperId: 'alice', startedAtMs: 1_000, durationMs: 60_000, depositReleasedMinor: 500, atMs: 61_000 });
    expect(eventOf(events, 'hold_offered')).toMatchObject({ shopperId: 'bob', holdId: 'o1~h2', expiresAtMs: 61_000 + HOLD_MS });
    expect(eventOf(events, 'queue_changed')).toMatchObject({ change: 'served', shopperId: 'bob', waiting: 0, served: 1, headTicket: null });
    expect(market.engine.offer('o1')).toMatchObject({ heldUnits: 1 });
  });

  it('passes a declined hold to the next shopper at once', () => {
    const market = new ReservationMarket();
    market.createQueue();
    const holdId = market.holdFor('alice');
    market.joinQueue('bob');
    const { events } = market.send({ type: 'release_hold', offerId: 'o1', shopperId: 'alice', holdId });
    expect(types(events)).toEqual(['hold_released', 'hold_offered', 'queue_changed', 'stock_changed']);
    expect(eventOf(events, 'hold_released')).toMatchObject({ holdId, shopperId: 'alice', reason: 'declined' });
    expect(eventOf(events, 'hold_offered')).toMatchObject({ shopperId: 'bob' });
  });

  it('expires an unconfirmed hold at its deadline, however late the tick, and passes the unit on then', () => {
    const market = new ReservationMarket();
    market.createQueue();
    const holdId = market.holdFor('alice');
    market.joinQueue('bob');
    expect(market.engine.nextDeadlineMs()).toBe(31_000);
    const events = market.tickAt(50_000);
    expect(types(events)).toEqual(['hold_expired', 'hold_offered', 'queue_changed', 'stock_changed']);
    expect(eventOf(events, 'hold_expired')).toEqual({ type: 'hold_expired', offerId: 'o1', merchantId: 'm1', currency: 'CNY', holdId, shopperId: 'alice', atMs: 31_000 });
    expect(eventOf(events, 'hold_offered')).toMatchObject({ shopperId: 'bob', atMs: 31_000, expiresAtMs: 31_000 + HOLD_MS });
    market.refused({ type: 'confirm_hold', offerId: 'o1', shopperId: 'alice', holdId }, 'hold_expired');
  });

  it('lets a shopper whose hold expired join again, at the back', () => {
    const market = new ReservationMarket();
    market.createQueue();
    market.holdFor('alice');
    market.joinQueue('bob');
    market.tickAt(31_000);
    expect(market.joinQueue('alice').reservation).toMatchObject({ ticket: 3, position: 0 });
  });

  it('extends a hold once by holdExtensionMs from its expiry, and refuses a second extension', () => {
    const market = new ReservationMarket();
    market.createQueue({ holdExtensionMs: 10_000 });
    const holdId = market.holdFor('alice');
    market.nowMs = 20_000;
    const { result, events } = market.send({ type: 'extend_hold', offerId: 'o1', shopperId: 'alice', holdId });
    expect(result).toMatchObject({ ok: true, reservation: { holdId, expiresAtMs: 41_000 } });
    expect(events).toEqual([{ type: 'hold_extended', offerId: 'o1', merchantId: 'm1', currency: 'CNY', holdId, shopperId: 'alice', expiresAtMs: 41_000, atMs: 20_000 }]);
    market.refused({ type: 'extend_hold', offerId: 'o1', shopperId: 'alice', holdId }, 'extension_unavailable');
    expect(market.tickAt(31_000)).toEqual([]);
    expect(types(market.tickAt(41_000))).toEqual(['hold_expired', 'stock_changed']);
  });

  it('refuses an extension where the resource allows none', () => {
    const market = new ReservationMarket();
    market.createQueue();
    const holdId = market.holdFor('alice');
    market.refused({ type: 'extend_hold', offerId: 'o1', shopperId: 'alice', holdId }, 'extension_unavailable');
  });

  it('lets a waiting shopper leave, and refuses to leave a queue one is not waiting in', () => {
    const market = new ReservationMarket();
    market.createQueue();
    market.holdFor('alice');
    market.joinQueue('bob');
    const { events } = market.send({ type: 'leave_queue', offerId: 'o1', shopperId: 'bob' });
    expect(events).toEqual([{ type: 'queue_changed', offerId: 'o1', merchantId: 'm1', currency: 'CNY', change: 'left', shopperId: 'bob', ticket: 2, waiting: 0, served: 0, headTicket: null, atMs: 1_000 }]);
    market.refused({ type: 'leave_queue', offerId: 'o1', shopperId: 'bob' }, 'not_queued');
    // A holder is not waiting: it declines with release_hold, which the message says.
    const { result } = market.send({ type: 'leave_queue', offerId: 'o1', shopperId: 'alice' });
    expect(result).toMatchObject({ ok: false, code: 'not_queued', message: expect.stringContaining('release_hold') });
  });

  it('keeps one place per shopper: waiting, holding or renting', () => {
    const market = new ReservationMarket();
    market.createQueue({}, { inventory: 2 });
    const holdId = market.holdFor('alice');
    market.refused({ type: 'join_queue', offerId: 'o1', shopperId: 'alice' }, 'already_queued');
    market.act({ type: 'confirm_hold', shopperId: 'alice', holdId });
    market.refused({ type: 'join_queue', offerId: 'o1', shopperId: 'alice' }, 'already_queued');
    market.holdFor('bob');
    market.joinQueue('carol');
    market.refused({ type: 'join_queue', offerId: 'o1', shopperId: 'carol' }, 'already_queued');
  });

  it('bounds the line by waitlistMax, but serves a shopper directly while a unit is free', () => {
    const market = new ReservationMarket();
    market.createQueue({ waitlistMax: 2 });
    market.holdFor('a');
    market.joinQueue('b');
    market.joinQueue('c');
    market.refused({ type: 'join_queue', offerId: 'o1', shopperId: 'd' }, 'queue_full');
  });
});

describe('order: classes, FIFO within a class, aging', () => {
  function lineOf(market: ReservationMarket, shoppers: string[]): string[] {
    return [...shoppers].sort((a, b) => market.you(a).waiting!.position - market.you(b).waiting!.position);
  }

  it('serves class 0 before class 1 and keeps join order within a class', () => {
    const market = new ReservationMarket();
    market.createQueue({ priorityClasses: 3 });
    const rentalId = market.rent('renter');
    market.joinQueue('low1', { priorityClass: 2 });
    market.joinQueue('mid1', { priorityClass: 1 });
    market.joinQueue('top1', { priorityClass: 0 });
    market.joinQueue('mid2', { priorityClass: 1 });
    market.joinQueue('top2', { priorityClass: 0 });
    expect(lineOf(market, ['low1', 'mid1', 'top1', 'mid2', 'top2'])).toEqual(['top1', 'top2', 'mid1', 'mid2', 'low1']);
    expect(market.engine.reservation('o1')?.headTicket).toBe(4);
    const served: string[] = [];
    let current = rentalId;
    let holder = 'renter';
    for (let i = 0; i < 5; i++) {
      const { events } = market.send({ type: 'return_unit', offerId: 'o1', shopperId: holder, rentalId: current });
      holder = eventOf(events, 'hold_offered').shopperId;
      served.push(holder);
      current = market.act({ type: 'confirm_hold', shopperId: holder, holdId: eventOf(events, 'hold_offered').holdId }).reservation!.rentalId!;
    }
    expect(served).toEqual(['top1', 'top2', 'mid1', 'mid2', 'low1']);
  });

  it('ages a waiting shopper up one class per agingMs, so a lower class is not starved', () => {
    const market = new ReservationMarket();
    market.createQueue({ priorityClasses: 3, agingMs: 10_000 });
    market.rent('renter');
    market.joinQueue('old-low', { priorityClass: 2 });
    market.nowMs = 11_000;
    market.joinQueue('new-top', { priorityClass: 0 });
    // old-low has aged to class 1: still behind a class 0.
    expect(lineOf(market, ['old-low', 'new-top'])).toEqual(['new-top', 'old-low']);
    expect(market.you('old-low').waiting).toMatchObject({ priorityClass: 2, effectiveClass: 1 });
    market.nowMs = 21_000;
    market.joinQueue('newer-top', { priorityClass: 0 });
    // old-low is class 0 now and joined first: it goes before both.
    expect(lineOf(market, ['old-low', 'new-top', 'newer-top'])).toEqual(['old-low', 'new-top', 'newer-top']);
    expect(market.engine.reservation('o1')?.headTicket).toBe(2);
  });

  it('counts a class the offer does not have as its lowest', () => {
    const market = new ReservationMarket();
    market.createQueue({ priorityClasses: 2 });
    market.rent('renter');
    market.joinQueue('seven', { priorityClass: 7 });
    market.joinQueue('one', { priorityClass: 1 });
    expect(market.you('seven').waiting).toMatchObject({ priorityClass: 1, position: 0 });
    expect(market.you('one').waiting).toMatchObject({ position: 1 });
  });

  it('keeps positions right when shoppers leave from the middle of a long line', () => {
    const market = new ReservationMarket();
    market.createQueue({ priorityClasses: 2 });
    market.rent('renter');
    for (let i = 0; i < 300; i++) market.joinQueue(`s${i}`, { priorityClass: i % 2 });
    for (let i = 0; i < 300; i += 3) market.act({ type: 'leave_queue', shopperId: `s${i}` });
    const left = Array.from({ length: 300 }, (_, i) => i).filter((i) => i % 3 !== 0);
    const expected = [...left.filter((i) => i % 2 === 0), ...left.filter((i) => i % 2 === 1)];
    expected.forEach((i, position) => expect(market.you(`s${i}`).waiting?.position).toBe(position));
  });
});

describe('estimates', () => {
  it('estimates the wait from the moving average of observed occupancy per unit', () => {
    const market = new ReservationMarket();
    market.createQueue({}, { inventory: 2 });
    const first = market.rent('a');
    market.rent('b');
    market.joinQueue('c');
    market.joinQueue('d');
    expect(market.engine.reservation('o1')).toMatchObject({ meanServiceMs: null, estimatedWaitMs: null });
    market.nowMs = 81_000;
    market.act({ type: 'return_unit', shopperId: 'a', rentalId: first });
    // One observation: 80 s of occupancy. d is next (0 ahead) with 2 units: (0 + 1) × 80 000 / 2.
    expect(market.engine.reservation('o1')?.meanServiceMs).toBe(80_000);
    expect(market.you('d').waiting).toMatchObject({ position: 0, estimatedWaitMs: 40_000 });
    // c's hold is released at once: 0 ms of occupancy moves the average by an eighth.
    market.act({ type: 'release_hold', shopperId: 'c', holdId: 'o1~h3' });
    expect(market.engine.reservation('o1')?.meanServiceMs).toBe(70_000);
  });
});

describe('who may act on a hold or rental', () => {
  it('refuses another shopper confirming, extending, releasing or returning, with not_holder', () => {
    const market = new ReservationMarket();
    market.createQueue({ holdExtensionMs: 1_000 }, { inventory: 2 });
    const holdId = market.holdFor('alice');
    for (const type of ['confirm_hold', 'extend_hold', 'release_hold']) market.refused({ type, offerId: 'o1', shopperId: 'mallory', holdId }, 'not_holder');
    const rentalId = market.rent('bob');
    market.refused({ type: 'return_unit', offerId: 'o1', shopperId: 'mallory', rentalId }, 'not_holder');
  });

  it('tells an id never issued (unknown_hold, unknown_rental) from one that has ended (hold_expired, unknown_rental)', () => {
    const market = new ReservationMarket();
    market.createQueue();
    market.refused({ type: 'confirm_hold', offerId: 'o1', shopperId: 'alice', holdId: 'o1~h1' }, 'unknown_hold');
    market.refused({ type: 'confirm_hold', offerId: 'o1', shopperId: 'alice', holdId: 'nonsense' }, 'unknown_hold');
    const holdId = market.holdFor('alice');
    market.refused({ type: 'return_unit', offerId: 'o1', shopperId: 'alice', rentalId: holdId }, 'unknown_rental');
    market.act({ type: 'confirm_hold', shopperId: 'alice', holdId });
    market.refused({ type: 'confirm_hold', offerId: 'o1', shopperId: 'alice', holdId }, 'hold_expired');
    market.act({ type: 'return_unit', shopperId: 'alice', rentalId: holdId });
    market.refused({ type: 'return_unit', offerId: 'o1', shopperId: 'alice', rentalId: holdId }, 'unknown_rental');
    market.refused({ type: 'release_hold', offerId: 'o1', shopperId: 'alice', holdId }, 'hold_expired');
    market.refused({ type: 'return_unit', offerId: 'o1', shopperId: 'alice', rentalId: 'o1~h9' }, 'unknown_rental');
  });

  it('refuses reservation commands on other mechanisms and on the other mode', () => {
    const market = new ReservationMarket();
    market.createOffer({ offerId: 'g1' });
    market.createQueue();
    market.refused({ type: 'join_queue', offerId: 'g1', shopperId: 'alice' }, 'wrong_mechanism');
    market.refused({ type: 'book_slot', offerId: 'o1', shopperId: 'alice', startMs: 5_000, endMs: 6_000 }, 'wrong_mechanism');
    market.refused({ type: 'join_queue', offerId: 'nope', shopperId: 'alice' }, 'unknown_offer');
    market.refused({ type: 'open_group', offerId: 'o1', shopperId: 'alice' }, 'wrong_mechanism');
  });
});

describe('the offer around the queue', () => {
  it('refuses joins while paused but keeps holds, confirmations, returns and promotions going', () => {
    const market = new ReservationMarket();
    market.createQueue();
    const rentalId = market.rent('alice');
    market.joinQueue('bob');
    market.ok({ type: 'pause_offer', merchantId: 'm1', offerId: 'o1' });
    market.refused({ type: 'join_queue', offerId: 'o1', shopperId: 'carol' }, 'offer_paused');
    const { events } = market.send({ type: 'return_unit', offerId: 'o1', shopperId: 'alice', rentalId });
    const holdId = eventOf(events, 'hold_offered').holdId;
    market.act({ type: 'confirm_hold', shopperId: 'bob', holdId });
  });

  it('on close drops the line and releases holds, while rentals run on and may still be returned', () => {
    const market = new ReservationMarket();
    market.createQueue({ depositMinor: 300 }, { inventory: 2 });
    const rentalId = market.rent('alice');
    const holdId = market.holdFor('bob');
    market.joinQueue('carol');
    const { events } = market.send({ type: 'close_offer', merchantId: 'm1', offerId: 'o1' });
    expect(types(events)).toEqual(['queue_changed', 'hold_released', 'offer_closed', 'stock_changed']);
    expect(eventOf(events, 'queue_changed')).toMatchObject({ change: 'closed', waiting: 0, shopperId: null });
    expect(eventOf(events, 'hold_released')).toMatchObject({ holdId, reason: 'offer_closed' });
    expect(market.engine.offer('o1')).toMatchObject({ heldUnits: 1, status: 'closed' });
    market.refused({ type: 'join_queue', offerId: 'o1', shopperId: 'dave' }, 'offer_closed');
    market.refused({ type: 'confirm_hold', offerId: 'o1', shopperId: 'bob', holdId }, 'hold_expired');
    const returned = market.send({ type: 'return_unit', offerId: 'o1', shopperId: 'alice', rentalId });
    expect(types(returned.events)).toEqual(['rental_ended', 'stock_changed']);
    expect(eventOf(returned.events, 'rental_ended').depositReleasedMinor).toBe(300);
    expect(market.engine.offer('o1')).toMatchObject({ heldUnits: 0 });
  });

  it('closes by itself at its end, and refuses joins before its start', () => {
    const market = new ReservationMarket();
    market.createQueue({}, { startMs: 5_000, endMs: 100_000 });
    market.refused({ type: 'join_queue', offerId: 'o1', shopperId: 'alice' }, 'offer_not_started');
    market.nowMs = 5_000;
    market.holdFor('alice');
    market.tickAt(100_000);
    market.refused({ type: 'join_queue', offerId: 'o1', shopperId: 'bob' }, 'offer_ended');
  });

  it('serves waiting shoppers at once when the merchant adds units, and never shrinks below what is held', () => {
    const market = new ReservationMarket();
    market.createQueue();
    market.rent('alice');
    market.joinQueue('bob');
    market.joinQueue('carol');
    market.refused({ type: 'edit_offer', merchantId: 'm1', offerId: 'o1', patch: { inventory: 0 } }, 'edit_breaks_promise');
    const { events } = market.send({ type: 'edit_offer', merchantId: 'm1', offerId: 'o1', patch: { inventory: 3 } });
    expect(eventsOf(events, 'hold_offered').map((event) => event.shopperId)).toEqual(['bob', 'carol']);
    expect(market.engine.offer('o1')).toMatchObject({ heldUnits: 3, inventory: 3 });
  });

  it('refuses settings meant for slots on a queue', () => {
    const market = new ReservationMarket();
    const { result } = market.send({
      type: 'create_offer', merchantId: 'm1', offerId: 'o1', title: 't', currency: 'CNY', inventory: 1, basePriceMinor: 1,
      mechanism: { type: 'reservation', mode: 'queue', holdMs: 1_000, slotBufferMs: 5 },
    });
    expect(result).toMatchObject({ ok: false, code: 'invalid_settings', message: expect.stringContaining('slots mode only') });
  });

  it('remembers an accepted join under its idempotency key', () => {
    const market = new ReservationMarket();
    market.createQueue();
    const first = market.send({ type: 'join_queue', offerId: 'o1', shopperId: 'alice', idempotencyKey: 'k' });
    const again = market.send({ type: 'join_queue', offerId: 'o1', shopperId: 'alice', idempotencyKey: 'k' });
    expect(again.result).toEqual(first.result);
    expect(again.events).toEqual([]);
  });
});

describe('streaming and pricing', () => {
  it('emits a bounded number of events per command however long the line is', () => {
    const market = new ReservationMarket();
    market.createQueue({ priorityClasses: 4, agingMs: 5_000 });
    let rentalId = market.rent('renter');
    let holder = 'renter';
    for (let i = 0; i < 600; i++) market.joinQueue(`s${i}`, { priorityClass: i % 4 });
    for (let i = 0; i < 5; i++) {
      const { events } = market.send({ type: 'return_unit', offerId: 'o1', shopperId: holder, rentalId });
      // rental_ended, hold_offered, queue_changed and the offer's stock_changed: the same few, however long the line.
      expect(events.length).toBeLessThanOrEqual(4);
      const offered = eventOf(events, 'hold_offered');
      holder = offered.shopperId;
      rentalId = market.act({ type: 'confirm_hold', shopperId: holder, holdId: offered.holdId }).reservation!.rentalId!;
    }
  });

  it('prices a rental by the rule set at confirmation, so a queue-length surge raises it', () => {
    const market = new ReservationMarket();
    const guardrails = { floorMinor: 0, ceilingMinor: 1_000_000, maxChange: { intervalMs: 60_000, maxRiseBps: 1_000_000, maxDropBps: 10_000 }, killSwitch: { engaged: false } };
    const surge = {
      kind: 'demand_surge', signal: 'queue_length', halfLifeMs: 1_000, levels: [{ atLeast: 3, adjustmentBps: 5_000 }],
      hysteresisBps: 0, minDwellMs: 1, maxStepBps: 20_000, stepIntervalMs: 1_000,
    };
    market.createQueue({}, { inventory: 1, ruleSet: { schemaVersion: 1, currency: 'CNY', version: 1, rules: [surge], guardrails } });
    const rentalId = market.rent('alice');
    expect(market.engine.offer('o1')?.priceMinor).toBe(1_000);
    for (const shopper of ['b', 'c', 'd', 'e']) market.joinQueue(shopper);
    market.nowMs = 20_000;
    const { events } = market.send({ type: 'return_unit', offerId: 'o1', shopperId: 'alice', rentalId });
    const next = eventOf(events, 'hold_offered');
    const confirmed = market.act({ type: 'confirm_hold', shopperId: next.shopperId, holdId: next.holdId });
    expect(confirmed.chargedMinor).toBe(1_500);
    expect(market.engine.offer('o1')?.priceMinor).toBe(1_500);
  });
});

describe('snapshots', () => {
  it('restores mid-run to the same hash and the same future', () => {
    const market = new ReservationMarket();
    market.createQueue({ priorityClasses: 3, agingMs: 7_000, holdExtensionMs: 4_000, depositMinor: 100 }, { inventory: 2 });
    const rentalId = market.rent('alice');
    market.holdFor('bob');
    for (let i = 0; i < 40; i++) market.joinQueue(`s${i}`, { priorityClass: i % 3 });
    for (let i = 0; i < 40; i += 4) market.act({ type: 'leave_queue', shopperId: `s${i}` });
    market.nowMs = 12_000;
    expectSameFuture(market, [
      { type: 'return_unit', offerId: 'o1', shopperId: 'alice', rentalId },
      { type: 'tick', nowMs: 45_000 },
      { type: 'join_queue', offerId: 'o1', shopperId: 'late', priorityClass: 0 },
      { type: 'tick', nowMs: 200_000 },
      { type: 'leave_queue', offerId: 'o1', shopperId: 's39' },
    ]);
  });
});
