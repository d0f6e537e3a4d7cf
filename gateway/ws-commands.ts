// Commands over the socket: who may send which, and the identity the gateway adds. A shopper's id, newcomer flag
// and vouched facts (exposure limit, priority class, credit score) come from its verified token and a merchant's
// id from its API key; the message itself cannot carry them (the schemas refuse those fields), so nobody acts as
// someone else or vouches for itself.
import { takeToken } from './rate-limiter.ts';
import { ownershipProblem, refuse, runCommand, type GatewayContext } from './context.ts';
import type { ClientMessage, GatewayRejection, MerchantCommandMessage, ShopperCommandMessage } from './protocol.ts';
import type { Outcome, UnstampedCommand } from '../runtime/sequencer.ts';
import { sendError, sendText, type Connection, type Socket } from './ws-connection.ts';

type CommandMessage = ShopperCommandMessage | MerchantCommandMessage | Extract<ClientMessage, { type: 'quote' }>;

export function handleCommand(ctx: GatewayContext, ws: Socket, conn: Connection, message: CommandMessage): void {
  // The one copy of the message: everything but `requestId` becomes the command, identity is added in place.
  const { requestId, ...fields } = message;
  const built = buildCommand(ctx, conn, message.type, fields as Record<string, unknown>);
  if ('ok' in built) {
    sendError(ws, requestId, built.code, built.message, ctx.clock());
    return;
  }
  // A bid counts against the shopper's exposure from now until it is answered (then the ledger has it, or not).
  const settled = built.type === 'place_bid' ? ctx.ledger.auctions.bidInFlight(built.shopperId, built.offerId, built.maxBidMinor * built.qty) : null;
  void runCommand(ctx, built).then((outcome) => {
    settled?.();
    reply(ctx, ws, conn, requestId, outcome);
  });
}

function buildCommand(
  ctx: GatewayContext,
  conn: Connection,
  type: CommandMessage['type'],
  fields: Record<string, unknown>,
): UnstampedCommand | GatewayRejection {
  switch (type) {
    case 'open_group':
    case 'join_group':
    case 'match_group':
    case 'leave_group':
    case 'place_bid':
    case 'buy_now':
    case 'accept_price':
    case 'join_queue':
    case 'leave_queue':
    case 'confirm_hold':
    case 'extend_hold':
    case 'release_hold':
    case 'return_unit':
    case 'book_slot':
    case 'cancel_booking': {
      const problem = shopperProblem(ctx, conn);
      if (problem) return problem;
      const shopperId = conn.subjectId!;
      if (!ctx.limiters.shopper.take(shopperId)) {
        ctx.metrics.rateLimited.inc({ scope: 'shopper' });
        return refuse(ctx, 'rate_limited', 'Too many commands from this shopper; slow down.');
      }
      fields.shopperId = shopperId;
      addShopperFacts(ctx, conn, type, fields);
      return fields as UnstampedCommand;
    }
    case 'create_offer':
    case 'edit_offer':
    case 'pause_offer':
    case 'resume_offer':
    case 'close_offer':
    case 'set_rule_set': {
      if (conn.role !== 'merchant') return refuse(ctx, 'unauthorized', 'Authenticate with a merchant API key first.');
      const merchantId = conn.subjectId!;
      if (!ctx.limiters.merchant.take(merchantId)) {
        ctx.metrics.rateLimited.inc({ scope: 'merchant' });
        return refuse(ctx, 'rate_limited', 'Too many requests for this merchant key; slow down.');
      }
      if (type !== 'create_offer' && typeof fields.offerId === 'string') {
        const problem = ownershipProblem(ctx, merchantId, fields.offerId);
        if (problem) return problem;
      }
      fields.merchantId = merchantId;
      return fields as UnstampedCommand;
    }
    case 'quote':
      return fields as UnstampedCommand;
    default:
      return type satisfies never;
  }
}

/** What the engine needs to know about the shopper for this command, as its token vouches for it. */
function addShopperFacts(ctx: GatewayContext, conn: Connection, type: ShopperCommandMessage['type'], fields: Record<string, unknown>): void {
  switch (type) {
    case 'open_group':
    case 'join_group':
    case 'match_group':
      fields.newcomer = conn.newcomer;
      return;
    case 'place_bid':
    case 'buy_now':
    case 'accept_price':
      fields.newcomer = conn.newcomer;
      // The token's limit covers everything the shopper has committed in open auctions at once; the engine checks
      // one command against what is left of it.
      if (conn.exposureLimitMinor !== null) {
        fields.exposureLimitMinor = ctx.ledger.auctions.remainingExposure(conn.subjectId!, fields.offerId as string, conn.exposureLimitMinor);
      }
      return;
    case 'join_queue':
    case 'book_slot':
      fields.newcomer = conn.newcomer;
      fields.priorityClass = conn.priorityClass;
      if (conn.creditScore !== null) fields.creditScore = conn.creditScore;
      return;
    case 'leave_group':
    case 'leave_queue':
    case 'confirm_hold':
    case 'extend_hold':
    case 'release_hold':
    case 'return_unit':
    case 'cancel_booking':
      return;
    default:
      return type satisfies never;
  }
}

function shopperProblem(ctx: GatewayContext, conn: Connection): GatewayRejection | null {
  if (conn.role !== 'shopper') return refuse(ctx, 'unauthorized', 'Authenticate with a shopper token first.');
  if (conn.expiresAtMs <= ctx.clock()) return refuse(ctx, 'unauthorized', 'Your token has expired; authenticate again with a new one.');
  return null;
}

/** Answers after the command was applied; the socket may have closed meanwhile, hence the captured `conn`. */
function reply(ctx: GatewayContext, ws: Socket, conn: Connection, requestId: string, outcome: Outcome): void {
  const { result } = outcome;
  if (!result.ok) {
    sendError(ws, requestId, result.code, result.message, ctx.clock(), conn);
    return;
  }
  sendText(ws, `{"type":"ack","requestId":${JSON.stringify(requestId)},"serverTimeMs":${ctx.clock()},"result":${resultJson(result)}}`, conn);
}

/**
 * The result as the ack shows it, without `ok`. The engine puts `ok` first, so it is cut from the serialized
 * text instead of copying the object; any other shape takes the copy.
 */
function resultJson(result: object): string {
  const json = JSON.stringify(result);
  if (json === OK_ONLY) return '{}';
  if (json.startsWith(OK_FIRST)) return `{${json.slice(OK_FIRST.length)}`;
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { ok, ...rest } = result as { ok: true };
  return JSON.stringify(rest);
}

const OK_ONLY = '{"ok":true}';
const OK_FIRST = '{"ok":true,';

/** The per-connection bucket: every message counts, whatever its type. */
export function takeConnectionToken(ctx: GatewayContext, conn: Connection): boolean {
  const bucket = { tokens: conn.bucketTokens, updatedMs: conn.bucketUpdatedMs };
  const allowed = takeToken(bucket, ctx.config.connectionRate, ctx.clock());
  conn.bucketTokens = bucket.tokens;
  conn.bucketUpdatedMs = bucket.updatedMs;
  return allowed;
}
