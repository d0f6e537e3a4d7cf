// Events group-buys emit (past tense), and their audiences (see kernel/events.ts). Members appear in public by id,
// as a group's watchers see who is in it; what one member was charged, paid or refunded is private to that member.
// Amounts are integer minor units in the offer's currency.
import type { EffectFact } from '../kernel/effect-facts.ts';
import { pick, type EventCatalog, type EventFacts } from '../kernel/events.ts';

export interface MemberSettlement {
  shopperId: string;
  qty: number;
  /** Unit price paid: the rule set's price at the final size (with the member's discounts), never above their quote. */
  unitPriceMinor: number;
  paidMinor: number;
  /** Charged at join minus paid. */
  refundMinor: number;
}

export type GroupEvent =
  | ({ type: 'group_opened'; groupId: string; leaderId: string; deadlineMs: number; minSize: number; maxSize: number | null; newcomerOnly: boolean } & EventFacts)
  | ({
      type: 'group_joined';
      groupId: string;
      shopperId: string;
      qty: number;
      /** Private: charged now (quote × qty), settled at the group's end. */
      chargedMinor: number;
      /** Private: the most this member pays a unit. */
      quotedUnitPriceMinor: number;
      /** Members after the join, and the unit price at that size (what everyone would pay, before their own discounts, if it ended now). */
      size: number;
      unitPriceMinor: number;
    } & EventFacts)
  | ({
      type: 'group_left';
      groupId: string;
      shopperId: string;
      qty: number;
      /** Private: refunded in full. */
      refundMinor: number;
      /** The new leader when the leader left; unchanged otherwise. */
      leaderId: string | null;
      size: number;
      unitPriceMinor: number;
    } & EventFacts)
  | ({ type: 'group_formed'; groupId: string; size: number } & EventFacts)
  | ({
      type: 'group_completed';
      groupId: string;
      size: number;
      /** Seats the platform filled at the deadline (模拟成团); 0 for a group that filled itself. */
      autoFilledSeats: number;
      reason: 'full' | 'deadline' | 'offer_closed';
      /** Private to each member: its own settlement. */
      members: MemberSettlement[];
    } & EventFacts)
  | ({
      type: 'group_failed';
      groupId: string;
      size: number;
      reason: 'deadline' | 'offer_closed' | 'empty';
      /** Private to each member: its refund. */
      refunds: { shopperId: string; qty: number; refundMinor: number }[];
    } & EventFacts);

type Of<T extends GroupEvent['type']> = Extract<GroupEvent, { type: T }>;

const JOINED_PUBLIC = ['type', 'offerId', 'groupId', 'shopperId', 'qty', 'size', 'unitPriceMinor', 'atMs'] as const;
const LEFT_PUBLIC = ['type', 'offerId', 'groupId', 'shopperId', 'qty', 'leaderId', 'size', 'unitPriceMinor', 'atMs'] as const;
const COMPLETED_PUBLIC = ['type', 'offerId', 'groupId', 'size', 'autoFilledSeats', 'reason', 'atMs'] as const;
const FAILED_PUBLIC = ['type', 'offerId', 'groupId', 'size', 'reason', 'atMs'] as const;

/** A seat's money: charged at join, refunded on leave or failure, settled at completion, all on one payment. */
function seatMoney(event: { groupId: string }, shopperId: string) {
  return { shopperId, subject: { type: 'group', groupId: event.groupId }, key: [event.groupId, shopperId], perCommand: true, payment: [event.groupId, shopperId] };
}

function completedEffects(event: Of<'group_completed'>): EffectFact[] {
  const facts: EffectFact[] = [];
  for (const m of event.members) {
    // The seat was charged at join (and the difference is refunded here), so the order charges nothing.
    facts.push({ kind: 'order', ...seatMoney(event, m.shopperId), qty: m.qty, unitPriceMinor: m.unitPriceMinor, totalMinor: m.paidMinor, chargeMinor: 0 });
    if (m.refundMinor > 0) facts.push({ kind: 'refund', ...seatMoney(event, m.shopperId), reason: 'settled', amountMinor: m.refundMinor });
  }
  const members = event.members.map(({ shopperId, qty, unitPriceMinor, paidMinor, refundMinor }) => ({ shopperId, qty, unitPriceMinor, paidMinor, refundMinor }));
  const { groupId, size, autoFilledSeats, reason, currency } = event;
  facts.push({ kind: 'webhook', type: 'group_completed', key: ['group_completed', groupId], perCommand: true, data: { groupId, size, autoFilledSeats, reason, currency, members } });
  return facts;
}

function failedEffects(event: Of<'group_failed'>): EffectFact[] {
  const facts: EffectFact[] = [];
  for (const r of event.refunds) if (r.refundMinor > 0) facts.push({ kind: 'refund', ...seatMoney(event, r.shopperId), reason: 'failed', amountMinor: r.refundMinor });
  const { groupId, size, reason, currency } = event;
  facts.push({ kind: 'webhook', type: 'group_failed', key: ['group_failed', groupId], perCommand: true, data: { groupId, size, reason, currency, refunds: event.refunds.map((r) => ({ ...r })) } });
  return facts;
}

export const GROUP_EVENTS: EventCatalog<GroupEvent> = {
  group_opened: { public: ['type', 'offerId', 'groupId', 'leaderId', 'deadlineMs', 'minSize', 'maxSize', 'newcomerOnly', 'atMs'] },
  group_joined: {
    public: JOINED_PUBLIC,
    private: (e, deliver) => deliver(e.shopperId, pick(e, [...JOINED_PUBLIC, 'chargedMinor', 'quotedUnitPriceMinor'])),
    effects: (e) => (e.chargedMinor > 0 ? [{ kind: 'charge', ...seatMoney(e, e.shopperId), qty: e.qty, amountMinor: e.chargedMinor }] : []),
  },
  group_left: {
    public: LEFT_PUBLIC,
    private: (e, deliver) => deliver(e.shopperId, pick(e, [...LEFT_PUBLIC, 'refundMinor'])),
    effects: (e) => (e.refundMinor > 0 ? [{ kind: 'refund', ...seatMoney(e, e.shopperId), reason: 'left', amountMinor: e.refundMinor }] : []),
  },
  group_formed: { public: ['type', 'offerId', 'groupId', 'size', 'atMs'] },
  group_completed: {
    public: COMPLETED_PUBLIC,
    publicExtra: (e) => ({ memberIds: e.members.map((m) => m.shopperId) }),
    private: (e, deliver) => {
      for (const settlement of e.members) deliver(settlement.shopperId, { ...pick(e, COMPLETED_PUBLIC), settlement: { ...settlement } });
    },
    effects: completedEffects,
  },
  group_failed: {
    public: FAILED_PUBLIC,
    publicExtra: (e) => ({ memberIds: e.refunds.map((r) => r.shopperId) }),
    private: (e, deliver) => {
      for (const refund of e.refunds) deliver(refund.shopperId, { ...pick(e, FAILED_PUBLIC), refund: { ...refund } });
    },
    effects: failedEffects,
  },
};
