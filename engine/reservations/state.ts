// The live state of one reservation offer (`Offer.reservation`), and its snapshot form.
//
// Queue mode: shoppers wait in a `ClassQueue`; a free unit goes to the best waiter as a `Turn` (a hold, then the
// rental it becomes once confirmed, under the same id). Slots mode: each `Booking` waits on its slot's waitlist,
// is held on a unit, then confirmed; `units` lists each unit's held and confirmed bookings by start time.
// Indexes (`waitingByShopper`, `turnByShopper`, `units`, `bookingsByShopper`, waitlists' queues) are derived:
// a snapshot stores each thing once, in an order that rebuilds them exactly.
import type { MarketBase, OfferOf } from '../mechanism.ts';
import { ClassQueue, type QueueEntry } from './class-queue.ts';
import type { ReservationSettings } from './commands.ts';

/** Facts about the shopper the gateway vouched for when it asked (kept to price and to charge a deposit later). */
export interface ShopperFacts {
  shopperId: string;
  newcomer: boolean;
  memberTier: string | null;
  creditScore: number | null;
}

/** A shopper waiting in a queue offer's line. */
export interface Waiter extends QueueEntry, ShopperFacts {}

/** A queue turn: a unit held for one shopper (`held`), then rented (`rented`). Id `<offerId>~h<number>`. */
export interface Turn extends ShopperFacts {
  id: string;
  number: number;
  status: 'held' | 'rented';
  /** The ticket it waited with. */
  ticket: number;
  /** When the unit was held for this shopper: its occupancy, for the service-time estimate, starts here. */
  offeredAtMs: number;
  /** While held: when the hold lapses. */
  expiresAtMs: number;
  extended: boolean;
  /** While rented: when it started, what was charged and what deposit is held. */
  startedAtMs: number | null;
  chargedMinor: number;
  depositMinor: number;
}

/**
 * A booking of `[startMs, endMs)`: `waiting` on its slot's waitlist (no unit yet), `held` on a unit until
 * `expiresAtMs`, or `confirmed`. Id `<offerId>~b<number>`; its hold has the same id.
 */
export interface Booking extends QueueEntry, ShopperFacts {
  id: string;
  number: number;
  status: 'waiting' | 'held' | 'confirmed';
  startMs: number;
  endMs: number;
  /** The unit it occupies; -1 while waiting. */
  unit: number;
  expiresAtMs: number;
  extended: boolean;
  chargedMinor: number;
  depositMinor: number;
}

/** The waiting bookings of one exact slot. Closes (drops them) when the slot starts. */
export interface Waitlist {
  startMs: number;
  endMs: number;
  queue: ClassQueue<Booking>;
}

export interface ReservationMarket extends MarketBase<'reservation', ReservationSettings> {
  classes: number;
  /** When the reservation last changed: the time its views default to (positions under aging move with time). */
  asOfMs: number;
  /** Hold and booking numbers issued so far: any number up to it existed, so an unknown one is told from an ended one. */
  issued: number;
  /** Tickets issued (one per join or booking request): the join order that breaks ties within a class. */
  tickets: number;
  /** Queue mode: shoppers served from the waiting line. */
  served: number;
  /** Moving average of how long one shopper occupies a unit (hold + rental), or null before any observation. */
  meanServiceMs: number | null;
  serviceSamples: number;
  /** Replaced by an empty one when the offer closes. */
  queue: ClassQueue<Waiter>;
  waitingByShopper: Map<string, Waiter>;
  /** Live turns (held or rented) in the order they began. */
  turns: Map<string, Turn>;
  turnByShopper: Map<string, Turn>;
  /** Turns rented (the rest of `turns` are held). */
  rentedTurns: number;
  /** Live bookings (waiting, held or confirmed) in the order they were requested. */
  bookings: Map<string, Booking>;
  /** Per unit, its held and confirmed bookings sorted by start (they never overlap, buffer included). */
  units: Booking[][];
  /** Slots with a waitlist, by `slotKey`, in the order they got one. */
  waitlists: Map<string, Waitlist>;
  /** Waiting bookings across all waitlists, and confirmed bookings (the rest of `bookings` are held). */
  waitingBookings: number;
  confirmedBookings: number;
  /**
   * Per shopper, their live bookings in request order (their places count against `perShopperLimit`, and at most
   * `RESERVATION_LIMITS.bookingsPerShopperMax`, so the array stays short).
   */
  bookingsByShopper: Map<string, Booking[]>;
}

// Constructors with every field in one order: objects of one kind share one hidden class (object spread would
// give each a shape of its own, which costs every access on the hot path), whether made by a command or a restore.

export function newWaiter(facts: ShopperFacts, ticket: number, priorityClass: number, joinedAtMs: number): Waiter {
  const { shopperId, newcomer, memberTier, creditScore } = facts;
  return { shopperId, newcomer, memberTier, creditScore, ticket, priorityClass, joinedAtMs, laneSlot: -1 };
}

export function copyTurn(t: Turn): Turn {
  return {
    shopperId: t.shopperId,
    newcomer: t.newcomer,
    memberTier: t.memberTier,
    creditScore: t.creditScore,
    id: t.id,
    number: t.number,
    status: t.status,
    ticket: t.ticket,
    offeredAtMs: t.offeredAtMs,
    expiresAtMs: t.expiresAtMs,
    extended: t.extended,
    startedAtMs: t.startedAtMs,
    chargedMinor: t.chargedMinor,
    depositMinor: t.depositMinor,
  };
}

/** A new booking request, waiting until a unit is held for it. */
export function newBooking(facts: ShopperFacts, id: string, number: number, ticket: number, priorityClass: number, joinedAtMs: number, startMs: number, endMs: number): Booking {
  const { shopperId, newcomer, memberTier, creditScore } = facts;
  return {
    shopperId,
    newcomer,
    memberTier,
    creditScore,
    id,
    number,
    status: 'waiting',
    ticket,
    priorityClass,
    joinedAtMs,
    laneSlot: -1,
    startMs,
    endMs,
    unit: -1,
    expiresAtMs: 0,
    extended: false,
    chargedMinor: 0,
    depositMinor: 0,
  };
}

export function copyBooking(b: Omit<Booking, 'laneSlot'>): Booking {
  return {
    shopperId: b.shopperId,
    newcomer: b.newcomer,
    memberTier: b.memberTier,
    creditScore: b.creditScore,
    id: b.id,
    number: b.number,
    status: b.status,
    ticket: b.ticket,
    priorityClass: b.priorityClass,
    joinedAtMs: b.joinedAtMs,
    laneSlot: -1,
    startMs: b.startMs,
    endMs: b.endMs,
    unit: b.unit,
    expiresAtMs: b.expiresAtMs,
    extended: b.extended,
    chargedMinor: b.chargedMinor,
    depositMinor: b.depositMinor,
  };
}

export function slotKey(startMs: number, endMs: number): string {
  return `${startMs}-${endMs}`;
}

export function newReservationMarket(settings: ReservationSettings, asOfMs: number): ReservationMarket {
  return {
    type: 'reservation',
    settings,
    classes: settings.priorityClasses,
    asOfMs,
    issued: 0,
    tickets: 0,
    served: 0,
    meanServiceMs: null,
    serviceSamples: 0,
    queue: new ClassQueue(settings.priorityClasses),
    waitingByShopper: new Map(),
    turns: new Map(),
    turnByShopper: new Map(),
    rentedTurns: 0,
    bookings: new Map(),
    units: [],
    waitlists: new Map(),
    waitingBookings: 0,
    confirmedBookings: 0,
    bookingsByShopper: new Map(),
  };
}

type WaiterData = Omit<Waiter, 'laneSlot'>;
type BookingData = Omit<Booking, 'laneSlot'>;

/** What a snapshot holds of a reservation: plain JSON-able data, in an order that rebuilds the same state. */
export interface ReservationData {
  type: 'reservation';
  settings: ReservationSettings;
  classes: number;
  asOfMs: number;
  issued: number;
  tickets: number;
  served: number;
  meanServiceMs: number | null;
  serviceSamples: number;
  /** Waiting shoppers by lane (class 0 first), each lane front first. */
  waiting: WaiterData[][];
  turns: Turn[];
  bookings: BookingData[];
  /** Slots with a waitlist, in the order they got one; their waiting bookings are in `bookings`. */
  waitlists: { startMs: number; endMs: number }[];
}

function withoutSlot<T extends QueueEntry>(entry: T): Omit<T, 'laneSlot'> {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { laneSlot, ...rest } = entry;
  return rest;
}

export function toData(state: ReservationMarket): ReservationData {
  return {
    type: 'reservation',
    settings: structuredClone(state.settings),
    classes: state.classes,
    asOfMs: state.asOfMs,
    issued: state.issued,
    tickets: state.tickets,
    served: state.served,
    meanServiceMs: state.meanServiceMs,
    serviceSamples: state.serviceSamples,
    waiting: state.queue.lanesOfEntries().map((lane) => lane.map(withoutSlot)),
    turns: [...state.turns.values()].map(copyTurn),
    bookings: [...state.bookings.values()].map(withoutSlot),
    waitlists: [...state.waitlists.values()].map(({ startMs, endMs }) => ({ startMs, endMs })),
  };
}

export function fromData(data: ReservationData): ReservationMarket {
  const state = newReservationMarket(structuredClone(data.settings), data.asOfMs);
  state.issued = data.issued;
  state.tickets = data.tickets;
  state.served = data.served;
  state.meanServiceMs = data.meanServiceMs;
  state.serviceSamples = data.serviceSamples;
  for (const lane of data.waiting) {
    for (const waiterData of lane) {
      const w = waiterData;
      const waiter = newWaiter(w, w.ticket, w.priorityClass, w.joinedAtMs);
      state.queue.push(waiter);
      state.waitingByShopper.set(waiter.shopperId, waiter);
    }
  }
  for (const turnData of data.turns) {
    const turn = copyTurn(turnData);
    state.turns.set(turn.id, turn);
    state.turnByShopper.set(turn.shopperId, turn);
    if (turn.status === 'rented') state.rentedTurns++;
  }
  for (const { startMs, endMs } of data.waitlists) addWaitlist(state, startMs, endMs);
  for (const bookingData of data.bookings) {
    const booking = copyBooking(bookingData);
    state.bookings.set(booking.id, booking);
    indexBooking(state, booking);
    if (booking.status === 'waiting') {
      const waitlist = state.waitlists.get(slotKey(booking.startMs, booking.endMs))!;
      waitlist.queue.push(booking);
      state.waitingBookings++;
    } else {
      placeOnUnit(state, booking);
      if (booking.status === 'confirmed') state.confirmedBookings++;
    }
  }
  return state;
}

export function addWaitlist(state: ReservationMarket, startMs: number, endMs: number): Waitlist {
  const waitlist: Waitlist = { startMs, endMs, queue: new ClassQueue(state.classes) };
  state.waitlists.set(slotKey(startMs, endMs), waitlist);
  return waitlist;
}

export function indexBooking(state: ReservationMarket, booking: Booking): void {
  const mine = state.bookingsByShopper.get(booking.shopperId);
  if (mine === undefined) state.bookingsByShopper.set(booking.shopperId, [booking]);
  else mine.push(booking);
}

export function unindexBooking(state: ReservationMarket, booking: Booking): void {
  const mine = state.bookingsByShopper.get(booking.shopperId);
  if (mine === undefined) return;
  const index = mine.indexOf(booking);
  if (index >= 0) mine.splice(index, 1);
  if (mine.length === 0) state.bookingsByShopper.delete(booking.shopperId);
}

/** The index of the first booking on the unit starting at or after `startMs` (binary search). */
export function firstStartingAtOrAfter(unit: readonly Booking[], startMs: number): number {
  let low = 0;
  let high = unit.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (unit[mid]!.startMs < startMs) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** Inserts a held or confirmed booking into its unit's list, keeping it sorted by start. */
export function placeOnUnit(state: ReservationMarket, booking: Booking): void {
  while (state.units.length <= booking.unit) state.units.push([]);
  const unit = state.units[booking.unit]!;
  unit.splice(firstStartingAtOrAfter(unit, booking.startMs), 0, booking);
}

export function removeFromUnit(state: ReservationMarket, booking: Booking): void {
  const unit = state.units[booking.unit]!;
  const index = firstStartingAtOrAfter(unit, booking.startMs);
  // Bookings on one unit never overlap, so no two share a start: the one found is this booking.
  if (unit[index] === booking) unit.splice(index, 1);
}

/** A reservation offer, as this folder sees it once the kernel dispatched to it. */
export type ReservationOffer = OfferOf<ReservationMarket>;
