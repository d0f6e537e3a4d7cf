// Builders for reservation tests: a queue offer or a slots offer with one merchant, and shorthands for the shopper
// commands. Everything goes through `submit` (validation included) with invariants checked after each command.
import { expect } from 'vitest';
import { Engine, type EngineEvent, type ReservationAck } from '../../engine/index.ts';
import { Market, MERCHANT } from './fixtures.ts';

export const HOLD_MS = 30_000;

export type Ack = { ok: true; offerId?: string; chargedMinor?: number; refundMinor?: number; reservation?: ReservationAck; quote?: { unitPriceMinor: number } };

export class ReservationMarket extends Market {
  /** A queue offer `o1` with `inventory` units (default 1), price 1 000, hold 30 s. */
  createQueue(mechanism: Record<string, unknown> = {}, offer: Record<string, unknown> = {}): string {
    return this.createReservation({ mode: 'queue', ...mechanism }, { inventory: 1, ...offer });
  }

  /** A slots offer `o1` with `inventory` units (default 1), price 1 000, hold 30 s. */
  createSlots(mechanism: Record<string, unknown> = {}, offer: Record<string, unknown> = {}): string {
    return this.createReservation({ mode: 'slots', ...mechanism }, { inventory: 1, ...offer });
  }

  private createReservation(mechanism: Record<string, unknown>, offer: Record<string, unknown>): string {
    const result = this.ok({
      type: 'create_offer',
      merchantId: MERCHANT,
      offerId: 'o1',
      title: 'Shared e-bike',
      currency: 'CNY',
      basePriceMinor: 1_000,
      mechanism: { type: 'reservation', holdMs: HOLD_MS, ...mechanism },
      ...offer,
    });
    return result.offerId as string;
  }

  act(command: Record<string, unknown>): Ack {
    return this.ok({ offerId: 'o1', ...command }) as Ack;
  }

  joinQueue(shopperId: string, extra: Record<string, unknown> = {}): Ack {
    return this.act({ type: 'join_queue', shopperId, ...extra });
  }

  /** Joins a queue with a free unit and returns the hold id offered. */
  holdFor(shopperId: string, extra: Record<string, unknown> = {}): string {
    const holdId = this.joinQueue(shopperId, extra).reservation?.holdId;
    if (holdId === undefined) throw new Error(`${shopperId} was not offered a unit at once`);
    return holdId;
  }

  /** Joins, is offered a unit and confirms it: returns the rental id. */
  rent(shopperId: string, extra: Record<string, unknown> = {}): string {
    const holdId = this.holdFor(shopperId, extra);
    return this.act({ type: 'confirm_hold', shopperId, holdId }).reservation!.rentalId!;
  }

  book(shopperId: string, startMs: number, endMs: number, extra: Record<string, unknown> = {}): Ack {
    return this.act({ type: 'book_slot', shopperId, startMs, endMs, ...extra });
  }

  /** Books a free slot and confirms it: returns the booking id. */
  bookConfirmed(shopperId: string, startMs: number, endMs: number, extra: Record<string, unknown> = {}): string {
    const bookingId = this.book(shopperId, startMs, endMs, extra).reservation!.bookingId!;
    this.act({ type: 'confirm_hold', shopperId, holdId: bookingId });
    return bookingId;
  }

  /** The shopper's own part of the reservation view. */
  you(shopperId: string) {
    const you = this.engine.reservation('o1', shopperId)?.you;
    if (!you) throw new Error('no reservation view');
    return you;
  }
}

export function types(events: EngineEvent[]): string[] {
  return events.map((event) => event.type);
}

export function eventsOf<T extends EngineEvent['type']>(events: EngineEvent[], type: T): Extract<EngineEvent, { type: T }>[] {
  return events.filter((event): event is Extract<EngineEvent, { type: T }> => event.type === type);
}

/** Snapshot mid-run: a restored engine must have the same hash and answer the same to what comes next. */
export function expectSameFuture(market: ReservationMarket, future: Record<string, unknown>[]): void {
  const restored = Engine.restore(market.engine.snapshot());
  expect(restored.stateHash()).toBe(market.engine.stateHash());
  for (const command of future) {
    const raw = { nowMs: market.nowMs, ...command };
    const a = market.engine.submit(raw);
    const b = restored.submit(raw);
    expect(b).toEqual(a);
    expect(restored.stateHash()).toBe(market.engine.stateHash());
    expect(restored.checkInvariants()).toEqual([]);
  }
}
