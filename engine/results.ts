// What `apply` returns for the command itself. Business outcomes are values, never exceptions: every refusal carries
// a stable snake_case code (clients branch on it) and a message a person can act on. Each mechanism lists its own
// codes beside these (its `rejectionCodes`); the registry puts all of them together (`REJECTION_CODES`).
import type { ExplanationLine } from '../pricing/index.ts';
import type { MechanismAck, MechanismRejectionCode } from './registry.ts';

/** Codes of offers, pricing, shoppers' limits and idempotency: what every mechanism may answer. */
export const CORE_REJECTION_CODES = [
  'bad_request',
  'unknown_offer',
  'offer_exists',
  'offer_retired',
  'not_owner',
  'offer_paused',
  'offer_closed',
  'offer_not_started',
  'offer_ended',
  'wrong_mechanism',
  'limit_exceeded',
  'sold_out',
  'capacity_exceeded',
  'quota_exceeded',
  'invalid_settings',
  'edit_breaks_promise',
  'idempotency_key_reused',
] as const;

export type CoreRejectionCode = (typeof CORE_REJECTION_CODES)[number];
export type RejectionCode = CoreRejectionCode | MechanismRejectionCode;

export interface Rejection {
  ok: false;
  code: RejectionCode;
  message: string;
}

export interface Quote {
  currency: string;
  unitPriceMinor: number;
  basePriceMinor: number;
  /** The rule set version that priced it. */
  ruleSetVersion: number;
  /** One line per rule that applied; the deltas sum to `unitPriceMinor`. */
  explanation: ExplanationLine[];
}

/** A command's success. Which fields are present depends on the command (see docs/engine.md). */
export type Accepted = {
  ok: true;
  offerId?: string;
  /** The unit price quoted; for a join it is the most the shopper will pay a unit. */
  quote?: Quote;
  /** What the shopper was charged now (a seat: quote × qty; a rental or booking: its price). */
  chargedMinor?: number;
  /** What is refunded now. */
  refundMinor?: number;
  /** `quote`: units still free to hold. */
  availableUnits?: number;
  /** `set_rule_set`: the version accepted and when it is (or was) put in force. */
  ruleSetVersion?: number;
  effectiveAtMs?: number;
} & MechanismAck;

export type CommandResult = Accepted | Rejection;

export function reject(code: RejectionCode, message: string): Rejection {
  return { ok: false, code, message };
}

/** Whether a value is a refusal (every other value a mechanism returns is an object without `ok: false`). */
export function isRejection<T extends object>(value: T | Rejection): value is Rejection {
  return (value as { ok?: unknown }).ok === false;
}
