// The state and the rules of the naive reservation model (see reservation-reference.ts, which adds the commands):
// ordering, estimates, deadlines, serving the queue, promoting waitlists, closing, and the views.
import type { EngineEvent } from '../../engine/index.ts';

export interface RefSettings {
  mode: 'queue' | 'slots';
  holdMs: number;
  holdExtensionMs?: number;
  depositMinor: number;
  depositWaiverCreditScore?: number;
  priorityClasses: number;
  agingMs?: number;
  waitlistMax: number;
  slotBufferMs: number;
  slotMinMs?: number;
  slotMaxMs?: number;
}

export interface Waiting {
  shopperId: string;
  ticket: number;
  cls: number;
  joinedAtMs: number;
  creditScore: number | null;
}

export interface Turn {
  id: string;
  number: number;
  shopperId: string;
  status: 'held' | 'rented';
  offeredAtMs: number;
  expiresAtMs: number;
  extended: boolean;
  startedAtMs: number | null;
  chargedMinor: number;
  depositMinor: number;
  creditScore: number | null;
}

export interface Booking extends Waiting {
  id: string;
  number: number;
  status: 'waiting' | 'held' | 'confirmed';
  startMs: number;
  endMs: number;
  unit: number;
  expiresAtMs: number;
  extended: boolean;
  chargedMinor: number;
  depositMinor: number;
}

type Due = { atMs: number; rank: number; order: number; ref: string; settle: () => void };

const SAMPLE_MAX = 365 * 24 * 3_600_000;

export class ReferenceCore {
  nowMs = 0;
  status: 'active' | 'paused' | 'closed' = 'active';
  closedBy: 'merchant' | 'ended' | null = null;
  issued = 0;
  tickets = 0;
  served = 0;
  meanMs: number | null = null;
  waiting: Waiting[] = [];
  turns: Turn[] = [];
  bookings: Booking[] = [];
  /** Slots with a waitlist, in the order they got one (an emptied one is forgotten). */
  waitlistKeys: string[] = [];
  events: EngineEvent[] = [];

  constructor(
    readonly offerId: string,
    readonly s: RefSettings,
    public inventory: number,
    readonly perShopperLimit: number | null,
    readonly endMs: number | null,
    /** Whose offer it is and in which currency: the facts every event carries. */
    readonly facts: { merchantId: string; currency: string } = { merchantId: 'm1', currency: 'CNY' },
  ) {}

  // ---- order and estimates ----------------------------------------------------------------------------------
  cls(w: Waiting, atMs: number): number {
    return this.s.agingMs === undefined ? w.cls : Math.max(0, w.cls - Math.floor((atMs - w.joinedAtMs) / this.s.agingMs));
  }
  before(a: Waiting, b: Waiting, atMs: number): boolean {
    const ca = this.cls(a, atMs);
    const cb = this.cls(b, atMs);
    return ca !== cb ? ca < cb : a.ticket < b.ticket;
  }
  best<T extends Waiting>(list: T[], atMs: number): T | undefined {
    let best: T | undefined;
    for (const w of list) if (!best || this.before(w, best, atMs)) best = w;
    return best;
  }
  position(list: Waiting[], w: Waiting, atMs: number): number {
    return list.filter((v) => v !== w && this.before(v, w, atMs)).length;
  }
  estimate(ahead: number): number | null {
    return this.meanMs === null || this.inventory <= 0 ? null : Math.floor(((ahead + 1) * this.meanMs) / this.inventory);
  }
  deposit(creditScore: number | null): number {
    const waiver = this.s.depositWaiverCreditScore;
    return waiver !== undefined && creditScore !== null && creditScore >= waiver ? 0 : this.s.depositMinor;
  }
  number(id: string, letter: string): number | null {
    const prefix = `${this.offerId}~${letter}`;
    if (!id.startsWith(prefix) || !/^[1-9][0-9]*$/.test(id.slice(prefix.length))) return null;
    const n = Number(id.slice(prefix.length));
    return n <= this.issued ? n : null;
  }

  // ---- time -------------------------------------------------------------------------------------------------
  protected dues(): Due[] {
    const dues: Due[] = [];
    for (const t of this.turns) if (t.status === 'held') dues.push({ atMs: t.expiresAtMs, rank: 0, order: t.number, ref: t.id, settle: () => this.expireTurn(t, t.expiresAtMs) });
    for (const b of this.bookings) {
      if (b.status === 'held') dues.push({ atMs: b.expiresAtMs, rank: 0, order: b.number, ref: b.id, settle: () => this.endBooking(b, b.expiresAtMs) });
      if (b.status === 'confirmed') {
        const at = b.endMs + this.s.slotBufferMs;
        dues.push({ atMs: at, rank: 0, order: b.number, ref: b.id, settle: () => this.endBooking(b, at) });
      }
    }
    for (const key of this.waitlistKeys) {
      const start = Number(key.split('-')[0]);
      dues.push({ atMs: start, rank: 0, order: 0, ref: `waitlist:${key}`, settle: () => this.closeWaitlist(key, 'slot_started', start) });
    }
    if (this.endMs !== null && this.status !== 'closed') dues.push({ atMs: this.endMs, rank: 1, order: 0, ref: '', settle: () => this.close('ended', this.endMs!) });
    return dues;
  }

  nextDeadlineMs(): number | null {
    const dues = this.dues();
    return dues.length === 0 ? null : Math.min(...dues.map((d) => d.atMs));
  }

  protected settleDue(): void {
    for (;;) {
      const dues = this.dues().filter((d) => d.atMs <= this.nowMs);
      if (dues.length === 0) return;
      dues.sort((a, b) => a.atMs - b.atMs || a.rank - b.rank || a.order - b.order || (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0));
      dues[0]!.settle();
    }
  }

  // ---- queue mode ---------------------------------------------------------------------------------------------
  protected emit(event: Record<string, unknown>): void {
    // Every event carries the facts effects need: whose offer it is and in which currency.
    this.events.push({ offerId: this.offerId, ...this.facts, ...event } as unknown as EngineEvent);
  }
  protected queueChanged(change: string, w: Waiting | null, atMs: number): void {
    const head = this.best(this.waiting, atMs);
    this.emit({ type: 'queue_changed', change, shopperId: w?.shopperId ?? null, ticket: w?.ticket ?? null, waiting: this.waiting.length, served: this.served, headTicket: head?.ticket ?? null, atMs });
  }
  protected offerTurn(shopperId: string, creditScore: number | null, atMs: number): Turn {
    const number = ++this.issued;
    const turn: Turn = { id: `${this.offerId}~h${number}`, number, shopperId, status: 'held', offeredAtMs: atMs, expiresAtMs: atMs + this.s.holdMs, extended: false, startedAtMs: null, chargedMinor: 0, depositMinor: 0, creditScore };
    this.turns.push(turn);
    this.emit({ type: 'hold_offered', holdId: turn.id, shopperId, expiresAtMs: turn.expiresAtMs, slot: null, atMs });
    return turn;
  }
  protected serve(atMs: number): void {
    if (this.status === 'closed') return;
    while (this.waiting.length > 0 && this.inventory - this.turns.length > 0) {
      const next = this.best(this.waiting, atMs)!;
      this.waiting.splice(this.waiting.indexOf(next), 1);
      this.served++;
      this.offerTurn(next.shopperId, next.creditScore, atMs);
      this.queueChanged('served', next, atMs);
    }
  }
  protected endTurn(turn: Turn, atMs: number): void {
    this.turns.splice(this.turns.indexOf(turn), 1);
    const sample = Math.min(Math.max(0, atMs - turn.offeredAtMs), SAMPLE_MAX);
    this.meanMs = this.meanMs === null ? sample : Math.floor((this.meanMs * 7 + sample + 4) / 8);
    this.serve(atMs);
  }
  protected expireTurn(turn: Turn, atMs: number): void {
    this.emit({ type: 'hold_expired', holdId: turn.id, shopperId: turn.shopperId, atMs });
    this.endTurn(turn, atMs);
  }

  // ---- slots mode ---------------------------------------------------------------------------------------------
  protected onUnit(unit: number): Booking[] {
    return this.bookings.filter((b) => b.unit === unit && b.status !== 'waiting');
  }
  protected unitFor(startMs: number, endMs: number): number {
    for (let u = 0; u < this.inventory; u++) {
      const buffer = this.s.slotBufferMs;
      if (this.onUnit(u).every((b) => b.endMs + buffer <= startMs || endMs + buffer <= b.startMs)) return u;
    }
    return -1;
  }
  protected waitingFor(key: string): Booking[] {
    return this.bookings.filter((b) => b.status === 'waiting' && `${b.startMs}-${b.endMs}` === key);
  }
  protected hold(b: Booking, unit: number, atMs: number): void {
    b.status = 'held';
    b.unit = unit;
    b.expiresAtMs = Math.min(atMs + this.s.holdMs, b.endMs);
    b.extended = false;
    this.emit({ type: 'hold_offered', holdId: b.id, shopperId: b.shopperId, expiresAtMs: b.expiresAtMs, slot: { unit, startMs: b.startMs, endMs: b.endMs }, atMs });
  }
  protected forgetEmptyWaitlists(): void {
    this.waitlistKeys = this.waitlistKeys.filter((key) => this.waitingFor(key).length > 0);
  }
  protected promote(atMs: number): void {
    if (this.status === 'closed') return;
    for (;;) {
      const fitting = this.bookings.filter((b) => b.status === 'waiting' && this.unitFor(b.startMs, b.endMs) >= 0);
      const next = this.best(fitting, atMs);
      if (!next) return;
      this.hold(next, this.unitFor(next.startMs, next.endMs), atMs);
      this.forgetEmptyWaitlists();
    }
  }
  protected endBooking(b: Booking, atMs: number): void {
    if (b.status === 'held') this.emit({ type: 'hold_expired', holdId: b.id, shopperId: b.shopperId, atMs });
    else this.emit({ type: 'booking_completed', bookingId: b.id, shopperId: b.shopperId, depositReleasedMinor: b.depositMinor, atMs });
    this.bookings.splice(this.bookings.indexOf(b), 1);
    this.promote(atMs);
  }
  protected closeWaitlist(key: string, reason: string, atMs: number): void {
    const dropped = this.waitingFor(key);
    this.bookings = this.bookings.filter((b) => !dropped.includes(b));
    this.waitlistKeys = this.waitlistKeys.filter((k) => k !== key);
    const [startMs, endMs] = key.split('-').map(Number);
    const droppedBookings = [...dropped].sort((a, b) => a.ticket - b.ticket).map((b) => ({ shopperId: b.shopperId, bookingId: b.id }));
    this.emit({ type: 'waitlist_closed', startMs, endMs, dropped: dropped.length, droppedBookings, reason, atMs });
  }

  protected close(reason: 'merchant' | 'ended', atMs: number): void {
    if (this.waiting.length > 0) {
      const droppedShopperIds = [...this.waiting].sort((a, b) => a.ticket - b.ticket).map((w) => w.shopperId);
      this.waiting = [];
      this.emit({ type: 'queue_changed', change: 'closed', shopperId: null, ticket: null, waiting: 0, served: this.served, headTicket: null, droppedShopperIds, atMs });
    }
    for (const t of this.turns.filter((t) => t.status === 'held')) {
      this.emit({ type: 'hold_released', holdId: t.id, shopperId: t.shopperId, reason: 'offer_closed', atMs });
      this.turns.splice(this.turns.indexOf(t), 1);
    }
    for (const key of [...this.waitlistKeys]) this.closeWaitlist(key, 'offer_closed', atMs);
    for (const b of this.bookings.filter((b) => b.status === 'held')) {
      this.emit({ type: 'hold_released', holdId: b.id, shopperId: b.shopperId, reason: 'offer_closed', atMs });
      this.bookings.splice(this.bookings.indexOf(b), 1);
    }
    this.status = 'closed';
    this.closedBy = reason;
    this.emit({ type: 'offer_closed', reason, atMs });
  }

  // ---- views ----------------------------------------------------------------------------------------------------
  view(shopperId: string): Record<string, unknown> {
    const now = this.nowMs;
    const queue = this.s.mode === 'queue';
    const waiter = this.waiting.find((w) => w.shopperId === shopperId);
    const turn = this.turns.find((t) => t.shopperId === shopperId);
    const mine = this.bookings.filter((b) => b.shopperId === shopperId);
    const holds: unknown[] = [];
    if (turn?.status === 'held') holds.push({ holdId: turn.id, expiresAtMs: turn.expiresAtMs, extended: turn.extended, slot: null });
    for (const b of mine) if (b.status === 'held') holds.push({ holdId: b.id, expiresAtMs: b.expiresAtMs, extended: b.extended, slot: { unit: b.unit, startMs: b.startMs, endMs: b.endMs } });
    const headTicket = queue ? (this.best(this.waiting, now)?.ticket ?? null) : null;
    const waitingPosition = waiter ? this.position(this.waiting, waiter, now) : 0;
    return {
      mode: this.s.mode,
      capacity: this.inventory,
      unitsFree: queue ? Math.max(0, this.inventory - this.turns.length) : null,
      waiting: queue ? this.waiting.length : this.bookings.filter((b) => b.status === 'waiting').length,
      served: this.served,
      headTicket,
      holds: queue ? this.turns.filter((t) => t.status === 'held').length : this.bookings.filter((b) => b.status === 'held').length,
      rentals: this.turns.filter((t) => t.status === 'rented').length,
      confirmedBookings: this.bookings.filter((b) => b.status === 'confirmed').length,
      waitlistedSlots: this.waitlistKeys.length,
      meanServiceMs: this.meanMs,
      estimatedWaitMs: queue ? this.estimate(this.waiting.length) : null,
      you: {
        shopperId,
        waiting: waiter
          ? { ticket: waiter.ticket, priorityClass: waiter.cls, effectiveClass: this.cls(waiter, now), joinedAtMs: waiter.joinedAtMs, position: waitingPosition, estimatedWaitMs: this.estimate(waitingPosition) }
          : null,
        holds,
        rentals: turn?.status === 'rented' ? [{ rentalId: turn.id, startedAtMs: turn.startedAtMs, chargedMinor: turn.chargedMinor, depositMinor: turn.depositMinor }] : [],
        bookings: mine.map((b) => ({
          bookingId: b.id,
          ticket: b.ticket,
          status: b.status,
          startMs: b.startMs,
          endMs: b.endMs,
          unit: b.status === 'waiting' ? null : b.unit,
          expiresAtMs: b.status === 'held' ? b.expiresAtMs : null,
          position: b.status === 'waiting' ? this.position(this.waitingFor(`${b.startMs}-${b.endMs}`), b, now) : null,
          chargedMinor: b.chargedMinor,
          depositMinor: b.depositMinor,
        })),
      },
    };
  }

  heldUnits(): number {
    return this.turns.length;
  }
}
