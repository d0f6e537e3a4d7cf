import type { ExplanationLine } from '../pricing/index.ts';
import type { AuctionAck } from './auctions/index.ts';
import { AUCTION_REJECTION_CODES } from './auctions/codes.ts';
import type { ReservationAck } from './reservations/index.ts';
import { RESERVATION_REJECTION_CODES } from './reservations/codes.ts';

// What `apply` returns for the command itself. Business outcomes are values, never exceptions:
// every refusal carries a stable snake_case code (clients branch on it) and a message a person can act on.

/** Codes of offers, group-buys and idempotency; auctions and reservations add their own below. */
export const CORE_REJECTION_CODES = [
  'bad_request',
  'unknown_offer',
  'offer_exists',
  'unknown_group',
  'group_exists',
  'not_owner',
  'offer_paused',
  'offer_closed',
  'offer_not_started',
  'offer_ended',
  'group_closed',
  'group_full',
  'already_member',
  'not_member',
  'already_formed',
  'not_newcomer',
  'limit_exceeded',
  'sold_out',
  'no_joinable_group',
  'too_many_groups',
  'capacity_exceeded',
  'invalid_settings',
  'edit_breaks_promise',
  'idempotency_key_reused',
] as const;

export const REJECTION_CODES = [...CORE_REJECTION_CODES, ...AUCTION_REJECTION_CODES, ...RESERVATION_REJECTION_CODES] as const;

export type RejectionCode = (typeof REJECTION_CODES)[number];

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
export interface Accepted {
  ok: true;
  offerId?: string;
  groupId?: string;
  /** `match_group`: whether a new group had to be opened. */
  opened?: boolean;
  /** The unit price quoted; for a join it is the most the shopper will pay a unit. */
  quote?: Quote;
  /** What the shopper was charged on joining (quote × qty); settled at the group's end. */
  chargedMinor?: number;
  /** `leave_group`: what is refunded. */
  refundMinor?: number;
  /** `quote`: units still free to hold. */
  availableUnits?: number;
  /** `set_rule_set`: the version accepted and when it is (or was) put in force. */
  ruleSetVersion?: number;
  effectiveAtMs?: number;
  /** Auction commands: what the bid, buy or acceptance did. */
  auction?: AuctionAck;
  /** Reservation commands: the queue place, hold, rental or booking concerned. */
  reservation?: ReservationAck;
}

export type CommandResult = Accepted | Rejection;

export function reject(code: RejectionCode, message: string): Rejection {
  return { ok: false, code, message };
}
