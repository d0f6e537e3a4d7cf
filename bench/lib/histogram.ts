// A log-linear (HDR-style) histogram of non-negative integers, e.g. latencies in nanoseconds.
//
// Why this shape: latency tails span six orders of magnitude (tens of ns to tens of ms under a GC pause), and
// we want a fixed relative error everywhere with memory that does not grow with the number of samples. Each
// power-of-two range ("bucket") is split into the same number of linear sub-buckets, so every recorded value is
// known to within 1 / 2^(precisionBits - 1) of itself. With the default 11 bits that is ~0.1 % (three
// significant digits), and tracking up to 2^40 ns (~18 minutes) takes about 31 × 1024 counters.

const TWO_POW_32 = 2 ** 32;

export interface HistogramSummary {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

export class Histogram {
  /** Linear sub-buckets per power of two; the lower half of bucket 0 shares the same resolution. */
  private readonly subBucketCount: number;
  private readonly subBucketHalfCount: number;
  private readonly subBucketHalfCountMagnitude: number;
  private readonly highestTrackable: number;
  private readonly counts: Float64Array;
  private totalCount = 0;
  private sum = 0;
  private minValue = Number.POSITIVE_INFINITY;
  private maxValue = 0;

  /**
   * @param highestTrackable values above it are clamped to it (and still counted), so a pathological stall
   *   shows up as the maximum instead of being lost.
   * @param precisionBits sub-bucket resolution; the relative error is at most 2^-(precisionBits - 1).
   */
  constructor(highestTrackable = 2 ** 40, precisionBits = 11) {
    if (!Number.isInteger(precisionBits) || precisionBits < 2 || precisionBits > 20) throw new Error('precisionBits must be an integer in [2, 20]');
    if (!(highestTrackable >= 2 ** precisionBits) || highestTrackable > Number.MAX_SAFE_INTEGER) {
      throw new Error(`highestTrackable must be in [2^precisionBits, 2^53)`);
    }
    this.subBucketCount = 2 ** precisionBits;
    this.subBucketHalfCountMagnitude = precisionBits - 1;
    this.subBucketHalfCount = this.subBucketCount / 2;
    this.highestTrackable = Math.floor(highestTrackable);
    this.counts = new Float64Array(this.indexOf(this.highestTrackable) + 1);
  }

  get count(): number {
    return this.totalCount;
  }

  /** Records one value; fractions are truncated and negatives (clock quirks) count as zero. */
  record(value: number): void {
    let v = value > 0 ? Math.floor(value) : 0;
    if (v > this.highestTrackable) v = this.highestTrackable;
    this.counts[this.indexOf(v)]! += 1;
    this.totalCount += 1;
    this.sum += v;
    if (v < this.minValue) this.minValue = v;
    if (v > this.maxValue) this.maxValue = v;
  }

  reset(): void {
    this.counts.fill(0);
    this.totalCount = 0;
    this.sum = 0;
    this.minValue = Number.POSITIVE_INFINITY;
    this.maxValue = 0;
  }

  /**
   * The value at or below which `percentile` % of the recorded values fall, reported as the highest value
   * that is equivalent (same sub-bucket) to it, capped at the true maximum: an upper bound within the
   * histogram's precision, never an optimistic one.
   */
  valueAtPercentile(percentile: number): number {
    if (this.totalCount === 0) return 0;
    const p = Math.min(Math.max(percentile, 0), 100);
    const target = Math.max(1, Math.ceil((p / 100) * this.totalCount));
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i]!;
      if (seen >= target) return Math.min(this.highestEquivalentOf(i), this.maxValue);
    }
    return this.maxValue;
  }

  summary(): HistogramSummary {
    return {
      count: this.totalCount,
      min: this.totalCount === 0 ? 0 : this.minValue,
      mean: this.totalCount === 0 ? 0 : this.sum / this.totalCount,
      p50: this.valueAtPercentile(50),
      p90: this.valueAtPercentile(90),
      p99: this.valueAtPercentile(99),
      p999: this.valueAtPercentile(99.9),
      max: this.maxValue,
    };
  }

  /** Index of the counter for `v` (an integer in [0, highestTrackable]). */
  private indexOf(v: number): number {
    // The bucket is how far v's top bit is above the sub-bucket range; bucket 0 holds [0, subBucketCount).
    // Bit tricks work on 32 bits; larger values (stalls of seconds) take the slower exact path.
    const small = v < TWO_POW_32;
    const magnitude = small ? 31 - Math.clz32(v) : 63 - Math.clz32(Math.floor(v / TWO_POW_32));
    const bucket = Math.max(0, magnitude - this.subBucketHalfCountMagnitude);
    const subBucket = small ? v >>> bucket : Math.floor(v / 2 ** bucket);
    return (bucket + 1) * this.subBucketHalfCount + (subBucket - this.subBucketHalfCount);
  }

  /** The largest value that maps to counter `index`. */
  private highestEquivalentOf(index: number): number {
    if (index < this.subBucketCount) return index; // bucket 0 is exact
    const bucket = Math.floor(index / this.subBucketHalfCount) - 1;
    const subBucket = index - bucket * this.subBucketHalfCount;
    const scale = 2 ** bucket;
    return subBucket * scale + scale - 1;
  }
}
