// What leaves the engine with an event: money movements (charges, refunds, orders, deposit holds and releases) and
// merchant notifications (webhooks), described in the engine's own terms. Each mechanism's event catalog says which
// of its events carry which facts (`EventSpec.effects`); effects/ turns facts into BullMQ jobs with ids and payment
// references made from `key` and `payment` alone, so no per-mechanism code lives outside the mechanism's folder.
//
// Ids. An effect's id is `<kind>|<namespace>|<seq>|<key…>` when `perCommand` (the subject can recur: a shopper may
// leave a group and join it again, a group id may be reused once forgotten, so the journal seq makes it unique), and
// `<kind>|<namespace>|<key…>` when the engine names the subject once forever (an auction's order, a rental, a
// booking). A payment reference is `<namespace>|<payment…>`: it ties a charge to its refunds and order, a deposit
// hold to its release.

/** What a money effect is for, named by the engine id that makes it unique (`{ type: 'group', groupId }`, …). */
export interface MoneySubject {
  type: string;
  [idField: string]: string;
}

interface MoneyFactBase {
  shopperId: string;
  subject: MoneySubject;
  key: readonly string[];
  perCommand: boolean;
  payment: readonly string[];
}

export interface ChargeFact extends MoneyFactBase {
  kind: 'charge';
  qty: number;
  amountMinor: number;
}

export interface RefundFact extends MoneyFactBase {
  kind: 'refund';
  /** Why: `left`, `settled`, `failed`, `cancelled`, … (the mechanism's words). */
  reason: string;
  amountMinor: number;
}

export interface OrderFact extends MoneyFactBase {
  kind: 'order';
  qty: number;
  unitPriceMinor: number;
  totalMinor: number;
  /** What the order itself charges (0 when the shopper was charged already and the difference refunded). */
  chargeMinor: number;
}

export interface DepositHoldFact extends MoneyFactBase {
  kind: 'deposit_hold';
  amountMinor: number;
}

export interface DepositReleaseFact extends MoneyFactBase {
  kind: 'deposit_release';
  reason: string;
  amountMinor: number;
}

export type MoneyFact = ChargeFact | RefundFact | OrderFact | DepositHoldFact | DepositReleaseFact;

/** A merchant notification: its `type` is the webhook's event type, `data` its body (JSON data only). */
export interface WebhookFact {
  kind: 'webhook';
  type: string;
  key: readonly string[];
  perCommand: boolean;
  data: Record<string, unknown>;
}

export type EffectFact = MoneyFact | WebhookFact;
