// Bounds of the reservation mechanism: everything a shopper's input can grow has one, and a command past it is
// refused with a code (see docs/reservations.md, "Bounds").
export const RESERVATION_LIMITS = {
  /** Units of a `slots` offer (its inventory): finding a free unit scans them, so they are kept few. */
  slotUnitsMax: 1_000,
  /** Live (held or confirmed, not yet over) bookings on one unit. */
  bookingsPerUnitMax: 1_000,
  /** Live bookings (waiting, held or confirmed) of one shopper in one offer, whatever its `perShopperLimit`. */
  bookingsPerShopperMax: 100,
  /** Distinct slots with a waitlist at once, per offer. */
  waitlistedSlotsMax: 1_000,
  /** Longest booking when the offer sets no `slotMaxMs`: 30 days. */
  slotLengthMaxMs: 30 * 24 * 3_600_000,
  /** Service times longer than this count as this long in the estimate (keeps estimate arithmetic exact). */
  serviceSampleMaxMs: 365 * 24 * 3_600_000,
  /** Weight of a new service time in the moving average: 1 / 2^shift (here 1/8). */
  serviceAverageShift: 3,
} as const;
