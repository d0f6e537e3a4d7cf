// Distributions and arrival processes have the shape their parameters promise. Seeds are fixed, and every bound
// is several standard errors wide, so these checks are exact repeats of the same draws and never flake.
import { describe, expect, it } from 'vitest';
import { arrivalStream, deriveSeed, sample, sampleInt, streamFor, theoreticalMean, type ArrivalProcess, type Distribution } from '../../simulations/index.ts';

const N = 20_000;

function draws(d: Distribution, seed = 11): number[] {
  const rng = streamFor(seed, 'test');
  return Array.from({ length: N }, () => sample(d, rng));
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: number[]) => {
  const m = mean(xs);
  return Math.sqrt(mean(xs.map((x) => (x - m) ** 2)));
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function offsets(process: ArrivalProcess, horizonMs: number, seed = 5): number[] {
  const stream = arrivalStream(process, streamFor(seed, 'arrivals'), horizonMs);
  const out: number[] = [];
  for (let t = stream.next(); t !== null && t < horizonMs; t = stream.next()) out.push(t);
  return out;
}

describe('distributions', () => {
  it('fixed is exact', () => {
    expect(new Set(draws({ type: 'fixed', value: 7 }))).toEqual(new Set([7]));
  });

  it('uniform stays in [min, max) with the middle as its mean', () => {
    const xs = draws({ type: 'uniform', min: 10, max: 30 });
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(10);
    expect(Math.max(...xs)).toBeLessThan(30);
    expect(mean(xs)).toBeCloseTo(20, 0);
    // A flat histogram: each quarter holds about a quarter of the draws.
    for (let q = 0; q < 4; q++) expect(xs.filter((x) => x >= 10 + 5 * q && x < 15 + 5 * q).length / N).toBeCloseTo(0.25, 1);
  });

  it('exponential has its mean as its standard deviation, and a median of mean·ln 2', () => {
    const xs = draws({ type: 'exponential', mean: 300 });
    expect(Math.abs(mean(xs) / 300 - 1)).toBeLessThan(0.05);
    expect(Math.abs(sd(xs) / 300 - 1)).toBeLessThan(0.08);
    expect(Math.abs(median(xs) / (300 * Math.LN2) - 1)).toBeLessThan(0.06);
    expect(Math.min(...xs)).toBeGreaterThan(0);
  });

  it('normal has its mean and standard deviation, and 68 % within one sd', () => {
    const xs = draws({ type: 'normal', mean: 100, sd: 15 });
    expect(Math.abs(mean(xs) - 100)).toBeLessThan(0.6);
    expect(Math.abs(sd(xs) / 15 - 1)).toBeLessThan(0.04);
    expect(xs.filter((x) => Math.abs(x - 100) < 15).length / N).toBeCloseTo(0.683, 1);
  });

  it('log-normal has its median, and the mean e^(mu + sigma²/2)', () => {
    const d: Distribution = { type: 'log_normal', median: 50, sigma: 0.5 };
    const xs = draws(d);
    expect(Math.abs(median(xs) / 50 - 1)).toBeLessThan(0.04);
    expect(Math.abs(mean(xs) / theoreticalMean(d) - 1)).toBeLessThan(0.04);
    expect(Math.min(...xs)).toBeGreaterThan(0);
  });

  it('clamps to min and max, and integer draws respect their floor', () => {
    const xs = draws({ type: 'normal', mean: 0, sd: 10, min: -5, max: 5 });
    expect(Math.min(...xs)).toBe(-5);
    expect(Math.max(...xs)).toBe(5);
    const rng = streamFor(1, 'ints');
    const ints = Array.from({ length: 1_000 }, () => sampleInt({ type: 'normal', mean: 0, sd: 3 }, rng, 1));
    expect(ints.every((x) => Number.isInteger(x) && x >= 1)).toBe(true);
  });

  it('streams named differently are independent; the same name repeats', () => {
    expect(deriveSeed(1, 'shopper:s1')).not.toBe(deriveSeed(1, 'shopper:s2'));
    expect(deriveSeed(1, 'shopper:s1')).not.toBe(deriveSeed(2, 'shopper:s1'));
    const a = streamFor(9, 'x');
    const b = streamFor(9, 'x');
    expect(Array.from({ length: 5 }, () => a.next())).toEqual(Array.from({ length: 5 }, () => b.next()));
  });
});

describe('arrival processes', () => {
  it('poisson: the count of a rate over a window, and exponential gaps', () => {
    const times = offsets({ type: 'poisson', rate: 10, per: 'minute', from: 0 }, 600 * 60_000);
    // 6000 expected; the standard deviation is about 77.
    expect(Math.abs(times.length - 6_000)).toBeLessThan(400);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    expect(Math.abs(mean(gaps) / 6_000 - 1)).toBeLessThan(0.05);
    expect(Math.abs(sd(gaps) / mean(gaps) - 1)).toBeLessThan(0.08);
    expect(times.every((t, i) => i === 0 || t >= times[i - 1]!)).toBe(true);
  });

  it('poisson honours from and until', () => {
    const times = offsets({ type: 'poisson', rate: 1, per: 'second', from: 60_000, until: 120_000 }, 3_600_000);
    expect(Math.min(...times)).toBeGreaterThanOrEqual(60_000);
    expect(Math.max(...times)).toBeLessThan(120_000);
    expect(Math.abs(times.length - 60)).toBeLessThan(30);
  });

  it('a burst brings exactly its count, in order, within its spread', () => {
    const uniform = offsets({ type: 'burst', at: 10_000, count: 5_000, spread: 60_000, shape: 'uniform' }, 1e9);
    expect(uniform).toHaveLength(5_000);
    expect(uniform.every((t, i) => i === 0 || t >= uniform[i - 1]!)).toBe(true);
    expect(Math.min(...uniform)).toBeGreaterThanOrEqual(10_000);
    expect(Math.max(...uniform)).toBeLessThanOrEqual(70_000);
    expect(Math.abs(median(uniform) - 40_000)).toBeLessThan(2_000);
    const front = offsets({ type: 'burst', at: 0, count: 5_000, spread: 60_000, shape: 'front_loaded' }, 1e9);
    expect(front).toHaveLength(5_000);
    // Density decaying with a mean of a quarter of the spread: the median is near ln 2 / 4 of it.
    expect(Math.abs(median(front) / (60_000 * Math.LN2 / 4) - 1)).toBeLessThan(0.1);
    expect(offsets({ type: 'burst', at: 5, count: 3, spread: 0, shape: 'uniform' }, 1e9)).toEqual([5, 5, 5]);
  });

  it('a trace plays its offsets in order, stretched', () => {
    expect(offsets({ type: 'trace', offsets: [3_000, 1_000, 2_000], stretch: 2 }, 1e9)).toEqual([2_000, 4_000, 6_000]);
  });
});
