// Hard bounds on everything that grows with input. Commands past a bound are refused with a code;
// nothing in the engine grows without one.
export const LIMITS = {
  idLengthMax: 96,
  idempotencyKeyLengthMax: 128,
  titleLengthMax: 200,
  /** Money bound: price × quantity stays a safe integer (1e11 × 1e4 < 2^53). */
  priceMinorMax: 100_000_000_000,
  qtyPerJoinMax: 10_000,
  inventoryMax: 100_000_000,
  groupSizeMax: 1_000,
  tiersMax: 32,
  groupWindowMsMax: 30 * 24 * 3_600_000,
  /** Year 2286 in ms since the epoch: far enough, and keeps arithmetic on times exact. */
  timeMsMax: 10_000_000_000_000,
  /** Rule set versions remembered per offer (the one in force included); older ones are forgotten. */
  ruleSetVersionsRetained: 16,
  /** Published headline prices remembered per offer, for its price history. */
  priceHistoryRetained: 256,
  /** UTC offsets an offer's time zone may list (a zone changes twice a year at most: decades of them). */
  timeZoneOffsetsMax: 128,
} as const;

/** Capacity settings of one engine instance; part of its snapshot so a restore behaves the same. */
export interface EngineConfig {
  /** Offers held in memory, closed ones included until they retire: a safety bound across every merchant. */
  maxOffers: number;
  /** Offers one merchant may have in memory (open, and closed until they retire), so no merchant can fill the engine. */
  maxOffersPerMerchant: number;
  /** How long a closed offer stays in memory (its reads, late refusals) before it retires; its history stays in the journal. */
  closedOfferRetentionMs: number;
  /** Retired offer ids remembered (an id is never reused while remembered), oldest forgotten first. */
  retiredOffersRetained: number;
  /** Live (open or formed) groups per offer. */
  maxLiveGroupsPerOffer: number;
  /** Settled groups remembered so late joins get `group_closed` instead of `unknown_group`. */
  settledGroupsRetained: number;
  /** Idempotency keys remembered; past this bound the oldest is forgotten. */
  idempotencyKeysMax: number;
  /** How long an idempotency key is remembered. */
  idempotencyTtlMs: number;
  /** At most one `price_changed` per offer per this many ms; the latest price is published when the gap ends. */
  priceEventMinGapMs: number;
}

export const DEFAULT_CONFIG: EngineConfig = {
  maxOffers: 1_000_000,
  maxOffersPerMerchant: 10_000,
  closedOfferRetentionMs: 7 * 24 * 3_600_000,
  retiredOffersRetained: 1_000_000,
  maxLiveGroupsPerOffer: 1_000,
  settledGroupsRetained: 100_000,
  idempotencyKeysMax: 100_000,
  idempotencyTtlMs: 24 * 3_600_000,
  priceEventMinGapMs: 1_000,
};
