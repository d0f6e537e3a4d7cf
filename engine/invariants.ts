// The engine's own consistency checks. Cheap enough to run after every step in tests (O(state size)); the
// returned list names every broken invariant, empty when all hold.
import { auctionHeldUnits, auctionViolations } from './auctions/index.ts';
import { capacityOf } from './groups.ts';
import { LIMITS } from './limits.ts';
import { reservationHeldUnits, reservationViolations } from './reservations/index.ts';
import type { EngineState, Offer } from './state.ts';

export function invariantViolations(state: EngineState): string[] {
  const problems: string[] = [];
  const fail = (message: string) => problems.push(message);

  for (const offer of state.offers.values()) {
    const at = `offer ${offer.id}`;
    if (offer.heldUnits < 0 || offer.soldUnits < 0) fail(`${at}: negative held ${offer.heldUnits} or sold ${offer.soldUnits}`);
    if (offer.heldUnits + offer.soldUnits > offer.inventory) fail(`${at}: held ${offer.heldUnits} + sold ${offer.soldUnits} > inventory ${offer.inventory}`);
    let heldInGroups = 0;
    for (const [groupId, listed] of offer.liveGroups) {
      const group = state.groups.get(groupId);
      if (!group || group !== listed || group.offerId !== offer.id) fail(`${at}: lists live group ${groupId} that is not its own live group`);
      else for (const member of group.members.values()) heldInGroups += member.qty;
    }
    const heldByMechanism = heldInGroups + auctionHeldUnits(offer) + reservationHeldUnits(offer);
    if (heldByMechanism !== offer.heldUnits) fail(`${at}: held ${offer.heldUnits} but its groups, auction and reservations hold ${heldByMechanism}`);
    if ((offer.auction !== null) !== (offer.mechanism.type === 'auction')) fail(`${at}: auction state does not match its mechanism`);
    if ((offer.reservation !== null) !== (offer.mechanism.type === 'reservation')) fail(`${at}: reservation state does not match its mechanism`);
    if (offer.auction) auctionViolations(state, offer, fail);
    if (offer.reservation) reservationViolations(state, offer, fail);
    let byShopper = 0;
    for (const [shopperId, units] of offer.unitsByShopper) {
      if (units <= 0) fail(`${at}: shopper ${shopperId} has a non-positive unit count ${units}`);
      byShopper += units;
    }
    if (byShopper !== offer.heldUnits + offer.soldUnits) fail(`${at}: per-shopper units ${byShopper} ≠ held + sold ${offer.heldUnits + offer.soldUnits}`);
    if (offer.liveGroups.size > state.config.maxLiveGroupsPerOffer) fail(`${at}: ${offer.liveGroups.size} live groups, over the bound`);
    if (offer.status === 'closed' && offer.liveGroups.size > 0) fail(`${at}: closed but has live groups`);
    if (offer.status !== 'closed' && offer.endMs !== null && offer.endMs <= state.nowMs) fail(`${at}: past its end but not closed`);
    pricingViolations(state, offer, fail);
  }

  for (const group of state.groups.values()) {
    const at = `group ${group.id}`;
    const offer = state.offers.get(group.offerId);
    if (offer?.liveGroups.get(group.id) !== group) fail(`${at}: missing from its offer's live groups`);
    const size = group.members.size;
    if (size < 1 || size > capacityOf(group)) fail(`${at}: size ${size} outside [1, ${capacityOf(group)}]`);
    if (group.status === 'open' && size >= group.minSize) fail(`${at}: open with ${size} ≥ minSize ${group.minSize} members`);
    if (group.status === 'formed' && size < group.minSize) fail(`${at}: formed with ${size} < minSize ${group.minSize} members`);
    if (!group.members.has(group.leaderId)) fail(`${at}: leader ${group.leaderId} is not a member`);
    if (group.deadlineMs <= state.nowMs) fail(`${at}: live past its deadline ${group.deadlineMs}`);
    if (state.settledGroups.has(group.id)) fail(`${at}: both live and settled`);
    for (const member of group.members.values()) {
      if (member.chargedMinor !== member.quotedUnitPriceMinor * member.qty) fail(`${at}: ${member.shopperId} charged ≠ quote × qty`);
    }
  }

  if (state.settledGroups.size > state.config.settledGroupsRetained) fail('settled groups over their bound');
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
    if (offer.pricing.joinsSinceSurgeUpdate !== 0) fail(`${at}: joins left uncounted by a reprice`);
    const repriceAtMs = offer.pricing.repriceAtMs;
    if (repriceAtMs !== null && repriceAtMs <= state.nowMs) fail(`${at}: a reprice was due at ${repriceAtMs}`);
    if (offer.pricing.publishAtMs === null && offer.pricing.headlinePriceMinor !== published.priceMinor) fail(`${at}: a price change is neither published nor waiting`);
  }
}
