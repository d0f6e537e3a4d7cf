// Group-buys' own consistency checks, run by `Engine.checkInvariants()`: every live group is its offer's and the
// global index's, sizes and statuses agree, charges match quotes, and the seat counts match the members.
import type { EngineState } from '../kernel/state.ts';
import { capacityOf } from './groups.ts';
import type { GroupOffer } from './pricing.ts';
import type { GroupGlobal } from './state.ts';

type Fail = (message: string) => void;

export function groupOfferViolations(state: EngineState, offer: GroupOffer, fail: Fail): void {
  const at = `offer ${offer.id}`;
  const { liveGroups, seats } = offer.market;
  let held = 0;
  const counted = new Map<string, number>();
  for (const [groupId, group] of liveGroups) {
    if (state.mechanisms.group.groups.get(groupId) !== group || group.offerId !== offer.id) fail(`${at}: lists live group ${groupId} that is not its own live group`);
    for (const member of group.members.values()) {
      held += member.qty;
      counted.set(member.shopperId, (counted.get(member.shopperId) ?? 0) + 1);
    }
  }
  if (held !== offer.heldUnits) fail(`${at}: held ${offer.heldUnits} but its groups hold ${held}`);
  if (counted.size !== seats.size) fail(`${at}: ${seats.size} shoppers with seats counted, ${counted.size} in its groups`);
  for (const [shopperId, n] of counted) if (seats.get(shopperId) !== n) fail(`${at}: ${shopperId} has ${n} seats, counted ${seats.get(shopperId) ?? 0}`);
  if (liveGroups.size > state.config.maxLiveGroupsPerOffer) fail(`${at}: ${liveGroups.size} live groups, over the bound`);
  if (offer.status === 'closed' && liveGroups.size > 0) fail(`${at}: closed but has live groups`);
}

export function groupGlobalViolations(state: EngineState, global: GroupGlobal, fail: Fail): void {
  for (const group of global.groups.values()) {
    const at = `group ${group.id}`;
    const offer = state.offers.get(group.offerId);
    if (offer?.market.type !== 'group' || offer.market.liveGroups.get(group.id) !== group) fail(`${at}: missing from its offer's live groups`);
    const size = group.members.size;
    if (size < 1 || size > capacityOf(group)) fail(`${at}: size ${size} outside [1, ${capacityOf(group)}]`);
    if (group.status === 'open' && size >= group.minSize) fail(`${at}: open with ${size} ≥ minSize ${group.minSize} members`);
    if (group.status === 'formed' && size < group.minSize) fail(`${at}: formed with ${size} < minSize ${group.minSize} members`);
    if (!group.members.has(group.leaderId)) fail(`${at}: leader ${group.leaderId} is not a member`);
    if (group.deadlineMs <= state.nowMs) fail(`${at}: live past its deadline ${group.deadlineMs}`);
    if (global.settled.has(group.id)) fail(`${at}: both live and settled`);
    for (const member of group.members.values()) {
      if (member.chargedMinor !== member.quotedUnitPriceMinor * member.qty) fail(`${at}: ${member.shopperId} charged ≠ quote × qty`);
    }
  }
  if (global.settled.size > state.config.settledGroupsRetained) fail('settled groups over their bound');
}
