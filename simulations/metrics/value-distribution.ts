// The distribution of a metric (time to form, unit price paid, ack latency) with memory that does not grow with
// the number of samples. Values are counted exactly while there are few distinct ones (prices usually take a
// handful of values); past `EXACT_VALUES_MAX` distinct values they fold into geometric buckets 1/64 of an octave
// wide, so every quantile stays within about 1 % of the truth. Deterministic: the same samples in the same order
// give the same summary, so reports stay byte-for-byte reproducible.
export interface DistributionSummary {
  count: number;
  mean: number;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  /** For charts: `[lowerBound, upperBound, count]`, at most 30 bins covering min…max (lower = upper: one exact value). */
  bins: [number, number, number][];
}

const EXACT_VALUES_MAX = 2_048;
const BUCKETS_PER_OCTAVE = 64;
const BINS_MAX = 30;

export class ValueDistribution {
  private counts = new Map<number, number>();
  private exact = true;
  private total = 0;
  private sum = 0;
  private minValue = Number.POSITIVE_INFINITY;
  private maxValue = Number.NEGATIVE_INFINITY;

  get count(): number {
    return this.total;
  }

  /** Records `value` `times` times (a seat of three units at one price counts three units). */
  record(value: number, times = 1): void {
    if (!Number.isFinite(value) || times <= 0) return;
    this.total += times;
    this.sum += value * times;
    if (value < this.minValue) this.minValue = value;
    if (value > this.maxValue) this.maxValue = value;
    const key = this.exact ? value : bucketOf(value);
    this.counts.set(key, (this.counts.get(key) ?? 0) + times);
    if (this.exact && this.counts.size > EXACT_VALUES_MAX) this.fold();
  }

  /** The smallest recorded value (or bucket's upper bound, capped at the max) with at least p % at or below it. */
  quantile(p: number): number {
    if (this.total === 0) return 0;
    const target = Math.max(1, Math.ceil((p / 100) * this.total));
    let seen = 0;
    for (const [key, count] of this.sortedEntries()) {
      seen += count;
      if (seen >= target) return this.exact ? key : Math.min(Math.max(upperOf(key), this.minValue), this.maxValue);
    }
    return this.maxValue;
  }

  summary(): DistributionSummary {
    if (this.total === 0) return { count: 0, mean: 0, min: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0, bins: [] };
    return {
      count: this.total,
      mean: round3(this.sum / this.total),
      min: round3(this.minValue),
      p50: round3(this.quantile(50)),
      p90: round3(this.quantile(90)),
      p99: round3(this.quantile(99)),
      p999: round3(this.quantile(99.9)),
      max: round3(this.maxValue),
      bins: this.bins(),
    };
  }

  /**
   * One point bin `[v, v, count]` per value while there are few distinct values; otherwise equal-width bins from
   * min to max (each stored value or bucket lands in the bin of its representative).
   */
  private bins(): [number, number, number][] {
    if (this.exact && this.counts.size <= BINS_MAX) return this.sortedEntries().map(([value, count]) => [round3(value), round3(value), count]);
    const lo = this.minValue;
    const hi = this.maxValue;
    const binCount = hi === lo ? 1 : BINS_MAX;
    const width = (hi - lo) / binCount || 1;
    const bins: [number, number, number][] = [];
    for (let i = 0; i < binCount; i++) bins.push([round3(lo + i * width), round3(i === binCount - 1 ? hi : lo + (i + 1) * width), 0]);
    for (const [key, count] of this.counts) {
      const value = this.exact ? key : Math.min(Math.max(upperOf(key), lo), hi);
      const index = Math.min(binCount - 1, Math.max(0, Math.floor((value - lo) / width)));
      bins[index]![2] += count;
    }
    return bins;
  }

  private sortedEntries(): [number, number][] {
    return [...this.counts.entries()].sort((a, b) => a[0] - b[0]);
  }

  private fold(): void {
    const folded = new Map<number, number>();
    for (const [value, count] of this.counts) {
      const key = bucketOf(value);
      folded.set(key, (folded.get(key) ?? 0) + count);
    }
    this.counts = folded;
    this.exact = false;
  }
}

/** Bucket keys: 0 for values ≤ 0 (and below 1), else the index of the 1/64-octave slice holding the value. */
function bucketOf(value: number): number {
  if (value < 1) return 0;
  return Math.floor(Math.log2(value) * BUCKETS_PER_OCTAVE) + 1;
}

function upperOf(bucket: number): number {
  return bucket === 0 ? 1 : Math.pow(2, bucket / BUCKETS_PER_OCTAVE);
}

export function round3(x: number): number {
  return Math.round(x * 1_000) / 1_000;
}

/** A share in [0, 1] with four decimals, or 0 when the denominator is 0. */
export function ratio(part: number, whole: number): number {
  return whole === 0 ? 0 : Math.round((part / whole) * 10_000) / 10_000;
}
