// The WebSocket wire protocol, version 1: what clients may send (zod `.strict()` schemas, so unknown fields are
// refused, not dropped) and what the server sends back. docs/protocol.md describes every message; keep the two
// in step. Commands reuse the engine's schemas minus the fields only the gateway may set: `nowMs` (the
// sequencer's clock), the shopper's identity and vouched facts (`shopperId`, `newcomer`, `exposureLimitMinor`,
// `priorityClass`, `creditScore`, from the shopper's token) and `merchantId` (from the API key).
import { z } from 'zod';
import {
  CloseOffer,
  CreateOffer,
  EditOffer,
  JoinGroup,
  LeaveGroup,
  MatchGroup,
  OpenGroup,
  PauseOffer,
  ResumeOffer,
  SetRuleSet,
  type RejectionCode,
} from '../engine/index.ts';
// The index exports the engine's `Quote` result type under this name, so the command schema comes from its module.
import { Quote } from '../engine/commands.ts';
import { AcceptPrice, BuyNow, PlaceBid } from '../engine/auctions/commands.ts';
import { BookSlot, CancelBooking, ConfirmHold, ExtendHold, JoinQueue, LeaveQueue, ReleaseHold, ReturnUnit } from '../engine/reservations/commands.ts';
import { ChannelName } from './channel-names.ts';

/** Bumped on any change a version-1 client could not handle. Sent in `welcome`. */
export const PROTOCOL_VERSION = 1;

const RequestId = z.string().min(1).max(64);

export const Authenticate = z
  .strictObject({
    type: z.literal('authenticate'),
    requestId: RequestId,
    /** A shopper's signed token. */
    token: z.string().min(1).max(4_096).optional(),
    /** A merchant's API key. */
    apiKey: z.string().min(1).max(256).optional(),
  })
  .refine((message) => (message.token === undefined) !== (message.apiKey === undefined), {
    message: 'give exactly one of "token" (shopper) or "apiKey" (merchant)',
  });

export const ResumePoint = z.strictObject({
  epoch: z.string().min(1).max(64),
  offset: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
});

export const Subscribe = z.strictObject({
  type: z.literal('subscribe'),
  requestId: RequestId,
  channel: ChannelName,
  /** Where the client's copy of the channel stands; omitted for a fresh snapshot. */
  resume: ResumePoint.optional(),
});

export const Unsubscribe = z.strictObject({ type: z.literal('unsubscribe'), requestId: RequestId, channel: ChannelName });

/** Answered by an `ack` carrying `serverTimeMs`: clients use it to anchor countdowns to the server's clock. */
export const Ping = z.strictObject({ type: z.literal('ping'), requestId: RequestId });

const withRequestId = { requestId: RequestId };
const shopperSet = { nowMs: true, shopperId: true, newcomer: true } as const;
const merchantSet = { nowMs: true, merchantId: true } as const;
/** Bidders: who they are, and how much they may commit (the token's exposure limit, less their other live bids). */
const bidderSet = { ...shopperSet, exposureLimitMinor: true } as const;
/** Renters: who they are, their priority class and credit score (both from the token). */
const renterSet = { ...shopperSet, priorityClass: true, creditScore: true } as const;
/** Acting on one's own place, hold, rental or booking: only who one is. */
const holderSet = { nowMs: true, shopperId: true } as const;

export const ShopperOpenGroup = OpenGroup.omit(shopperSet).extend(withRequestId);
export const ShopperJoinGroup = JoinGroup.omit(shopperSet).extend(withRequestId);
export const ShopperMatchGroup = MatchGroup.omit(shopperSet).extend(withRequestId);
export const ShopperLeaveGroup = LeaveGroup.omit({ nowMs: true, shopperId: true }).extend(withRequestId);
export const ShopperPlaceBid = PlaceBid.omit(bidderSet).extend(withRequestId);
export const ShopperBuyNow = BuyNow.omit(bidderSet).extend(withRequestId);
export const ShopperAcceptPrice = AcceptPrice.omit(bidderSet).extend(withRequestId);
export const ShopperJoinQueue = JoinQueue.omit(renterSet).extend(withRequestId);
export const ShopperLeaveQueue = LeaveQueue.omit(holderSet).extend(withRequestId);
export const ShopperConfirmHold = ConfirmHold.omit(holderSet).extend(withRequestId);
export const ShopperExtendHold = ExtendHold.omit(holderSet).extend(withRequestId);
export const ShopperReleaseHold = ReleaseHold.omit(holderSet).extend(withRequestId);
export const ShopperReturnUnit = ReturnUnit.omit(holderSet).extend(withRequestId);
export const ShopperBookSlot = BookSlot.omit(renterSet).extend(withRequestId);
export const ShopperCancelBooking = CancelBooking.omit(holderSet).extend(withRequestId);
export const ClientQuote = Quote.omit({ nowMs: true }).extend(withRequestId);
export const MerchantCreateOffer = CreateOffer.omit(merchantSet).extend(withRequestId);
export const MerchantEditOffer = EditOffer.omit(merchantSet).extend(withRequestId);
export const MerchantPauseOffer = PauseOffer.omit(merchantSet).extend(withRequestId);
export const MerchantResumeOffer = ResumeOffer.omit(merchantSet).extend(withRequestId);
export const MerchantCloseOffer = CloseOffer.omit(merchantSet).extend(withRequestId);
export const MerchantSetRuleSet = SetRuleSet.omit(merchantSet).extend(withRequestId);

export const ClientMessage = z.discriminatedUnion('type', [
  Authenticate,
  Subscribe,
  Unsubscribe,
  Ping,
  ShopperOpenGroup,
  ShopperJoinGroup,
  ShopperMatchGroup,
  ShopperLeaveGroup,
  ShopperPlaceBid,
  ShopperBuyNow,
  ShopperAcceptPrice,
  ShopperJoinQueue,
  ShopperLeaveQueue,
  ShopperConfirmHold,
  ShopperExtendHold,
  ShopperReleaseHold,
  ShopperReturnUnit,
  ShopperBookSlot,
  ShopperCancelBooking,
  ClientQuote,
  MerchantCreateOffer,
  MerchantEditOffer,
  MerchantPauseOffer,
  MerchantResumeOffer,
  MerchantCloseOffer,
  MerchantSetRuleSet,
]);

export type ClientMessage = z.output<typeof ClientMessage>;
export type ClientMessageType = ClientMessage['type'];
export type GroupCommandMessage = Extract<ClientMessage, { type: 'open_group' | 'join_group' | 'match_group' | 'leave_group' }>;
export type AuctionCommandMessage = Extract<ClientMessage, { type: 'place_bid' | 'buy_now' | 'accept_price' }>;
export type ReservationCommandMessage = Extract<
  ClientMessage,
  { type: 'join_queue' | 'leave_queue' | 'confirm_hold' | 'extend_hold' | 'release_hold' | 'return_unit' | 'book_slot' | 'cancel_booking' }
>;
export type ShopperCommandMessage = GroupCommandMessage | AuctionCommandMessage | ReservationCommandMessage;
export type MerchantCommandMessage = Extract<
  ClientMessage,
  { type: 'create_offer' | 'edit_offer' | 'pause_offer' | 'resume_offer' | 'close_offer' | 'set_rule_set' }
>;

/** Codes the gateway itself answers with; the engine's rejection codes pass through unchanged beside them. */
export const GATEWAY_ERROR_CODES = [
  'bad_request',
  'unauthorized',
  'forbidden',
  'not_found',
  'rate_limited',
  'too_large',
  'too_many_subscriptions',
  'unavailable',
] as const;
export type GatewayErrorCode = (typeof GATEWAY_ERROR_CODES)[number];
export type ErrorCode = GatewayErrorCode | RejectionCode;

export interface GatewayRejection {
  ok: false;
  code: ErrorCode;
  message: string;
}

/** WebSocket close codes the server uses. Every one but `normal` invites the client to reconnect and resume. */
export const CLOSE_CODES = {
  /** The client asked to close, or nothing more will be said. */
  normal: 1000,
  /** The server is shutting down or restarting. */
  goingAway: 1001,
  /** The client fell more than `slowConsumerBytes` behind; reconnect and resume from the last offset. */
  slowConsumer: 4008,
  /** The client kept sending after being told `rate_limited`. */
  rateLimitAbuse: 4029,
} as const;

// Messages the server sends. Plain interfaces: the server builds them, so only clients need to check them.

export interface WelcomeMessage {
  type: 'welcome';
  protocolVersion: number;
  serverTimeMs: number;
  limits: { maxMessageBytes: number; maxSubscriptions: number; messagesPerS: number; burst: number };
}

export interface AckMessage {
  type: 'ack';
  requestId: string;
  serverTimeMs: number;
  /** What the request produced: for a command the engine's result without `ok`; absent when there is nothing to say. */
  result?: Record<string, unknown>;
}

export interface ErrorMessage {
  type: 'error';
  /** The request this answers; null when the message was too broken to carry one. */
  requestId: string | null;
  code: ErrorCode;
  message: string;
  serverTimeMs: number;
}

export interface SubscribedMessage {
  type: 'subscribed';
  requestId: string;
  channel: string;
  epoch: string;
  /** The offset the client's copy stands at after this message; the next delta has `offset + 1`. */
  offset: number;
  /** Only on a resume: true when the missed deltas follow, false when `snapshot` replaces the client's copy. */
  recovered?: boolean;
  /** Absent on a successful resume. */
  snapshot?: unknown;
  /** Connections watching the channel, for offer and group channels. */
  watchers?: number;
  serverTimeMs: number;
}

export interface DeltaMessage {
  type: 'delta';
  channel: string;
  offset: number;
  event: { type: string; atMs?: number } & Record<string, unknown>;
}

export interface PresenceMessage {
  type: 'presence';
  channel: string;
  watchers: number;
}

export type ServerMessage = WelcomeMessage | AckMessage | ErrorMessage | SubscribedMessage | DeltaMessage | PresenceMessage;
