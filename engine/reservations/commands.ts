// Reservation settings and the commands shoppers send to queued resources and bookable slots (SPEC §4). The
// offer's inventory is the resource's capacity (units); its rule set prices a rental or a booking (the contract:
// docs/reservations.md). Every command names its offer, so an offer's reservations live wholly inside it.
import { z } from 'zod';
import { commandBase, DurationMs, Id, Money, shopperFacts, TimeMs } from '../schema-primitives.ts';

export const ReservationSettings = z.strictObject({
  type: z.literal('reservation'),
  /** `queue`: wait for the next free unit, rent it, return it. `slots`: book a unit for `[startMs, endMs)`. */
  mode: z.enum(['queue', 'slots']),
  /** How long an offered unit (or an unconfirmed booking) is held for its shopper to confirm. */
  holdMs: DurationMs,
  /** A hold may be extended once by this much. Absent: holds cannot be extended. */
  holdExtensionMs: DurationMs.optional(),
  /** Held when a rental or booking is confirmed, released when it ends. 0: no deposit. */
  depositMinor: Money.default(0),
  /** Shoppers whose credit score is at least this pay no deposit. Absent: nobody is waived. */
  depositWaiverCreditScore: z.number().int().min(0).max(1_000).optional(),
  /** Priority classes, 0 the highest. FIFO within a class. */
  priorityClasses: z.number().int().min(1).max(8).default(1),
  /** A waiting shopper moves up one class per this much waiting, so no class starves. Absent: no aging. */
  agingMs: DurationMs.optional(),
  /** Most shoppers waiting at once (queue, or each slot's waitlist). */
  waitlistMax: z.number().int().min(1).max(100_000).default(10_000),
  /** `slots`: free time kept after each booking of a unit before the next may start. */
  slotBufferMs: z.number().int().min(0).max(24 * 3_600_000).default(0),
  /** `slots`: shortest and longest booking. */
  slotMinMs: DurationMs.optional(),
  slotMaxMs: DurationMs.optional(),
});

/**
 * Shopper facts a reservation needs besides who they are, as the gateway vouches for them (from the token): the
 * member tier as a priority class (0 the highest; one the offer does not have counts as its lowest) and the credit
 * score that may waive the deposit.
 */
const renter = {
  ...shopperFacts,
  priorityClass: z.number().int().min(0).max(7).default(0),
  creditScore: z.number().int().min(0).max(1_000).optional(),
};
const holdOwner = { ...commandBase, shopperId: Id, offerId: Id };

export const JoinQueue = z.strictObject({ type: z.literal('join_queue'), ...commandBase, ...renter, offerId: Id });
export const LeaveQueue = z.strictObject({ type: z.literal('leave_queue'), ...holdOwner });
/**
 * Confirms a hold (`holdId` from `hold_offered`; a slot hold's id is its booking id): a queue hold starts a rental
 * under the same id, a booking hold confirms the booking. Only the hold's own shopper may confirm, extend or release.
 */
export const ConfirmHold = z.strictObject({ type: z.literal('confirm_hold'), ...holdOwner, holdId: Id });
export const ExtendHold = z.strictObject({ type: z.literal('extend_hold'), ...holdOwner, holdId: Id });
/** Declines a hold: the unit passes to the next shopper waiting. */
export const ReleaseHold = z.strictObject({ type: z.literal('release_hold'), ...holdOwner, holdId: Id });
export const ReturnUnit = z.strictObject({ type: z.literal('return_unit'), ...holdOwner, rentalId: Id });
/**
 * Books `[startMs, endMs)` on the lowest unit free then, as a hold to confirm; when none is free, waits on that exact
 * slot's waitlist if `waitlist` (a waiting booking has its id already; cancel_booking takes it off the waitlist).
 */
export const BookSlot = z.strictObject({
  type: z.literal('book_slot'),
  ...commandBase,
  ...renter,
  offerId: Id,
  startMs: TimeMs,
  endMs: TimeMs,
  waitlist: z.boolean().default(true),
});
export const CancelBooking = z.strictObject({ type: z.literal('cancel_booking'), ...holdOwner, bookingId: Id });

export const RESERVATION_COMMANDS = [JoinQueue, LeaveQueue, ConfirmHold, ExtendHold, ReleaseHold, ReturnUnit, BookSlot, CancelBooking] as const;

export type ReservationCommand = z.output<(typeof RESERVATION_COMMANDS)[number]>;
export type ReservationCommandOf<T extends ReservationCommand['type']> = Extract<ReservationCommand, { type: T }>;

export type ReservationSettings = z.output<typeof ReservationSettings>;
