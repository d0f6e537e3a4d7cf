// Group-buy unit price: the tier of the group's size, then the leader discount. Pure integer arithmetic.
// The full rule-set engine (time decay, scarcity, surge, …) builds on this shape: a price plus the list of
// rules that changed it, whose deltas sum from the base price to the final price.

export interface PriceTier {
  minSize: number;
  priceMinor: number;
}

export interface GroupPricing {
  basePriceMinor: number;
  tiers: readonly PriceTier[];
  leaderDiscountBps: number;
}

export interface PriceLine {
  rule: string;
  deltaMinor: number;
  detail?: string;
}

export interface PriceResult {
  unitPriceMinor: number;
  explanation: PriceLine[];
}

/** The tier price for a group of `size` members: the last tier whose `minSize` ≤ size, else the base price. */
export function tierPriceMinor(pricing: GroupPricing, size: number): number {
  let price = pricing.basePriceMinor;
  for (const tier of pricing.tiers) {
    if (tier.minSize > size) break;
    price = tier.priceMinor;
  }
  return price;
}

/** Leader discount in basis points, rounded so the shopper never pays more than the exact discount implies. */
export function leaderDiscountMinor(priceMinor: number, bps: number): number {
  return Math.ceil((priceMinor * bps) / 10_000);
}

export function groupUnitPrice(pricing: GroupPricing, size: number, isLeader: boolean): number {
  const tierPrice = tierPriceMinor(pricing, size);
  return isLeader ? tierPrice - leaderDiscountMinor(tierPrice, pricing.leaderDiscountBps) : tierPrice;
}

/** The same price as `groupUnitPrice`, with the explanation of each rule that changed it. */
export function explainGroupUnitPrice(pricing: GroupPricing, size: number, isLeader: boolean): PriceResult {
  const explanation: PriceLine[] = [{ rule: 'base', deltaMinor: pricing.basePriceMinor }];
  const tierPrice = tierPriceMinor(pricing, size);
  if (tierPrice !== pricing.basePriceMinor) {
    explanation.push({ rule: 'size_tier', deltaMinor: tierPrice - pricing.basePriceMinor, detail: `group of ${size}` });
  }
  let unitPriceMinor = tierPrice;
  if (isLeader && pricing.leaderDiscountBps > 0) {
    const discount = leaderDiscountMinor(tierPrice, pricing.leaderDiscountBps);
    unitPriceMinor -= discount;
    explanation.push({ rule: 'leader_discount', deltaMinor: -discount, detail: `${pricing.leaderDiscountBps} bps` });
  }
  return { unitPriceMinor, explanation };
}

/**
 * Why a tier table is unusable, or null when it is fine: sizes must strictly increase and prices must not rise
 * (the promise that a group's price only falls as it grows), and no tier may cost more than the base price.
 */
export function tierTableProblem(basePriceMinor: number, tiers: readonly PriceTier[]): string | null {
  let previous: PriceTier | null = null;
  for (const [index, tier] of tiers.entries()) {
    if (tier.priceMinor > basePriceMinor) return `tiers[${index}].priceMinor is above the base price`;
    if (previous && tier.minSize <= previous.minSize) return `tiers[${index}].minSize must be larger than the tier before it`;
    if (previous && tier.priceMinor > previous.priceMinor) return `tiers[${index}].priceMinor must not be above the tier before it`;
    previous = tier;
  }
  return null;
}
