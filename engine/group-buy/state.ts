// The state of group-buys: each offer's market (its live groups, and how many seats each shopper holds in them) and
// what group-buys keep across offers (every live group by id, since `join_group` names only the group, and the
// most recently settled groups, so a late join hears `group_closed` rather than `unknown_group`). Snapshot forms
// are plain JSON-able data in an order that rebuilds the same maps.
import type { MarketBase } from '../mechanism.ts';
import { FifoMap } from '../fifo-map.ts';
import type { EngineState } from '../kernel/state.ts';
import type { GroupSettings } from './commands.ts';

export interface Member {
  shopperId: string;
  qty: number;
  /** The unit price quoted at join: the most this member pays a unit. */
  quotedUnitPriceMinor: number;
  chargedMinor: number;
  /** Priced as a newcomer and with this member tier at join; settlement prices the member the same way. */
  newcomer: boolean;
  memberTier: string | null;
  joinedAtMs: number;
}

export type GroupStatus = 'open' | 'formed';

export interface Group {
  id: string;
  offerId: string;
  leaderId: string;
  status: GroupStatus;
  createdSerial: number;
  openedAtMs: number;
  deadlineMs: number;
  /** Settings fixed when the group opened, so later edits of the offer never change a promise made. */
  minSize: number;
  maxSize: number | null;
  newcomerOnly: boolean;
  autoFillMaxSeats: number;
  /** Members in join order; the leader is the first. */
  members: Map<string, Member>;
}

export interface SettledGroup {
  id: string;
  offerId: string;
  status: 'completed' | 'failed';
  reason: 'full' | 'deadline' | 'offer_closed' | 'empty';
  size: number;
  settledAtMs: number;
}

/** A group-buy offer's market. */
export interface GroupMarket extends MarketBase<'group', GroupSettings> {
  /** Live (open or formed) groups, oldest first (the same objects as `GroupGlobal.groups`). */
  liveGroups: Map<string, Group>;
  /** Seats each shopper holds in this offer's live groups (a shopper may sit in several); positive entries only. */
  seats: Map<string, number>;
}

/** Across every group-buy offer. */
export interface GroupGlobal {
  /** Live groups only; settled ones move to `settled`. */
  groups: Map<string, Group>;
  /** The most recently settled groups, oldest first, bounded by `config.settledGroupsRetained`. */
  settled: FifoMap<string, SettledGroup>;
}

export type GroupData = Omit<Group, 'members'> & { members: Member[] };

/** A market in a snapshot: which live groups are the offer's (the groups themselves are in the global part). */
export interface GroupMarketData {
  type: 'group';
  settings: GroupSettings;
  liveGroupIds: string[];
}

export interface GroupGlobalData {
  groups: GroupData[];
  settled: SettledGroup[];
}

export function newGroupMarket(settings: GroupSettings): GroupMarket {
  return { type: 'group', settings, liveGroups: new Map(), seats: new Map() };
}

export function newGroupGlobal(): GroupGlobal {
  return { groups: new Map(), settled: new FifoMap() };
}

export function groupGlobalToData(global: GroupGlobal): GroupGlobalData {
  return {
    groups: [...global.groups.values()].map((group) => ({ ...group, members: [...group.members.values()].map((m) => ({ ...m })) })),
    settled: global.settled.values().map((settled) => ({ ...settled })),
  };
}

export function groupGlobalFromData(data: GroupGlobalData): GroupGlobal {
  const global = newGroupGlobal();
  for (const group of data.groups) global.groups.set(group.id, { ...group, members: new Map(group.members.map((m) => [m.shopperId, { ...m }])) });
  for (const settled of data.settled) global.settled.push(settled.id, { ...settled });
  return global;
}

export function groupMarketToData(market: GroupMarket): GroupMarketData {
  return { type: 'group', settings: structuredClone(market.settings), liveGroupIds: [...market.liveGroups.keys()] };
}

/** The market from its snapshot form; its groups come from the global part, restored first. */
export function groupMarketFromData(data: GroupMarketData, state: EngineState, offerId: string): GroupMarket {
  const market = newGroupMarket(structuredClone(data.settings));
  for (const groupId of data.liveGroupIds) {
    const group = state.mechanisms.group.groups.get(groupId);
    if (!group || group.offerId !== offerId) throw new Error(`snapshot is inconsistent: offer ${offerId} lists live group ${groupId} it does not have`);
    market.liveGroups.set(groupId, group);
    for (const member of group.members.values()) market.seats.set(member.shopperId, (market.seats.get(member.shopperId) ?? 0) + 1);
  }
  return market;
}
