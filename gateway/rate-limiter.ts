// Token buckets. A bucket holds up to `burst` tokens, refills at `ratePerS`, and each request takes one.
// Time comes from the injected clock, so tests control refills instead of sleeping.
import type { RateLimit } from './config.ts';

export interface Bucket {
  tokens: number;
  updatedMs: number;
}

export function fullBucket(limit: RateLimit, nowMs: number): Bucket {
  return { tokens: limit.burst, updatedMs: nowMs };
}

/** Takes one token if there is one; refills first for the time elapsed since the bucket was last touched. */
export function takeToken(bucket: Bucket, limit: RateLimit, nowMs: number): boolean {
  const elapsedMs = nowMs - bucket.updatedMs;
  if (elapsedMs > 0) {
    bucket.tokens = Math.min(limit.burst, bucket.tokens + (elapsedMs * limit.ratePerS) / 1_000);
    bucket.updatedMs = nowMs;
  }
  if (bucket.tokens < 1) return false;
  bucket.tokens -= 1;
  return true;
}

/**
 * One bucket per key (a shopper, a merchant, a client address), at most `keysMax` of them. Past the bound the
 * least recently used key is forgotten: it comes back with a full bucket, which errs on the side of letting a
 * rarely seen client through rather than growing without limit.
 */
export class KeyedRateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly limit: RateLimit,
    private readonly keysMax: number,
    private readonly clock: () => number,
  ) {}

  get size(): number {
    return this.buckets.size;
  }

  take(key: string): boolean {
    const nowMs = this.clock();
    let bucket = this.buckets.get(key);
    if (bucket) {
      this.buckets.delete(key);
    } else {
      bucket = fullBucket(this.limit, nowMs);
      if (this.buckets.size >= this.keysMax) this.buckets.delete(this.buckets.keys().next().value!);
    }
    this.buckets.set(key, bucket);
    return takeToken(bucket, this.limit, nowMs);
  }
}
