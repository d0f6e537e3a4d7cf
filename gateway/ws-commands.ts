// Commands over the socket: who may send which, and the identity the gateway adds. A shopper's id and newcomer
// flag come from its verified token and a merchant's id from its API key; the message itself cannot carry them
// (the schemas refuse those fields), so nobody acts as someone else.
import { takeToken } from './rate-limiter.ts';
import { ownershipProblem, refuse, runCommand, type GatewayContext } from './context.ts';
import type { ClientMessage, GatewayRejection, MerchantCommandMessage, ShopperCommandMessage } from './protocol.ts';
import type { Outcome, UnstampedCommand } from './sequencer.ts';
import { sendError, sendJson, type Connection, type Socket } from './ws-connection.ts';

type CommandMessage = ShopperCommandMessage | MerchantCommandMessage | Extract<ClientMessage, { type: 'quote' }>;

export function handleCommand(ctx: GatewayContext, ws: Socket, conn: Connection, message: CommandMessage): void {
  const { requestId, ...fields } = message;
  const built = buildCommand(ctx, conn, message.type, fields);
  if ('ok' in built) {
    sendError(ws, requestId, built.code, built.message, ctx.clock());
    return;
  }
  void runCommand(ctx, built).then((outcome) => reply(ctx, ws, conn, requestId, outcome));
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
    case 'leave_group': {
      const problem = shopperProblem(ctx, conn);
      if (problem) return problem;
      const shopperId = conn.subjectId!;
      if (!ctx.limiters.shopper.take(shopperId)) {
        ctx.metrics.rateLimited.inc({ scope: 'shopper' });
        return refuse(ctx, 'rate_limited', 'Too many commands from this shopper; slow down.');
      }
      const identity = type === 'leave_group' ? { shopperId } : { shopperId, newcomer: conn.newcomer };
      return { ...fields, ...identity } as UnstampedCommand;
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
      return { ...fields, merchantId } as UnstampedCommand;
    }
    case 'quote':
      return fields as UnstampedCommand;
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
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { ok, ...rest } = result;
  sendJson(ws, { type: 'ack', requestId, serverTimeMs: ctx.clock(), result: rest }, conn);
}

/** The per-connection bucket: every message counts, whatever its type. */
export function takeConnectionToken(ctx: GatewayContext, conn: Connection): boolean {
  const bucket = { tokens: conn.bucketTokens, updatedMs: conn.bucketUpdatedMs };
  const allowed = takeToken(bucket, ctx.config.connectionRate, ctx.clock());
  conn.bucketTokens = bucket.tokens;
  conn.bucketUpdatedMs = bucket.updatedMs;
  return allowed;
}
