// Seeded randomness for simulations. Every stream of draws gets its own generator, derived from the run's seed and
// a label ("arrivals:0", "shopper:s17"), so what one shopper draws never depends on how many draws another made.
// That keeps runs reproducible from the seed alone, and gives two pricing variants the same shoppers with the same
// values and patience (common random numbers): differences between them come from the rule sets, not from luck.
import { Prng } from './prng.ts';

export { Prng };

/** A 32-bit seed for the stream `label` of the run seeded `seed` (FNV-1a over both, then one avalanche round). */
export function deriveSeed(seed: number, label: string): number {
  let hash = 0x811c9dc5 ^ (seed >>> 0);
  hash = Math.imul(hash, 0x01000193) >>> 0;
  for (let i = 0; i < label.length; i++) {
    hash ^= label.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  // FNV's low bits mix poorly for short labels that differ only at the end; one murmur finaliser fixes that.
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b) >>> 0;
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35) >>> 0;
  hash ^= hash >>> 16;
  return hash >>> 0;
}

export function streamFor(seed: number, label: string): Prng {
  return new Prng(deriveSeed(seed, label));
}

/** Uniform in (0, 1): never 0, so logarithms of it are finite. */
export function openUnit(rng: Prng): number {
  return (rng.nextU32() + 0.5) / 4_294_967_296;
}

/** A standard normal draw (Box–Muller, using two uniforms a draw so the number of draws is fixed). */
export function standardNormal(rng: Prng): number {
  const u = openUnit(rng);
  const v = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Picks a key with probability proportional to its weight (weights ≥ 0, at least one > 0). */
export function pickWeighted<K extends string>(rng: Prng, weights: readonly (readonly [K, number])[]): K {
  let total = 0;
  for (const [, weight] of weights) total += weight;
  let target = rng.next() * total;
  for (const [key, weight] of weights) {
    if (weight <= 0) continue;
    if (target < weight) return key;
    target -= weight;
  }
  // Rounding can leave target a hair above the last weight: the last positive key is the right answer.
  for (let i = weights.length - 1; i >= 0; i--) if (weights[i]![1] > 0) return weights[i]![0];
  throw new Error('pickWeighted needs at least one positive weight');
}
