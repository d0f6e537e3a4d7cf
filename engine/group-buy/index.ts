// The group-buy mechanism (拼团, SPEC §2) as the kernel sees it: one object implementing `Mechanism`. Everything
// else about group-buys stays inside this folder.
import { tierTableProblem } from '../../pricing/index.ts';
import type { Mechanism } from '../mechanism.ts';
import { unreachable } from '../unreachable.ts';
import { derivedRuleSet, putInForce, versionInForce } from '../kernel/pricing-bridge.ts';
import { reject } from '../results.ts';
import { GROUP_REJECTION_CODES } from './codes.ts';
import { GROUP_COMMANDS, GROUP_PATCH_SHAPE, GroupSettings, type GroupCommand } from './commands.ts';
import { GROUP_EVENTS, type GroupEvent } from './events.ts';
import { joinGroup, leaveGroup, matchGroup, openGroup, quoteGroupOffer } from './groups.ts';
import { groupGlobalViolations, groupOfferViolations } from './invariants.ts';
import { GROUP_PRICING, type GroupOffer } from './pricing.ts';
import { settleAtDeadline, settleOnOfferClose } from './settlement.ts';
import {
  groupGlobalFromData,
  groupGlobalToData,
  groupMarketFromData,
  groupMarketToData,
  newGroupGlobal,
  newGroupMarket,
  type GroupGlobal,
  type GroupGlobalData,
  type GroupMarket,
  type GroupMarketData,
} from './state.ts';
import { membershipsOf, type MembershipView } from './views.ts';

export type { GroupEvent, MemberSettlement } from './events.ts';
export type { GroupMarket, GroupGlobal, Group, Member } from './state.ts';
export type { GroupView, GroupSummary, MembershipView } from './views.ts';
export { groupView, groupSummary } from './views.ts';
export type { GroupOffer } from './pricing.ts';
export { GroupSettings, PriceTier, OpenGroup, JoinGroup, MatchGroup, LeaveGroup } from './commands.ts';

/** Whether the offer's prices follow its tiers and leader discount: a derived rule set, with no merchant's waiting. */
function pricedByGroupSettings(offer: GroupOffer): boolean {
  return versionInForce(offer).source === 'group_settings' && offer.pricing.pending === null;
}

/** What an accepted group-buy command adds to its result. */
export interface GroupAck {
  groupId?: string;
  /** `match_group`: whether a new group had to be opened. */
  opened?: boolean;
}

export interface GroupBuyTypes {
  type: 'group';
  settings: GroupSettings;
  settingsSchema: typeof GroupSettings;
  commandSchemas: typeof GROUP_COMMANDS;
  market: GroupMarket;
  command: GroupCommand;
  event: GroupEvent;
  data: GroupMarketData;
  portfolioItem: MembershipView;
  global: GroupGlobal;
  globalData: GroupGlobalData;
  rejectionCode: (typeof GROUP_REJECTION_CODES)[number];
  patch: typeof GROUP_PATCH_SHAPE;
  ack: GroupAck;
}

export const groupBuy: Mechanism<GroupBuyTypes> = {
  type: 'group',
  settingsSchema: GroupSettings,
  commandSchemas: GROUP_COMMANDS,
  patchShape: GROUP_PATCH_SHAPE,
  rejectionCodes: GROUP_REJECTION_CODES,
  events: GROUP_EVENTS,
  pricing: GROUP_PRICING,
  portfolioKey: 'memberships',
  global: { create: newGroupGlobal, toData: groupGlobalToData, fromData: groupGlobalFromData, invariants: groupGlobalViolations },

  settingsProblem(cmd, settings) {
    if (settings.maxSize !== undefined && settings.maxSize < settings.minSize) return 'mechanism.maxSize must be at least minSize';
    if (settings.autoFillMaxSeats >= settings.minSize) return 'mechanism.autoFillMaxSeats must be below minSize (a group needs one real member)';
    const tiers = tierTableProblem(cmd.basePriceMinor, settings.tiers);
    if (tiers) return `mechanism.${tiers}`;
    // One pricing mechanism, not two: with a rule set, its own size_tiers and leader_discount rules price groups.
    if (cmd.ruleSet !== undefined && (settings.tiers.length > 0 || settings.leaderDiscountBps > 0)) {
      return 'mechanism.tiers and mechanism.leaderDiscountBps must be left out when a ruleSet is given (put them in the rule set)';
    }
    return null;
  },

  newMarket: (settings) => newGroupMarket(settings),
  started: () => undefined,

  apply(ctx, cmd) {
    switch (cmd.type) {
      case 'open_group':
        return openGroup(ctx, cmd);
      case 'join_group':
        return joinGroup(ctx, cmd);
      case 'match_group':
        return matchGroup(ctx, cmd);
      case 'leave_group':
        return leaveGroup(ctx, cmd);
      default:
        return unreachable(cmd);
    }
  },

  quote: quoteGroupOffer,

  isDeadlineLive: (offer, entry) => entry.ref !== undefined && offer.market.liveGroups.get(entry.ref)?.deadlineMs === entry.atMs,
  settleDeadline: (ctx, offer, entry) => settleAtDeadline(ctx, offer, offer.market.liveGroups.get(entry.ref!)!, entry.atMs),

  closeWithOffer(ctx, offer, _reason, atMs) {
    for (const group of [...offer.market.liveGroups.values()]) settleOnOfferClose(ctx, offer, group, atMs);
  },

  patchProblem(_ctx, offer, patch) {
    if (patch.endMs != null) {
      let latest = -1;
      for (const group of offer.market.liveGroups.values()) latest = Math.max(latest, group.deadlineMs);
      if (patch.endMs < latest) return reject('edit_breaks_promise', `endMs is before the deadline ${latest} promised to a live group.`);
    }
    const tiers = tierTableProblem(patch.basePriceMinor ?? offer.basePriceMinor, patch.tiers ?? offer.market.settings.tiers);
    if (tiers) return reject('invalid_settings', tiers);
    if ((patch.tiers !== undefined || patch.leaderDiscountBps !== undefined) && !pricedByGroupSettings(offer)) {
      return reject('invalid_settings', `tiers and leaderDiscountBps do not price offer "${offer.id}": its rule set does; change it with set_rule_set.`);
    }
    return null;
  },

  edited(ctx, offer, patch) {
    if (patch.tiers === undefined && patch.leaderDiscountBps === undefined) return;
    const settings = offer.market.settings;
    offer.market.settings = {
      ...settings,
      tiers: patch.tiers ? patch.tiers.map((tier) => ({ ...tier })) : settings.tiers,
      leaderDiscountBps: patch.leaderDiscountBps ?? settings.leaderDiscountBps,
    };
    // The derived rule set follows the group settings: derived again, as the next version, in force now.
    const ruleSet = derivedRuleSet(offer.basePriceMinor, offer.currency, GROUP_PRICING.derived(offer), versionInForce(offer).version + 1);
    putInForce(ctx, offer, ruleSet, 'group_settings', ctx.nowMs);
  },

  heldUnits(offer) {
    let held = 0;
    for (const group of offer.market.liveGroups.values()) for (const member of group.members.values()) held += member.qty;
    return held;
  },
  idle: (offer) => offer.market.liveGroups.size === 0,
  invariants: groupOfferViolations,
  viewFields: (offer) => ({ liveGroups: offer.market.liveGroups.size }),
  publicSettings: (settings) => settings,
  involvement: (offer, shopperId) => (offer.market.seats.has(shopperId) ? { exposureMinor: 0 } : null),
  participants: (offer) => offer.market.seats.keys(),
  portfolioItems: membershipsOf,
  toData: groupMarketToData,
  fromData: groupMarketFromData,
  pushDeadlines(offer, deadlines) {
    for (const group of offer.market.liveGroups.values()) deadlines.push({ atMs: group.deadlineMs, kind: 'group', id: offer.id, ref: group.id, order: group.createdSerial });
  },
};
