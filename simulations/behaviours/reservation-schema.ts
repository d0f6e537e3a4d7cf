// What renters of a reservation queue do (a rental queue: bikes, power banks, chargers). A renter arrives, may ask
// the price first and walk away when it is above what a rental is worth to it, joins the offer's queue with its
// priority class and credit score (what its token vouches for), leaves the line when its patience runs out, and
// answers the hold it is offered: confirm (the rental starts), decline, or let it expire. A rental lasts a random
// time; then the unit is returned and passes to the next in line.
import { z } from 'zod';
import { DurationDistribution, NumberDistribution } from '../distributions.ts';
import { OfferWeights, Weight } from './shared.ts';

export const ReservationBehaviour = z.strictObject({
  mechanism: z.literal('reservation'),
  offerWeights: OfferWeights,
  /** What a rental is worth to the renter (minor units). With it, a renter quotes first and walks away above it. */
  valueMinor: NumberDistribution.optional(),
  /** Weights of priority classes 0 (highest), 1, … (its token's `priorityClass`); at most 8 classes. */
  priorityClass: z.array(Weight).min(1).max(8).default([1])
    .refine((w) => w.some((x) => x > 0), { message: 'give at least one class a weight above 0' }),
  /** The renter's credit score (its token's `creditScore`, rounded, 0–1000); absent: none, no deposit waiver. */
  creditScore: NumberDistribution.optional(),
  /** How long a renter waits in line before leaving it (abandoning). Absent: waits until served. */
  patience: DurationDistribution.optional(),
  /** What a renter does with a hold, by weight: confirm it, decline it, or ignore it (it expires). */
  holdResponse: z
    .strictObject({ confirm: Weight.default(1), decline: Weight.default(0), ignore: Weight.default(0) })
    .default({ confirm: 1, decline: 0, ignore: 0 })
    .refine((r) => r.confirm + r.decline + r.ignore > 0, { message: 'at least one response must have a weight above 0' }),
  /** How long after a hold is offered the renter answers it (confirm or decline); past the hold it has expired. */
  confirmDelay: DurationDistribution.default({ type: 'fixed', value: 0 }),
  /** How long a rental lasts before the unit is returned. */
  rentalDuration: DurationDistribution,
});

export type ReservationBehaviour = z.output<typeof ReservationBehaviour>;
