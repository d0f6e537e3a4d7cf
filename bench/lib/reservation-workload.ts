// Reproducible command streams for the reservation benchmark: one for queue offers (join, confirm, extend, release,
// return, leave, and the expiries that ticks bring), one for slots offers (book, confirm, release, cancel, and the
// expiries, completions and waitlist closings that ticks bring).
//
// As in the engine benchmark (workload.ts), the generator drives a reference engine while it builds the stream and
// reads its events, so commands name holds, rentals and bookings that really are live: the timed runs replay the
// same stream on a fresh engine and do the same work. Everything random comes from one seed.
import { Engine, type Command, type EngineEvent } from '../../engine/index.ts';
import { Prng } from '../../simulations/prng.ts';

export type ReservationMode = 'queue' | 'slots';

export interface ReservationWorkloadOptions {
  mode: ReservationMode;
  seed: number;
  offers: number;
  shoppers: number;
  commands: number;
  /** Commands per simulated second: with hold and slot lengths, how often holds lapse and bookings end. */
  simCommandsPerSecond: number;
  startMs: number;
}

/** Shares of each command in the stream, per mode. */
export const RESERVATION_MIX: Record<ReservationMode, readonly { type: Command['type']; share: number }[]> = {
  queue: [
    { type: 'join_queue', share: 0.32 },
    { type: 'confirm_hold', share: 0.2 },
    { type: 'return_unit', share: 0.2 },
    { type: 'release_hold', share: 0.05 },
    { type: 'extend_hold', share: 0.03 },
    { type: 'leave_queue', share: 0.1 },
    { type: 'tick', share: 0.1 },
  ],
  slots: [
    { type: 'book_slot', share: 0.45 },
    { type: 'confirm_hold', share: 0.25 },
    { type: 'release_hold', share: 0.05 },
    { type: 'cancel_booking', share: 0.15 },
    { type: 'tick', share: 0.1 },
  ],
};

export interface OutcomeCounts {
  byType: Record<string, Record<string, number>>;
  total: number;
  accepted: number;
}

export interface ReservationWorkload {
  options: ReservationWorkloadOptions;
  setup: Command[];
  commands: Command[];
  /** The shopper (or offer, for ticks) each command touches, for the Map baseline. */
  baselineKeys: string[];
  outcomes: OutcomeCounts;
  /** Events the reference run emitted, by type. */
  events: Record<string, number>;
  eventTotal: number;
  simulatedSeconds: number;
}

const MINUTE = 60_000;

/** A set with O(1) add, remove and uniform random pick: the live holds, rentals and bookings the stream targets. */
class LiveSet<T> {
  private readonly index = new Map<string, number>();
  private readonly keys: string[] = [];
  private readonly values: T[] = [];

  get size(): number {
    return this.keys.length;
  }

  add(key: string, value: T): void {
    if (this.index.has(key)) return;
    this.index.set(key, this.keys.length);
    this.keys.push(key);
    this.values.push(value);
  }

  delete(key: string): void {
    const at = this.index.get(key);
    if (at === undefined) return;
    const lastKey = this.keys.pop()!;
    const lastValue = this.values.pop()!;
    if (at < this.keys.length) {
      this.keys[at] = lastKey;
      this.values[at] = lastValue;
      this.index.set(lastKey, at);
    }
    this.index.delete(key);
  }

  pick(prng: Prng): [string, T] | null {
    if (this.keys.length === 0) return null;
    const at = prng.int(0, this.keys.length - 1);
    return [this.keys[at]!, this.values[at]!];
  }
}

interface Owned {
  offerId: string;
  shopperId: string;
}

function buildOffers(prng: Prng, options: ReservationWorkloadOptions): Command[] {
  const setup: Command[] = [];
  for (let i = 0; i < options.offers; i++) {
    const queue = options.mode === 'queue';
    setup.push({
      type: 'create_offer',
      nowMs: options.startMs,
      merchantId: `m${i % 1_000}`,
      offerId: `r${i}`,
      currency: 'CNY',
      title: `Shared item ${i}`,
      inventory: queue ? prng.int(1, 8) : prng.int(2, 8),
      basePriceMinor: prng.int(100, 5_000),
      mechanism: {
        type: 'reservation',
        mode: options.mode,
        holdMs: prng.int(10, 60) * 1_000,
        ...(prng.chance(0.5) ? { holdExtensionMs: 30_000 } : {}),
        depositMinor: prng.chance(0.7) ? 10_000 : 0,
        ...(prng.chance(0.5) ? { depositWaiverCreditScore: 700 } : {}),
        priorityClasses: prng.int(1, 3),
        ...(prng.chance(0.5) ? { agingMs: 60_000 } : {}),
        waitlistMax: queue ? 1_000 : 20,
        slotBufferMs: queue ? 0 : prng.chance(0.5) ? 5 * MINUTE : 0,
      },
    });
  }
  return setup;
}

function countOutcome(outcomes: OutcomeCounts, type: string, outcome: string): void {
  const row = (outcomes.byType[type] ??= {});
  row[outcome] = (row[outcome] ?? 0) + 1;
  outcomes.total += 1;
  if (outcome === 'accepted') outcomes.accepted += 1;
}

/** What the stream knows of the reference engine's state, kept up to date from its events. */
class Tracker {
  readonly holds = new LiveSet<Owned>();
  readonly rentals = new LiveSet<Owned>();
  readonly waiting = new LiveSet<Owned>();
  readonly confirmed = new LiveSet<Owned>();
  /** Waiting bookings by slot, so a closed waitlist takes them all off `waiting`. */
  private readonly waitingBySlot = new Map<string, Set<string>>();

  read(events: EngineEvent[]): void {
    for (const event of events) {
      switch (event.type) {
        case 'hold_offered':
          this.holds.add(event.holdId, { offerId: event.offerId, shopperId: event.shopperId });
          this.unwait(event.holdId, event.slot && `${event.offerId}|${event.slot.startMs}-${event.slot.endMs}`);
          break;
        case 'rental_started':
          this.holds.delete(event.rentalId);
          this.rentals.add(event.rentalId, { offerId: event.offerId, shopperId: event.shopperId });
          break;
        case 'booking_confirmed':
          this.holds.delete(event.bookingId);
          this.confirmed.add(event.bookingId, { offerId: event.offerId, shopperId: event.shopperId });
          break;
        case 'hold_released':
        case 'hold_expired':
          this.holds.delete(event.holdId);
          break;
        case 'rental_ended':
          this.rentals.delete(event.rentalId);
          break;
        case 'booking_cancelled':
        case 'booking_completed':
          this.confirmed.delete(event.bookingId);
          break;
        case 'queue_changed':
          if (event.change === 'joined') this.waiting.add(`${event.offerId}|${event.shopperId}`, { offerId: event.offerId, shopperId: event.shopperId! });
          if (event.change === 'left' || event.change === 'served') this.waiting.delete(`${event.offerId}|${event.shopperId}`);
          break;
        case 'booking_waitlisted': {
          const slot = `${event.offerId}|${event.startMs}-${event.endMs}`;
          this.waiting.add(event.bookingId, { offerId: event.offerId, shopperId: event.shopperId });
          let ids = this.waitingBySlot.get(slot);
          if (!ids) this.waitingBySlot.set(slot, (ids = new Set()));
          ids.add(event.bookingId);
          break;
        }
        case 'waitlist_left':
          this.unwait(event.bookingId, `${event.offerId}|${event.startMs}-${event.endMs}`);
          break;
        case 'waitlist_closed': {
          const slot = `${event.offerId}|${event.startMs}-${event.endMs}`;
          for (const id of this.waitingBySlot.get(slot) ?? []) this.waiting.delete(id);
          this.waitingBySlot.delete(slot);
          break;
        }
        default:
          break;
      }
    }
  }

  private unwait(bookingId: string, slot: string | null): void {
    this.waiting.delete(bookingId);
    if (slot === null) return;
    const ids = this.waitingBySlot.get(slot);
    ids?.delete(bookingId);
    if (ids?.size === 0) this.waitingBySlot.delete(slot);
  }
}

function pickType(prng: Prng, mix: readonly { type: Command['type']; share: number }[]): Command['type'] {
  let r = prng.next();
  for (const entry of mix) {
    r -= entry.share;
    if (r < 0) return entry.type;
  }
  return mix[mix.length - 1]!.type;
}

/** The next command of the stream at `nowMs`, naming live things where it can (a few stale or foreign ones on purpose). */
function nextCommand(prng: Prng, options: ReservationWorkloadOptions, tracker: Tracker, nowMs: number): Command {
  const type = pickType(prng, RESERVATION_MIX[options.mode]);
  const shopperId = `s${prng.int(0, options.shoppers - 1)}`;
  const offerId = `r${Math.floor(options.offers * prng.next() ** 1.5)}`;
  // 3 % of hold commands come from someone else than the holder (refused: not_holder).
  const actor = (owned: Owned) => (prng.chance(0.03) ? shopperId : owned.shopperId);
  switch (type) {
    case 'join_queue':
      return { type, nowMs, offerId, shopperId, newcomer: false, priorityClass: prng.int(0, 2), ...(prng.chance(0.5) ? { creditScore: prng.int(300, 900) } : {}) };
    case 'book_slot': {
      const startMs = Math.ceil(nowMs / (5 * MINUTE)) * 5 * MINUTE + prng.int(1, 24) * 5 * MINUTE;
      return {
        type, nowMs, offerId, shopperId, newcomer: false, priorityClass: prng.int(0, 2), startMs, endMs: startMs + prng.int(1, 6) * 5 * MINUTE, waitlist: prng.chance(0.8),
        ...(prng.chance(0.5) ? { creditScore: prng.int(300, 900) } : {}),
      };
    }
    case 'confirm_hold':
    case 'release_hold':
    case 'extend_hold': {
      const hold = tracker.holds.pick(prng);
      if (!hold) return { type: 'tick', nowMs };
      return { type, nowMs, offerId: hold[1].offerId, shopperId: actor(hold[1]), holdId: hold[0] };
    }
    case 'return_unit': {
      const rental = tracker.rentals.pick(prng);
      if (!rental) return { type: 'tick', nowMs };
      return { type, nowMs, offerId: rental[1].offerId, shopperId: actor(rental[1]), rentalId: rental[0] };
    }
    case 'leave_queue': {
      const waiter = tracker.waiting.pick(prng);
      if (!waiter) return { type: 'tick', nowMs };
      return { type, nowMs, offerId: waiter[1].offerId, shopperId: waiter[1].shopperId };
    }
    case 'cancel_booking': {
      const from = prng.chance(0.3) ? tracker.waiting : prng.chance(0.5) ? tracker.holds : tracker.confirmed;
      const booking = from.pick(prng) ?? tracker.confirmed.pick(prng);
      if (!booking) return { type: 'tick', nowMs };
      return { type, nowMs, offerId: booking[1].offerId, shopperId: actor(booking[1]), bookingId: booking[0] };
    }
    default:
      return { type: 'tick', nowMs };
  }
}

/** Builds the offers and the stream, running them through a reference engine to keep the stream coherent. */
export function buildReservationWorkload(options: ReservationWorkloadOptions): ReservationWorkload {
  const prng = new Prng(options.seed);
  const setup = buildOffers(prng, options);
  const engine = new Engine();
  for (const cmd of setup) {
    if (!engine.apply(cmd).result.ok) throw new Error(`workload setup: ${JSON.stringify(cmd)} was refused`);
  }
  const tracker = new Tracker();
  const outcomes: OutcomeCounts = { byType: {}, total: 0, accepted: 0 };
  const events: Record<string, number> = {};
  let eventTotal = 0;
  const commands: Command[] = [];
  const baselineKeys: string[] = [];
  for (let i = 0; i < options.commands; i++) {
    const nowMs = options.startMs + Math.floor((i * 1_000) / options.simCommandsPerSecond);
    const cmd = nextCommand(prng, options, tracker, nowMs);
    const applied = engine.apply(cmd);
    commands.push(cmd);
    const touched = cmd as { shopperId?: string; offerId?: string };
    baselineKeys.push(touched.shopperId ?? touched.offerId ?? 'tick');
    countOutcome(outcomes, cmd.type, applied.result.ok ? 'accepted' : applied.result.code);
    for (const event of applied.events) events[event.type] = (events[event.type] ?? 0) + 1;
    eventTotal += applied.events.length;
    tracker.read(applied.events);
  }
  return { options, setup, commands, baselineKeys, outcomes, events, eventTotal, simulatedSeconds: options.commands / options.simCommandsPerSecond };
}

export function engineWithReservationOffers(workload: ReservationWorkload): Engine {
  const engine = new Engine();
  for (const cmd of workload.setup) engine.apply(cmd);
  return engine;
}
