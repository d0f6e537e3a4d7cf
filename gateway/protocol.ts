// The WebSocket wire protocol, version 1: what clients may send (zod `.strict()` schemas, so unknown fields are
// refused, not dropped) and what the server sends back. docs/protocol.md describes every message; keep the two
// in step. Commands are the engine's own schemas (every command but the engine's internal `tick`), minus the
// fields only the gateway may set: `nowMs` (the sequencer's clock), `merchantId` (from the API key), and a
// shopper's identity and vouched facts (`shopperId` and VOUCHED_FACT_FIELDS: `newcomer`, `memberTier`,
// `exposureLimitMinor`, `priorityClass`, `creditScore`, from the shopper's token). An offer's time zone is sent by
// name and resolved to offsets here (time-zones.ts). A command the engine gains is on the wire without an edit here.
import { z } from 'zod';
import { Command, OfferPatch, VOUCHED_FACT_FIELDS, type CommandType, type RejectionCode } from '../engine/index.ts';
import { ChannelName } from './channel-names.ts';
import { timeZoneField } from './time-zones.ts';

/** Bumped on any change a version-1 client could not handle. Sent in `welcome`. */
export const PROTOCOL_VERSION = 1;

const RequestId = z.string().min(1).max(64);

export const Authenticate = z
  .strictObject({
    type: z.literal('authenticate'),
    requestId: RequestId,
    /**
     * A shopper's signed token. Any string: an empty, overlong or malformed one is a bad credential and answered
     * `unauthorized` like a bad signature, never `bad_request` (the message size limit bounds it).
     */
    token: z.string().optional(),
    /** A merchant's API key; any string, a wrong one is `unauthorized`. */
    apiKey: z.string().optional(),
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

/** Who may send a command: a merchant (it names `merchantId`), a shopper (it names `shopperId`), or anyone (quotes). */
export type CommandRole = 'merchant' | 'shopper' | 'anyone';

/** Commands only the server itself sends. */
const INTERNAL_COMMANDS: ReadonlySet<string> = new Set(['tick']);
const STAMPED_FIELDS: readonly string[] = ['nowMs', 'merchantId', 'shopperId', ...VOUCHED_FACT_FIELDS];

interface WireCommand {
  type: CommandType;
  role: CommandRole;
  /** The vouched facts this command carries, which the gateway stamps from the shopper's token. */
  facts: readonly (typeof VOUCHED_FACT_FIELDS)[number][];
  schema: z.ZodObject;
}

/**
 * Merchants name an offer's time zone (`"Asia/Shanghai"`); the command the engine journals carries the resolved
 * offsets (time-zones.ts). The same replacement serves the HTTP API.
 */
export function withTimeZoneNames(type: CommandType, schema: z.ZodObject): z.ZodObject {
  if (type === 'create_offer') return schema.extend({ timeZone: timeZoneField(Date.now).optional() });
  if (type === 'edit_offer') return schema.extend({ patch: WIRE_OFFER_PATCH });
  return schema;
}

/** An offer patch as merchants send it: a time zone by name, or null to go back to UTC. */
export const WIRE_OFFER_PATCH = OfferPatch.extend({ timeZone: timeZoneField(Date.now).nullable().optional() });

/** Every command a client may send, with who may send it and what the gateway adds. */
export const WIRE_COMMANDS: ReadonlyMap<string, WireCommand> = new Map(
  Command.options
    .filter((schema) => !INTERNAL_COMMANDS.has(schema.shape.type.value))
    .map((schema) => {
      const shape = schema.shape as Record<string, unknown>;
      const type = schema.shape.type.value as CommandType;
      const role: CommandRole = 'merchantId' in shape ? 'merchant' : 'shopperId' in shape ? 'shopper' : 'anyone';
      const facts = VOUCHED_FACT_FIELDS.filter((field) => field in shape);
      const omitted = Object.fromEntries(STAMPED_FIELDS.filter((field) => field in shape).map((field) => [field, true] as const));
      const wire = withTimeZoneNames(type, (schema as z.ZodObject).omit(omitted as never)).extend({ requestId: RequestId });
      return [type, { type, role, facts, schema: wire }] as const;
    }),
);

const COMMAND_MESSAGES = [...WIRE_COMMANDS.values()].map((command) => command.schema);

/** A command as a client sends it: the engine command without the stamped fields, with a `requestId`. */
export interface CommandMessage {
  type: CommandType;
  requestId: string;
  [field: string]: unknown;
}

export const ClientMessage = z.discriminatedUnion('type', [Authenticate, Subscribe, Unsubscribe, Ping, ...COMMAND_MESSAGES] as unknown as [
  typeof Authenticate,
  typeof Subscribe,
  typeof Unsubscribe,
  typeof Ping,
]);

export type SessionMessage = z.output<typeof Authenticate> | z.output<typeof Subscribe> | z.output<typeof Unsubscribe> | z.output<typeof Ping>;
export type ClientMessage = SessionMessage | CommandMessage;
export type ClientMessageType = ClientMessage['type'];

/** Codes the gateway itself answers with; the engine's rejection codes pass through unchanged beside them. */
export const GATEWAY_ERROR_CODES = [
  'bad_request',
  'unauthorized',
  'forbidden',
  'not_found',
  'rate_limited',
  'too_large',
  'too_many_subscriptions',
  'too_many_connections',
  'unsupported_media_type',
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
  /** The connection neither authenticated nor subscribed within `authTimeoutMs` of opening. */
  authTimeout: 4001,
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
