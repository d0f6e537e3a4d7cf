// Unit tests of slots mode (docs/reservations.md): bookings, holds, waitlists, buffers, bounds and the offer around them.
import { describe, expect, it } from 'vitest';
import { RESERVATION_LIMITS } from '../../engine/reservations/limits.ts';
import { eventOf } from './fixtures.ts';
import { expectSameFuture, HOLD_MS, ReservationMarket, types } from './reservation-fixtures.ts';

const HOUR = 3_600_000;
const T0 = 10 * HOUR;

describe('booking', () => {
  it('books a free slot as a hold on the lowest free unit, without touching held units', () => {
    const market = new ReservationMarket();
    market.createSlots({}, { inventory: 2 });
    const { result, events } = market.send({ type: 'book_slot', offerId: 'o1', shopperId: 'alice', startMs: T0, endMs: T0 + HOUR });
    expect(result).toMatchObject({ ok: true, reservation: { bookingId: 'o1~b1', status: 'held', holdId: 'o1~b1', unit: 0, expiresAtMs: 1_000 + HOLD_MS } });
    expect(events).toEqual([
      { type: 'hold_offered', offerId: 'o1', merchantId: 'm1', currency: 'CNY', holdId: 'o1~b1', shopperId: 'alice', expiresAtMs: 31_000, slot: { unit: 0, startMs: T0, endMs: T0 + HOUR }, atMs: 1_000 },
    ]);
    expect(market.engine.offer('o1')).toMatchObject({ heldUnits: 0 });
    expect(market.engine.reservation('o1')).toMatchObject({ mode: 'slots', holds: 1, unitsFree: null });
    // An overlapping slot goes to the next unit.
    expect(market.book('bob', T0 + HOUR / 2, T0 + 2 * HOUR).reservation).toMatchObject({ unit: 1 });
  });

  it('confirms a booking hold, charging the rule set price and holding the deposit', () => {
    const market = new ReservationMarket();
    market.createSlots({ depositMinor: 2_000 });
    const bookingId = market.book('alice', T0, T0 + HOUR).reservation!.bookingId!;
    const { result, events } = market.send({ type: 'confirm_hold', offerId: 'o1', shopperId: 'alice', holdId: bookingId });
    expect(result).toMatchObject({ ok: true, chargedMinor: 1_000, reservation: { bookingId, status: 'confirmed', unit: 0, depositMinor: 2_000 } });
    expect(events).toEqual([
      {
        type: 'booking_confirmed', offerId: 'o1', merchantId: 'm1', currency: 'CNY', bookingId, shopperId: 'alice', unit: 0, startMs: T0, endMs: T0 + HOUR,
        unitPriceMinor: 1_000, chargedMinor: 1_000, depositMinor: 2_000, ruleSetVersion: 1, atMs: 1_000,
      },
    ]);
    expect(market.you('alice').bookings).toEqual([
      { bookingId, ticket: 1, status: 'confirmed', startMs: T0, endMs: T0 + HOUR, unit: 0, expiresAtMs: null, position: null, chargedMinor: 1_000, depositMinor: 2_000 },
    ]);
  });

  it('never overlaps two bookings of one unit, the buffer after each included', () => {
    const market = new ReservationMarket();
    market.createSlots({ slotBufferMs: 600_000 });
    market.bookConfirmed('alice', T0, T0 + HOUR);
    market.refused({ type: 'book_slot', offerId: 'o1', shopperId: 'bob', startMs: T0 + HOUR, endMs: T0 + 2 * HOUR, waitlist: false }, 'slot_unavailable');
    market.refused({ type: 'book_slot', offerId: 'o1', shopperId: 'bob', startMs: T0 - HOUR, endMs: T0 - 300_000, waitlist: false }, 'slot_unavailable');
    expect(market.book('bob', T0 + HOUR + 600_000, T0 + 2 * HOUR).reservation).toMatchObject({ status: 'held', unit: 0 });
    expect(market.book('carol', T0 - HOUR, T0 - 600_000).reservation).toMatchObject({ status: 'held', unit: 0 });
  });

  it('refuses malformed slots with invalid_slot', () => {
    const market = new ReservationMarket();
    market.createSlots({ slotMinMs: 60_000, slotMaxMs: 2 * HOUR });
    for (const [startMs, endMs] of [
      [T0, T0],
      [T0, T0 - 1],
      [500, 2 * 60_000],
      [T0, T0 + 59_999],
      [T0, T0 + 2 * HOUR + 1],
    ]) {
      market.refused({ type: 'book_slot', offerId: 'o1', shopperId: 'alice', startMs, endMs }, 'invalid_slot');
    }
    market.book('alice', T0, T0 + 2 * HOUR);
  });

  it('bounds the live bookings of a shopper by the per-shopper limit (waiting ones included)', () => {
    const market = new ReservationMarket();
    market.createSlots({}, { perShopperLimit: 2 });
    market.book('alice', T0, T0 + HOUR);
    market.book('bob', T0 + HOUR, T0 + 2 * HOUR);
    market.book('alice', T0 + HOUR, T0 + 2 * HOUR);
    market.refused({ type: 'book_slot', offerId: 'o1', shopperId: 'alice', startMs: T0 + 3 * HOUR, endMs: T0 + 4 * HOUR }, 'limit_exceeded');
  });

  it('bounds the live bookings of one shopper even without a per-shopper limit', () => {
    const market = new ReservationMarket();
    market.createSlots();
    for (let i = 0; i < RESERVATION_LIMITS.bookingsPerShopperMax; i++) market.engine.submit({ type: 'book_slot', nowMs: 1_000, offerId: 'o1', shopperId: 'alice', startMs: T0 + i * 1_000, endMs: T0 + i * 1_000 + 500 });
    market.refused({ type: 'book_slot', offerId: 'o1', shopperId: 'alice', startMs: 2 * T0, endMs: 2 * T0 + 500 }, 'limit_exceeded');
    market.book('bob', 2 * T0, 2 * T0 + 500);
  });

  it('refuses slot commands on a queue', () => {
    const market = new ReservationMarket();
    market.createQueue();
    market.refused({ type: 'cancel_booking', offerId: 'o1', shopperId: 'alice', bookingId: 'o1~b1' }, 'wrong_mechanism');
  });
});

describe('holds on slots', () => {
  it('expires an unconfirmed booking at its hold deadline and promotes the waitlist at once', () => {
    const market = new ReservationMarket();
    market.createSlots();
    const held = market.book('alice', T0, T0 + HOUR).reservation!.bookingId!;
    const waiting = market.book('bob', T0 + HOUR / 2, T0 + HOUR);
    expect(waiting.reservation).toMatchObject({ status: 'waiting', ticket: 2, position: 0 });
    const events = market.tickAt(40_000);
    expect(types(events)).toEqual(['hold_expired', 'hold_offered']);
    expect(eventOf(events, 'hold_expired')).toEqual({ type: 'hold_expired', offerId: 'o1', merchantId: 'm1', currency: 'CNY', holdId: held, shopperId: 'alice', atMs: 31_000 });
    expect(eventOf(events, 'hold_offered')).toMatchObject({ holdId: waiting.reservation!.bookingId, shopperId: 'bob', atMs: 31_000, expiresAtMs: 61_000, slot: { unit: 0 } });
    market.refused({ type: 'confirm_hold', offerId: 'o1', shopperId: 'alice', holdId: held }, 'hold_expired');
    market.refused({ type: 'cancel_booking', offerId: 'o1', shopperId: 'alice', bookingId: held }, 'unknown_booking');
  });

  it('never holds past the slot end, and extends at most to it', () => {
    const market = new ReservationMarket();
    market.createSlots({ holdExtensionMs: HOUR });
    const bookingId = market.book('alice', 2_000, 40_000).reservation!.bookingId!;
    expect(market.you('alice').holds).toEqual([{ holdId: bookingId, expiresAtMs: 31_000, extended: false, slot: { unit: 0, startMs: 2_000, endMs: 40_000 } }]);
    expect(market.act({ type: 'extend_hold', shopperId: 'alice', holdId: bookingId }).reservation?.expiresAtMs).toBe(40_000);
    const other = market.book('bob', 50_000, 60_000).reservation!.bookingId!;
    market.act({ type: 'extend_hold', shopperId: 'bob', holdId: other });
    market.refused({ type: 'extend_hold', offerId: 'o1', shopperId: 'bob', holdId: other }, 'extension_unavailable');
  });

  it('refuses to extend a hold that already lasts until its slot ends', () => {
    const market = new ReservationMarket();
    market.createSlots({ holdExtensionMs: HOUR });
    const bookingId = market.book('alice', 2_000, 20_000).reservation!.bookingId!;
    market.refused({ type: 'extend_hold', offerId: 'o1', shopperId: 'alice', holdId: bookingId }, 'extension_unavailable');
  });

  it('has no hold for a booking still on the waitlist, and names other ids as unknown', () => {
    const market = new ReservationMarket();
    market.createSlots();
    market.book('alice', T0, T0 + HOUR);
    const waiting = market.book('bob', T0, T0 + HOUR).reservation!.bookingId!;
    market.refused({ type: 'confirm_hold', offerId: 'o1', shopperId: 'bob', holdId: waiting }, 'unknown_hold');
    market.refused({ type: 'confirm_hold', offerId: 'o1', shopperId: 'bob', holdId: 'o1~h1' }, 'unknown_hold');
    market.refused({ type: 'confirm_hold', offerId: 'o1', shopperId: 'bob', holdId: 'o1~b77' }, 'unknown_hold');
    market.refused({ type: 'cancel_booking', offerId: 'o1', shopperId: 'bob', bookingId: 'o1~b77' }, 'unknown_booking');
    market.refused({ type: 'release_hold', offerId: 'o1', shopperId: 'bob', holdId: 'o1~b1' }, 'not_holder');
    market.refused({ type: 'cancel_booking', offerId: 'o1', shopperId: 'alice', bookingId: waiting }, 'not_holder');
  });
});

describe('waitlists', () => {
  it('waits on a full slot only when asked, once per shopper and slot, up to waitlistMax', () => {
    const market = new ReservationMarket();
    market.createSlots({ waitlistMax: 2 });
    market.book('alice', T0, T0 + HOUR);
    market.refused({ type: 'book_slot', offerId: 'o1', shopperId: 'bob', startMs: T0, endMs: T0 + HOUR, waitlist: false }, 'slot_unavailable');
    const { result, events } = market.send({ type: 'book_slot', offerId: 'o1', shopperId: 'bob', startMs: T0, endMs: T0 + HOUR });
    expect(result).toMatchObject({ ok: true, reservation: { status: 'waiting', position: 0 } });
    expect(events).toEqual([{ type: 'booking_waitlisted', offerId: 'o1', merchantId: 'm1', currency: 'CNY', bookingId: 'o1~b2', shopperId: 'bob', startMs: T0, endMs: T0 + HOUR, ticket: 2, waiting: 1, atMs: 1_000 }]);
    market.refused({ type: 'book_slot', offerId: 'o1', shopperId: 'bob', startMs: T0, endMs: T0 + HOUR }, 'already_queued');
    market.book('carol', T0, T0 + HOUR);
    market.refused({ type: 'book_slot', offerId: 'o1', shopperId: 'dave', startMs: T0, endMs: T0 + HOUR }, 'queue_full');
    expect(market.you('carol').bookings[0]).toMatchObject({ status: 'waiting', position: 1, unit: null });
  });

  it('cannot wait for a slot that starts now', () => {
    const market = new ReservationMarket();
    market.createSlots();
    market.book('alice', 1_000, T0);
    market.refused({ type: 'book_slot', offerId: 'o1', shopperId: 'bob', startMs: 1_000, endMs: 2_000 }, 'slot_unavailable');
  });

  it('promotes the best waiting booking across slots at once when a booking is cancelled', () => {
    const market = new ReservationMarket();
    market.createSlots({ priorityClasses: 2 });
    const long = market.bookConfirmed('alice', T0, T0 + 4 * HOUR);
    market.book('late-low', T0, T0 + HOUR, { priorityClass: 1 });
    market.book('early-top', T0 + 2 * HOUR, T0 + 3 * HOUR, { priorityClass: 0 });
    market.book('second-top', T0, T0 + HOUR, { priorityClass: 0 });
    const { result, events } = market.send({ type: 'cancel_booking', offerId: 'o1', shopperId: 'alice', bookingId: long });
    expect(result).toMatchObject({ ok: true, refundMinor: 1_000, reservation: { depositReleasedMinor: 0 } });
    expect(types(events)).toEqual(['booking_cancelled', 'hold_offered', 'hold_offered']);
    // early-top first (class 0, older ticket), then second-top (class 0) for the other slot; late-low still waits.
    expect(events.slice(1).map((event) => 'shopperId' in event && event.shopperId)).toEqual(['early-top', 'second-top']);
    expect(market.you('late-low').bookings[0]).toMatchObject({ status: 'waiting' });
  });

  it('takes a waiting booking off its waitlist when cancelled', () => {
    const market = new ReservationMarket();
    market.createSlots();
    market.book('alice', T0, T0 + HOUR);
    const waiting = market.book('bob', T0, T0 + HOUR).reservation!.bookingId!;
    const { events } = market.send({ type: 'cancel_booking', offerId: 'o1', shopperId: 'bob', bookingId: waiting });
    expect(events).toEqual([{ type: 'waitlist_left', offerId: 'o1', merchantId: 'm1', currency: 'CNY', bookingId: waiting, shopperId: 'bob', startMs: T0, endMs: T0 + HOUR, waiting: 0, atMs: 1_000 }]);
    expect(market.engine.reservation('o1')).toMatchObject({ waiting: 0, waitlistedSlots: 0 });
  });

  it('releases a held booking cancelled by its shopper and passes the slot on', () => {
    const market = new ReservationMarket();
    market.createSlots();
    const held = market.book('alice', T0, T0 + HOUR).reservation!.bookingId!;
    market.book('bob', T0, T0 + HOUR);
    const { events } = market.send({ type: 'cancel_booking', offerId: 'o1', shopperId: 'alice', bookingId: held });
    expect(types(events)).toEqual(['hold_released', 'hold_offered']);
    expect(eventOf(events, 'hold_released')).toMatchObject({ reason: 'cancelled' });
  });

  it('closes a waitlist when its slot starts, in one event however long it is', () => {
    const market = new ReservationMarket();
    market.createSlots();
    market.bookConfirmed('alice', 5_000, 50_000);
    for (let i = 0; i < 20; i++) market.book(`s${i}`, 5_000, 50_000);
    const events = market.tickAt(5_000);
    // One event, however long the line: it names each booking dropped (privately: each shopper hears only of its own).
    const droppedBookings = Array.from({ length: 20 }, (_, i) => ({ shopperId: `s${i}`, bookingId: `o1~b${i + 2}` }));
    expect(events).toEqual([{ type: 'waitlist_closed', offerId: 'o1', merchantId: 'm1', currency: 'CNY', startMs: 5_000, endMs: 50_000, dropped: 20, droppedBookings, reason: 'slot_started', atMs: 5_000 }]);
    market.refused({ type: 'cancel_booking', offerId: 'o1', shopperId: 's3', bookingId: 'o1~b5' }, 'unknown_booking');
  });

  it('bounds the slots that may have a waitlist', () => {
    const market = new ReservationMarket();
    market.createSlots();
    market.bookConfirmed('alice', 2_000, 2_000 + 20 * HOUR);
    for (let i = 0; i < RESERVATION_LIMITS.waitlistedSlotsMax; i++) market.engine.submit({ type: 'book_slot', nowMs: 1_000, offerId: 'o1', shopperId: `s${i}`, startMs: 3_000 + i, endMs: 10_000 + i });
    market.refused({ type: 'book_slot', offerId: 'o1', shopperId: 'late', startMs: 3_000, endMs: 20_000 }, 'queue_full');
  });
});

describe('confirmed bookings over time', () => {
  it('completes a confirmed booking at its end plus buffer, releasing the deposit and making room', () => {
    const market = new ReservationMarket();
    market.createSlots({ depositMinor: 700, slotBufferMs: 5_000 });
    const bookingId = market.bookConfirmed('alice', 2_000, 10_000);
    expect(market.engine.nextDeadlineMs()).toBe(15_000);
    const events = market.tickAt(20_000);
    expect(events).toEqual([{ type: 'booking_completed', offerId: 'o1', merchantId: 'm1', currency: 'CNY', bookingId, shopperId: 'alice', depositReleasedMinor: 700, atMs: 15_000 }]);
    expect(market.engine.reservation('o1')).toMatchObject({ confirmedBookings: 0 });
    expect(market.you('alice').bookings).toEqual([]);
  });

  it('refunds a confirmed booking cancelled before its start in full, and nothing once it has started', () => {
    const market = new ReservationMarket();
    market.createSlots({ depositMinor: 100 }, { inventory: 2 });
    const early = market.bookConfirmed('alice', 10_000, 60_000);
    const late = market.bookConfirmed('bob', 10_000, 60_000);
    expect(market.act({ type: 'cancel_booking', shopperId: 'alice', bookingId: early })).toMatchObject({ refundMinor: 1_000, reservation: { depositReleasedMinor: 100 } });
    market.nowMs = 10_000;
    const { events } = market.send({ type: 'cancel_booking', offerId: 'o1', shopperId: 'bob', bookingId: late });
    expect(events).toEqual([{ type: 'booking_cancelled', offerId: 'o1', merchantId: 'm1', currency: 'CNY', bookingId: late, shopperId: 'bob', refundMinor: 0, depositReleasedMinor: 100, atMs: 10_000 }]);
  });

  it('bounds the live bookings of a unit', () => {
    const market = new ReservationMarket();
    market.createSlots();
    for (let i = 0; i < RESERVATION_LIMITS.bookingsPerUnitMax; i++) {
      market.engine.submit({ type: 'book_slot', nowMs: 1_000, offerId: 'o1', shopperId: `s${i % 50}`, startMs: T0 + i * 1_000, endMs: T0 + i * 1_000 + 500 });
    }
    market.refused({ type: 'book_slot', offerId: 'o1', shopperId: 'late', startMs: 2 * T0, endMs: 2 * T0 + 1_000 }, 'too_many_bookings');
  });
});

describe('the offer around the slots', () => {
  it('on close drops waitlists and releases holds; confirmed bookings stand, complete at their time and may be cancelled', () => {
    const market = new ReservationMarket();
    market.createSlots({ depositMinor: 50 }, { inventory: 2 });
    const stays = market.bookConfirmed('alice', T0, T0 + HOUR);
    const cancelled = market.bookConfirmed('bob', T0, T0 + HOUR);
    market.book('carol', 5 * HOUR, 6 * HOUR);
    market.book('dave', T0, T0 + HOUR);
    const { events } = market.send({ type: 'close_offer', merchantId: 'm1', offerId: 'o1' });
    expect(types(events)).toEqual(['waitlist_closed', 'hold_released', 'offer_closed']);
    market.refused({ type: 'book_slot', offerId: 'o1', shopperId: 'eve', startMs: 3 * HOUR, endMs: 4 * HOUR }, 'offer_closed');
    expect(types(market.send({ type: 'cancel_booking', offerId: 'o1', shopperId: 'bob', bookingId: cancelled }).events)).toEqual(['booking_cancelled']);
    expect(market.engine.nextDeadlineMs()).toBe(T0 + HOUR);
    expect(market.tickAt(T0 + HOUR)).toEqual([{ type: 'booking_completed', offerId: 'o1', merchantId: 'm1', currency: 'CNY', bookingId: stays, shopperId: 'alice', depositReleasedMinor: 50, atMs: T0 + HOUR }]);
  });

  it('refuses bookings while paused, and keeps confirmations and cancellations going', () => {
    const market = new ReservationMarket();
    market.createSlots();
    const bookingId = market.book('alice', T0, T0 + HOUR).reservation!.bookingId!;
    market.ok({ type: 'pause_offer', merchantId: 'm1', offerId: 'o1' });
    market.refused({ type: 'book_slot', offerId: 'o1', shopperId: 'bob', startMs: 3 * HOUR, endMs: 4 * HOUR }, 'offer_paused');
    market.act({ type: 'confirm_hold', shopperId: 'alice', holdId: bookingId });
    market.act({ type: 'cancel_booking', shopperId: 'alice', bookingId });
  });

  it('never shrinks below a unit with live bookings, and promotes waitlists when units are added', () => {
    const market = new ReservationMarket();
    market.createSlots({}, { inventory: 2 });
    market.book('alice', T0, T0 + HOUR);
    market.book('bob', T0, T0 + HOUR);
    market.book('carol', T0, T0 + HOUR);
    market.refused({ type: 'edit_offer', merchantId: 'm1', offerId: 'o1', patch: { inventory: 1 } }, 'edit_breaks_promise');
    market.refused({ type: 'edit_offer', merchantId: 'm1', offerId: 'o1', patch: { inventory: RESERVATION_LIMITS.slotUnitsMax + 1 } }, 'invalid_settings');
    const { events } = market.send({ type: 'edit_offer', merchantId: 'm1', offerId: 'o1', patch: { inventory: 3 } });
    expect(eventOf(events, 'hold_offered')).toMatchObject({ shopperId: 'carol', slot: { unit: 2 } });
  });

  it('refuses slots offers with too many units or a maximum below the minimum', () => {
    const market = new ReservationMarket();
    market.tickAt(1_000); // the engine's clock starts here, so the refusals below change nothing at all
    const base = { type: 'create_offer', merchantId: 'm1', offerId: 'o1', title: 't', currency: 'CNY', basePriceMinor: 1 };
    market.refused({ ...base, inventory: RESERVATION_LIMITS.slotUnitsMax + 1, mechanism: { type: 'reservation', mode: 'slots', holdMs: 1 } }, 'invalid_settings');
    market.refused({ ...base, inventory: 1, mechanism: { type: 'reservation', mode: 'slots', holdMs: 1, slotMinMs: 10, slotMaxMs: 5 } }, 'invalid_settings');
  });

  it('restores mid-run to the same hash and the same future', () => {
    const market = new ReservationMarket();
    market.createSlots({ priorityClasses: 2, agingMs: 3_000, slotBufferMs: 1_000, depositMinor: 10, holdExtensionMs: 2_000 }, { inventory: 2 });
    const confirmed = market.bookConfirmed('alice', 5_000, 20_000);
    market.book('bob', 5_000, 20_000);
    for (let i = 0; i < 10; i++) market.book(`s${i}`, 6_000 + (i % 3) * 1_000, 15_000, { priorityClass: i % 2 });
    expectSameFuture(market, [
      { type: 'cancel_booking', offerId: 'o1', shopperId: 'alice', bookingId: confirmed },
      { type: 'tick', nowMs: 40_000 },
      { type: 'book_slot', offerId: 'o1', shopperId: 'late', startMs: 50_000, endMs: 60_000 },
      { type: 'tick', nowMs: 100_000 },
    ]);
  });
});
