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
  /** The key touched last: already at the most-recently-used end, so taking from it again needs no move. */
  private lastKey: string | null = null;
  private readonly unlimited: boolean;

  constructor(
    private readonly limit: RateLimit,
    private readonly keysMax: number,
    private readonly clock: () => number,
  ) {
    this.unlimited = isUnreachable(limit);
  }

  get size(): number {
    return this.buckets.size;
  }

  take(key: string): boolean {
    // A limit no single process can reach would only ever answer yes; skip the bookkeeping on every request.
    if (this.unlimited) return true;
    const nowMs = this.clock();
    let bucket = this.buckets.get(key);
    if (bucket) {
      if (key !== this.lastKey) {
        this.buckets.delete(key);
        this.buckets.set(key, bucket);
      }
    } else {
      bucket = fullBucket(this.limit, nowMs);
      if (this.buckets.size >= this.keysMax) this.buckets.delete(this.buckets.keys().next().value!);
      this.buckets.set(key, bucket);
    }
    this.lastKey = key;
    return takeToken(bucket, this.limit, nowMs);
  }
}

/**
 * At and above this rate and burst a bucket cannot run dry: one event loop handles far fewer than a billion
 * requests a second, so the refill always outruns the takes. Load tests lift limits this way.
 */
const UNREACHABLE = 1e9;

function isUnreachable(limit: RateLimit): boolean {
  return limit.ratePerS >= UNREACHABLE && limit.burst >= UNREACHABLE;
}
