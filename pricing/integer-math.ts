// Integer arithmetic for prices. Every value here is an integer that stays below 2^53, so JavaScript numbers
// hold it exactly; the only inexact step, a floating-point division, is corrected back to the exact floor.
// Each helper states its rounding direction, because a price that is off by one minor unit depending on how
// a quotient happened to round is not deterministic enough for money.

/** The most a price may be, in minor units: price × 10 000 units still fits a safe integer (1e11 × 1e4 < 2^53). */
export const PRICE_MINOR_MAX = 100_000_000_000;

/** One whole, in basis points. */
export const BPS_ONE = 10_000;

/** Below this, `Math.floor(a / b)` is already exact (see floorDiv). */
const EXACT_QUOTIENT_LIMIT = 2 ** 52;

/**
 * floor(a / b) for integers a and b > 0 with |a| < 2^53. `a / b` in floating point is correctly rounded, so it could
 * land on the next integer when the true quotient sits just below it — but only if that gap (≥ 1/b) were under half
 * an ulp of the quotient, which needs |a| + b ≥ 2^53. Below 2^52 (every product in this folder is) the plain floor is
 * exact; above it, one comparison each way puts the quotient back.
 */
export function floorDiv(a: number, b: number): number {
  if (a < EXACT_QUOTIENT_LIMIT && a > -EXACT_QUOTIENT_LIMIT && b < EXACT_QUOTIENT_LIMIT) return Math.floor(a / b);
  let quotient = Math.floor(a / b);
  if (quotient * b > a) quotient -= 1;
  else if ((quotient + 1) * b <= a) quotient += 1;
  return quotient;
}

/** a / b rounded toward zero (b > 0): used where a value must move toward a target and never past it. */
export function truncDiv(a: number, b: number): number {
  return a >= 0 ? floorDiv(a, b) : -floorDiv(-a, b);
}

/** floor(a × b / c) for non-negative a, b and c > 0, exact even when a × b is beyond 2^53 (then via BigInt). */
export function mulDivFloor(a: number, b: number, c: number): number {
  const product = a * b;
  if (product <= Number.MAX_SAFE_INTEGER) return floorDiv(product, c);
  // Only integers reach BigInt (it throws on anything else); evaluation must not throw on odd input.
  if (!Number.isSafeInteger(a) || !Number.isSafeInteger(b) || !Number.isSafeInteger(c) || c <= 0) return Math.floor(product / c);
  return Number((BigInt(a) * BigInt(b)) / BigInt(c));
}

/** A price kept inside [0, PRICE_MINOR_MAX], so every later step's arithmetic stays exact. */
export function clampMoney(priceMinor: number): number {
  if (priceMinor < 0) return 0;
  if (priceMinor > PRICE_MINOR_MAX) return PRICE_MINOR_MAX;
  return priceMinor;
}

export function clamp(value: number, min: number, max: number): number {
  if (value < min) return min;
  if (value > max) return max;
  return value;
}

/**
 * The price after a signed adjustment in basis points (−10 000 … +10 000), rounded DOWN: a surcharge is never
 * rounded up and a discount never rounded down, so rounding always favours the shopper.
 */
export function adjustByBps(priceMinor: number, adjustmentBps: number): number {
  return clampMoney(floorDiv(priceMinor * (BPS_ONE + adjustmentBps), BPS_ONE));
}

/** `part` of a whole in basis points, rounded down (bps ≥ 0). */
export function bpsOf(wholeMinor: number, bps: number): number {
  return floorDiv(wholeMinor * bps, BPS_ONE);
}

/** x mod m in [0, m) for m > 0, also for negative x. */
export function positiveMod(x: number, m: number): number {
  const r = x % m;
  return r < 0 ? r + m : r;
}
