// A deliberately naive model of one reservation offer (docs/reservations.md), the oracle of the reservation property
// tests. Plain arrays and linear scans, no heaps, no lanes, no Fenwick trees: the next shopper is the minimum of
// everyone waiting, a position is a count, a free unit is found by trying each one. It speaks the engine's
// vocabulary (the same commands, the same events) so the test can compare them whole. The state and the rules the
// commands share are in reservation-reference-core.ts.
import type { Command, EngineEvent } from '../../engine/index.ts';
import { ReferenceCore, type Booking, type Waiting } from './reservation-reference-core.ts';

export type { RefSettings } from './reservation-reference-core.ts';
export type RefResult = { ok: false; code: string } | ({ ok: true } & Record<string, unknown>);

const PRICE = 1_000;
const fail = (code: string): RefResult => ({ ok: false, code });

export class ReservationReference extends ReferenceCore {
  // ---- commands -----------------------------------------------------------------------------------------------
  apply(cmd: Command): { result: RefResult; events: EngineEvent[] } {
    this.events = [];
    this.nowMs = Math.max(this.nowMs, cmd.nowMs);
    this.settleDue();
    const result = this.run(cmd);
    return { result, events: this.events };
  }

  protected sellable(): RefResult | null {
    if (this.closedBy === 'ended') return fail('offer_ended');
    if (this.status === 'closed') return fail('offer_closed');
    if (this.status === 'paused') return fail('offer_paused');
    return null;
  }

  protected run(cmd: Command): RefResult {
    const now = this.nowMs;
    const queue = this.s.mode === 'queue';
    switch (cmd.type) {
      case 'tick':
        return { ok: true };
      case 'pause_offer':
      case 'resume_offer':
        if (this.status === 'closed') return fail('offer_closed');
        if (cmd.type === 'pause_offer' && this.status === 'active') {
          this.status = 'paused';
          this.emit({ type: 'offer_paused', atMs: now });
        }
        if (cmd.type === 'resume_offer' && this.status === 'paused') {
          this.status = 'active';
          this.emit({ type: 'offer_resumed', atMs: now });
        }
        return { ok: true };
      case 'close_offer':
        if (this.status === 'closed') return fail('offer_closed');
        this.close('merchant', now);
        return { ok: true };
      case 'edit_offer': {
        const inventory = cmd.patch.inventory!;
        if (this.status === 'closed') return fail('offer_closed');
        if (inventory < this.turns.length) return fail('edit_breaks_promise');
        if (!queue && this.bookings.some((b) => b.status !== 'waiting' && b.unit >= inventory)) return fail('edit_breaks_promise');
        this.inventory = inventory;
        // The units freed are offered first; the edit's event, carrying the offer as it now stands, follows.
        if (queue) this.serve(now);
        else this.promote(now);
        this.emit({ type: 'offer_edited', fields: ['inventory'], atMs: now });
        return { ok: true };
      }
      case 'join_queue': {
        if (!queue) return fail('wrong_mechanism');
        const closed = this.sellable();
        if (closed) return closed;
        if (this.turns.some((t) => t.shopperId === cmd.shopperId) || this.waiting.some((w) => w.shopperId === cmd.shopperId)) return fail('already_queued');
        const mustWait = this.waiting.length > 0 || this.inventory - this.turns.length <= 0;
        if (mustWait && this.waiting.length >= this.s.waitlistMax) return fail('queue_full');
        const ticket = ++this.tickets;
        const creditScore = cmd.creditScore ?? null;
        if (!mustWait) {
          const turn = this.offerTurn(cmd.shopperId, creditScore, now);
          return { ok: true, ticket, holdId: turn.id, expiresAtMs: turn.expiresAtMs };
        }
        const w: Waiting = { shopperId: cmd.shopperId, ticket, cls: Math.min(cmd.priorityClass, this.s.priorityClasses - 1), joinedAtMs: now, creditScore };
        this.waiting.push(w);
        this.queueChanged('joined', w, now);
        const position = this.position(this.waiting, w, now);
        return { ok: true, ticket, position, estimatedWaitMs: this.estimate(position) };
      }
      case 'leave_queue': {
        if (!queue) return fail('wrong_mechanism');
        const w = this.waiting.find((x) => x.shopperId === cmd.shopperId);
        if (!w) return fail('not_queued');
        this.waiting.splice(this.waiting.indexOf(w), 1);
        this.queueChanged('left', w, now);
        return { ok: true, ticket: w.ticket };
      }
      case 'return_unit': {
        if (!queue) return fail('wrong_mechanism');
        if (this.number(cmd.rentalId, 'h') === null) return fail('unknown_rental');
        const t = this.turns.find((x) => x.id === cmd.rentalId);
        if (t && t.shopperId !== cmd.shopperId) return fail('not_holder');
        if (!t || t.status !== 'rented') return fail('unknown_rental');
        this.emit({ type: 'rental_ended', rentalId: t.id, shopperId: t.shopperId, startedAtMs: t.startedAtMs, durationMs: now - t.startedAtMs!, depositReleasedMinor: t.depositMinor, atMs: now });
        this.endTurn(t, now);
        return { ok: true, rentalId: t.id, depositReleasedMinor: t.depositMinor };
      }
      case 'confirm_hold':
      case 'extend_hold':
      case 'release_hold':
        return queue ? this.turnCommand(cmd, now) : this.bookingHoldCommand(cmd, now);
      case 'book_slot':
        return this.book(cmd, now);
      case 'cancel_booking':
        return this.cancel(cmd, now);
      default:
        throw new Error(`the reservation reference does not model ${cmd.type}`);
    }
  }

  protected turnCommand(cmd: Extract<Command, { type: 'confirm_hold' | 'extend_hold' | 'release_hold' }>, now: number): RefResult {
    if (this.number(cmd.holdId, 'h') === null) return fail('unknown_hold');
    const t = this.turns.find((x) => x.id === cmd.holdId);
    if (t && t.shopperId !== cmd.shopperId) return fail('not_holder');
    if (!t || t.status !== 'held') return fail('hold_expired');
    if (cmd.type === 'confirm_hold') {
      t.status = 'rented';
      t.startedAtMs = now;
      t.chargedMinor = PRICE;
      t.depositMinor = this.deposit(t.creditScore);
      this.emit({ type: 'rental_started', rentalId: t.id, shopperId: t.shopperId, unitPriceMinor: PRICE, chargedMinor: PRICE, depositMinor: t.depositMinor, ruleSetVersion: 1, atMs: now });
      return { ok: true, chargedMinor: PRICE, rentalId: t.id, depositMinor: t.depositMinor };
    }
    if (cmd.type === 'extend_hold') {
      if (this.s.holdExtensionMs === undefined || t.extended) return fail('extension_unavailable');
      t.expiresAtMs += this.s.holdExtensionMs;
      t.extended = true;
      this.emit({ type: 'hold_extended', holdId: t.id, shopperId: t.shopperId, expiresAtMs: t.expiresAtMs, atMs: now });
      return { ok: true, holdId: t.id, expiresAtMs: t.expiresAtMs };
    }
    this.emit({ type: 'hold_released', holdId: t.id, shopperId: t.shopperId, reason: 'declined', atMs: now });
    this.endTurn(t, now);
    return { ok: true, holdId: t.id };
  }

  protected bookingHoldCommand(cmd: Extract<Command, { type: 'confirm_hold' | 'extend_hold' | 'release_hold' }>, now: number): RefResult {
    if (this.number(cmd.holdId, 'b') === null) return fail('unknown_hold');
    const b = this.bookings.find((x) => x.id === cmd.holdId);
    if (b && b.shopperId !== cmd.shopperId) return fail('not_holder');
    if (!b) return fail('hold_expired');
    if (b.status === 'waiting') return fail('unknown_hold');
    if (b.status === 'confirmed') return fail('hold_expired');
    if (cmd.type === 'confirm_hold') {
      b.status = 'confirmed';
      b.chargedMinor = PRICE;
      b.depositMinor = this.deposit(b.creditScore);
      this.emit({ type: 'booking_confirmed', bookingId: b.id, shopperId: b.shopperId, unit: b.unit, startMs: b.startMs, endMs: b.endMs, unitPriceMinor: PRICE, chargedMinor: PRICE, depositMinor: b.depositMinor, ruleSetVersion: 1, atMs: now });
      return { ok: true, chargedMinor: PRICE, bookingId: b.id, status: 'confirmed', unit: b.unit, depositMinor: b.depositMinor };
    }
    if (cmd.type === 'extend_hold') {
      if (this.s.holdExtensionMs === undefined || b.extended) return fail('extension_unavailable');
      const expiresAtMs = Math.min(b.expiresAtMs + this.s.holdExtensionMs, b.endMs);
      if (expiresAtMs === b.expiresAtMs) return fail('extension_unavailable');
      b.expiresAtMs = expiresAtMs;
      b.extended = true;
      this.emit({ type: 'hold_extended', holdId: b.id, shopperId: b.shopperId, expiresAtMs, atMs: now });
      return { ok: true, holdId: b.id, bookingId: b.id, expiresAtMs };
    }
    return this.releaseBooking(b, 'declined', now);
  }

  protected releaseBooking(b: Booking, reason: string, now: number): RefResult {
    this.emit({ type: 'hold_released', holdId: b.id, shopperId: b.shopperId, reason, atMs: now });
    this.bookings.splice(this.bookings.indexOf(b), 1);
    this.promote(now);
    return { ok: true, holdId: b.id, bookingId: b.id };
  }

  protected book(cmd: Extract<Command, { type: 'book_slot' }>, now: number): RefResult {
    if (this.s.mode !== 'slots') return fail('wrong_mechanism');
    const closed = this.sellable();
    if (closed) return closed;
    const { startMs, endMs } = cmd;
    const length = endMs - startMs;
    if (endMs <= startMs || startMs < now) return fail('invalid_slot');
    if (this.s.slotMinMs !== undefined && length < this.s.slotMinMs) return fail('invalid_slot');
    if (length > (this.s.slotMaxMs ?? 30 * 24 * 3_600_000)) return fail('invalid_slot');
    if (this.perShopperLimit !== null && this.bookings.filter((b) => b.shopperId === cmd.shopperId).length + 1 > this.perShopperLimit) return fail('limit_exceeded');
    const unit = this.unitFor(startMs, endMs);
    const key = `${startMs}-${endMs}`;
    if (unit < 0) {
      if (!cmd.waitlist || startMs <= now) return fail('slot_unavailable');
      const waiting = this.waitingFor(key);
      if (waiting.some((b) => b.shopperId === cmd.shopperId)) return fail('already_queued');
      if (waiting.length >= this.s.waitlistMax) return fail('queue_full');
    }
    const number = ++this.issued;
    const b: Booking = {
      id: `${this.offerId}~b${number}`, number, shopperId: cmd.shopperId, ticket: ++this.tickets, cls: Math.min(cmd.priorityClass, this.s.priorityClasses - 1),
      joinedAtMs: now, creditScore: cmd.creditScore ?? null, status: 'waiting', startMs, endMs, unit: -1, expiresAtMs: 0, extended: false, chargedMinor: 0, depositMinor: 0,
    };
    this.bookings.push(b);
    if (unit >= 0) {
      this.hold(b, unit, now);
      return { ok: true, bookingId: b.id, status: 'held', holdId: b.id, expiresAtMs: b.expiresAtMs, unit, ticket: b.ticket };
    }
    if (!this.waitlistKeys.includes(key)) this.waitlistKeys.push(key);
    const waiting = this.waitingFor(key);
    this.emit({ type: 'booking_waitlisted', bookingId: b.id, shopperId: b.shopperId, startMs, endMs, ticket: b.ticket, waiting: waiting.length, atMs: now });
    return { ok: true, bookingId: b.id, status: 'waiting', ticket: b.ticket, position: this.position(waiting, b, now) };
  }

  protected cancel(cmd: Extract<Command, { type: 'cancel_booking' }>, now: number): RefResult {
    if (this.s.mode !== 'slots') return fail('wrong_mechanism');
    if (this.number(cmd.bookingId, 'b') === null) return fail('unknown_booking');
    const b = this.bookings.find((x) => x.id === cmd.bookingId);
    if (b && b.shopperId !== cmd.shopperId) return fail('not_holder');
    if (!b) return fail('unknown_booking');
    if (b.status === 'held') return this.releaseBooking(b, 'cancelled', now);
    if (b.status === 'waiting') {
      this.bookings.splice(this.bookings.indexOf(b), 1);
      this.forgetEmptyWaitlists();
      const waiting = this.waitingFor(`${b.startMs}-${b.endMs}`).length;
      this.emit({ type: 'waitlist_left', bookingId: b.id, shopperId: b.shopperId, startMs: b.startMs, endMs: b.endMs, waiting, atMs: now });
      return { ok: true, bookingId: b.id };
    }
    const refundMinor = now < b.startMs ? b.chargedMinor : 0;
    this.emit({ type: 'booking_cancelled', bookingId: b.id, shopperId: b.shopperId, refundMinor, depositReleasedMinor: b.depositMinor, atMs: now });
    this.bookings.splice(this.bookings.indexOf(b), 1);
    this.promote(now);
    return { ok: true, refundMinor, bookingId: b.id, depositReleasedMinor: b.depositMinor };
  }
}
