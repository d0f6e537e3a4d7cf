// Distributions for behaviour parameters (values, rental times, patience, invite counts, quantities). A scenario
// names one by `type` with its parameters; a bare number is shorthand for `fixed`. Every kind may carry `min` and
// `max`, which clamp each draw (a normal shopper value never goes negative). Parameters of duration-valued
// distributions accept duration strings ("15m"), so one schema factory serves both.
import { z } from 'zod';
import { Duration } from './durations.ts';
import { openUnit, standardNormal, type Prng } from './random.ts';
import { unreachable } from './unreachable.ts';

export type Distribution =
  | { type: 'fixed'; value: number; min?: number; max?: number }
  | { type: 'uniform'; min: number; max: number }
  | { type: 'exponential'; mean: number; min?: number; max?: number }
  | { type: 'normal'; mean: number; sd: number; min?: number; max?: number }
  | { type: 'log_normal'; median: number; sigma: number; min?: number; max?: number };

type Amount = z.ZodType<number, unknown>;

const positive = (schema: Amount) => schema.refine((x) => x > 0, { message: 'must be > 0' });
const nonNegative = (schema: Amount) => schema.refine((x) => x >= 0, { message: 'must be ≥ 0' });

/** The schema of a distribution whose values are read with `amount` (plain numbers, or durations). */
export function distributionOf(amount: Amount): z.ZodType<Distribution, unknown> {
  const bounds = { min: amount.optional(), max: amount.optional() };
  const kinds = z.discriminatedUnion('type', [
    z.strictObject({ type: z.literal('fixed'), value: amount, ...bounds }),
    z.strictObject({ type: z.literal('uniform'), min: amount, max: amount }),
    z.strictObject({ type: z.literal('exponential'), mean: positive(amount), ...bounds }),
    z.strictObject({ type: z.literal('normal'), mean: amount, sd: nonNegative(amount), ...bounds }),
    /** `median` is e^mu; `sigma` is the standard deviation of the logarithm (0.5: most draws within ×/÷ 2.7). */
    z.strictObject({ type: z.literal('log_normal'), median: positive(amount), sigma: z.number().min(0, 'must be ≥ 0').max(5, 'must be ≤ 5'), ...bounds }),
  ]);
  const object = kinds.superRefine((d, ctx) => {
    if (d.min !== undefined && d.max !== undefined && d.max < d.min) ctx.addIssue({ code: 'custom', path: ['max'], message: 'must not be below min' });
  });
  return z.union([amount.transform((value): Distribution => ({ type: 'fixed', value })), object], {
    error: 'must be a number or a distribution: {type: fixed | uniform | exponential | normal | log_normal, …}',
  }) as z.ZodType<Distribution, unknown>;
}

export const NumberDistribution = distributionOf(z.number().refine(Number.isFinite, { message: 'must be a finite number' }));
export const DurationDistribution = distributionOf(Duration);

/** One draw. Consumers that need integers (ms, minor units, counts) round it themselves. */
export function sample(d: Distribution, rng: Prng): number {
  let x: number;
  switch (d.type) {
    case 'fixed':
      x = d.value;
      break;
    case 'uniform':
      return d.min + rng.next() * (d.max - d.min);
    case 'exponential':
      x = -d.mean * Math.log(openUnit(rng));
      break;
    case 'normal':
      x = d.mean + d.sd * standardNormal(rng);
      break;
    case 'log_normal':
      x = d.median * Math.exp(d.sigma * standardNormal(rng));
      break;
    default:
      return unreachable(d);
  }
  if (d.min !== undefined && x < d.min) x = d.min;
  if (d.max !== undefined && x > d.max) x = d.max;
  return x;
}

/** A rounded draw, at least `floor`: what integer parameters (counts, ms, minor units) use. */
export function sampleInt(d: Distribution, rng: Prng, floor = 0): number {
  const x = Math.round(sample(d, rng));
  return x < floor ? floor : x;
}

/** The distribution's mean before clamping, for documentation and tests. */
export function theoreticalMean(d: Distribution): number {
  switch (d.type) {
    case 'fixed':
      return d.value;
    case 'uniform':
      return (d.min + d.max) / 2;
    case 'exponential':
    case 'normal':
      return d.mean;
    case 'log_normal':
      return d.median * Math.exp((d.sigma * d.sigma) / 2);
    default:
      return unreachable(d);
  }
}
