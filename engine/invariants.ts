// The engine's own consistency checks. Cheap enough to run after every step in tests (O(state size)); the
// returned list names every broken invariant, empty when all hold. The core checks what every offer shares (stock,
// per-shopper units, pricing, retirement, portfolios); each mechanism checks its own market and global state.
import { mechanismOf } from './kernel/context.ts';
import { portfolioViolations } from './kernel/portfolio.ts';
import type { EngineState, Offer } from './kernel/state.ts';
import { LIMITS } from './limits.ts';
import { MECHANISM_LIST, type Registry } from './registry.ts';

export function invariantViolations(state: EngineState, mechanisms: Registry): string[] {
  const problems: string[] = [];
  const fail = (message: string) => problems.push(message);
  const byMerchant = new Map<string, number>();

  for (const offer of state.offers.values()) {
    const at = `offer ${offer.id}`;
    const mechanism = mechanismOf(mechanisms, offer);
    if (offer.heldUnits < 0 || offer.soldUnits < 0) fail(`${at}: negative held ${offer.heldUnits} or sold ${offer.soldUnits}`);
    if (offer.heldUnits + offer.soldUnits > offer.inventory) fail(`${at}: held ${offer.heldUnits} + sold ${offer.soldUnits} > inventory ${offer.inventory}`);
    const heldByMarket = mechanism.heldUnits(offer);
    if (heldByMarket !== offer.heldUnits) fail(`${at}: held ${offer.heldUnits} but its ${offer.market.type} market holds ${heldByMarket}`);
    if (offer.market.settings.type !== offer.market.type) fail(`${at}: a ${offer.market.type} market with ${offer.market.settings.type} settings`);
    mechanism.invariants(state, offer, fail);
    let byShopper = 0;
    for (const [shopperId, units] of offer.unitsByShopper) {
      if (units <= 0) fail(`${at}: shopper ${shopperId} has a non-positive unit count ${units}`);
      byShopper += units;
    }
    if (byShopper !== offer.heldUnits + offer.soldUnits) fail(`${at}: per-shopper units ${byShopper} ≠ held + sold ${offer.heldUnits + offer.soldUnits}`);
    if (offer.status !== 'closed' && offer.endMs !== null && offer.endMs <= state.nowMs) fail(`${at}: past its end but not closed`);
    if ((offer.status === 'closed') !== (offer.closedAtMs !== null)) fail(`${at}: ${offer.status} with closedAtMs ${offer.closedAtMs}`);
    if ((offer.status === 'closed') !== (offer.retireAtMs !== null)) fail(`${at}: ${offer.status} with retireAtMs ${offer.retireAtMs}`);
    if (state.retiredOffers.has(offer.id)) fail(`${at}: both in memory and retired`);
    byMerchant.set(offer.merchantId, (byMerchant.get(offer.merchantId) ?? 0) + 1);
    pricingViolations(state, offer, fail);
  }
  for (const [merchantId, count] of byMerchant) if (state.offersByMerchant.get(merchantId) !== count) fail(`merchant ${merchantId}: ${count} offers, counted ${state.offersByMerchant.get(merchantId) ?? 0}`);
  if (state.offersByMerchant.size !== byMerchant.size) fail(`${state.offersByMerchant.size} merchants counted, ${byMerchant.size} with offers`);
  for (const mechanism of MECHANISM_LIST) {
    const global = mechanism.global;
    if (global !== null) global.invariants(state, state.mechanisms[mechanism.type] as never, fail);
  }
  portfolioViolations(state, mechanisms, fail);
  if (state.retiredOffers.size > state.config.retiredOffersRetained) fail('retired offers over their bound');
  if (state.idempotency.size > state.config.idempotencyKeysMax) fail('idempotency keys over their bound');
  return problems;
}

/** Rule set versions and price history stay bounded and ordered; nothing due is left waiting. */
function pricingViolations(state: EngineState, offer: Offer, fail: (message: string) => void): void {
  const at = `offer ${offer.id}`;
  const { versions, pending, priceHistory, published } = offer.pricing;
  if (versions.length < 1 || versions.length > LIMITS.ruleSetVersionsRetained) fail(`${at}: ${versions.length} rule set versions, outside [1, ${LIMITS.ruleSetVersionsRetained}]`);
  for (let i = 1; i < versions.length; i++) {
    if (versions[i]!.version <= versions[i - 1]!.version) fail(`${at}: rule set versions do not increase`);
    if (versions[i]!.activeFromMs < versions[i - 1]!.activeFromMs) fail(`${at}: rule set versions out of time order`);
  }
  for (const entry of versions) if (entry.ruleSet.currency !== offer.currency) fail(`${at}: rule set v${entry.version} is in ${entry.ruleSet.currency}`);
  const inForce = versions[versions.length - 1];
  if (pending !== null) {
    if (offer.status === 'closed') fail(`${at}: closed with a rule set waiting`);
    if (inForce && pending.ruleSet.version <= inForce.version) fail(`${at}: waiting rule set v${pending.ruleSet.version} is not above v${inForce.version}`);
    if (pending.effectiveAtMs <= state.nowMs) fail(`${at}: waiting rule set was due at ${pending.effectiveAtMs}`);
  }
  if (priceHistory.length < 1 || priceHistory.length > LIMITS.priceHistoryRetained) fail(`${at}: ${priceHistory.length} price points, outside [1, ${LIMITS.priceHistoryRetained}]`);
  const lastPoint = priceHistory[priceHistory.length - 1];
  if (lastPoint && (lastPoint.priceMinor !== published.priceMinor || lastPoint.atMs !== published.atMs)) fail(`${at}: the last price point is not the last price published`);
  if (offer.status !== 'closed') {
    if (offer.pricing.joinsSinceSurgeUpdate !== 0 || offer.pricing.bidsSinceSurgeUpdate !== 0) fail(`${at}: joins or bids left uncounted by a reprice`);
    const repriceAtMs = offer.pricing.repriceAtMs;
    if (repriceAtMs !== null && repriceAtMs <= state.nowMs) fail(`${at}: a reprice was due at ${repriceAtMs}`);
    if (offer.pricing.publishAtMs === null && offer.pricing.headlinePriceMinor !== published.priceMinor) fail(`${at}: a price change is neither published nor waiting`);
  }
}
