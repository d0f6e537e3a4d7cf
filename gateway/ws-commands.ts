// Commands over the socket: who may send which, and the identity the gateway adds. A shopper's id and vouched facts
// (newcomer, member tier, exposure limit, priority class, credit score) come from its verified token and a
// merchant's id from its API key; the message itself cannot carry them (the schemas refuse those fields), so nobody
// acts as someone else or vouches for itself. Which command needs which facts is read from the engine's schemas
// (protocol.ts), so this file knows no command by name.
import { takeToken } from './rate-limiter.ts';
import { ownershipProblem, refuse, runCommand, type GatewayContext } from './context.ts';
import { WIRE_COMMANDS, type CommandMessage, type GatewayRejection } from './protocol.ts';
import type { Outcome, UnstampedCommand } from '../runtime/index.ts';
import { sendError, sendText, type Connection, type Socket } from './ws-connection.ts';

export function handleCommand(ctx: GatewayContext, ws: Socket, conn: Connection, message: CommandMessage): void {
  // The one copy of the message: everything but `requestId` becomes the command, identity is added in place.
  const { requestId, ...fields } = message;
  const built = buildCommand(ctx, conn, fields);
  if ('ok' in built) {
    sendError(ws, requestId, built.code, built.message, ctx.clock());
    return;
  }
  void runCommand(ctx, built).then((outcome) => reply(ctx, ws, conn, requestId, outcome));
}

function buildCommand(ctx: GatewayContext, conn: Connection, fields: Record<string, unknown> & { type: CommandMessage['type'] }): UnstampedCommand | GatewayRejection {
  const command = WIRE_COMMANDS.get(fields.type)!;
  switch (command.role) {
    case 'shopper': {
      const problem = shopperProblem(ctx, conn);
      if (problem) return problem;
      const shopperId = conn.subjectId!;
      if (!ctx.limiters.shopper.take(shopperId)) {
        ctx.metrics.rateLimited.inc({ scope: 'shopper' });
        return refuse(ctx, 'rate_limited', 'Too many commands from this shopper; slow down.');
      }
      fields.shopperId = shopperId;
      stampFacts(conn, command.facts, fields);
      return fields as UnstampedCommand;
    }
    case 'merchant': {
      if (conn.role !== 'merchant') return refuse(ctx, 'unauthorized', 'Authenticate with a merchant API key first.');
      const merchantId = conn.subjectId!;
      if (!ctx.limiters.merchant.take(merchantId)) {
        ctx.metrics.rateLimited.inc({ scope: 'merchant' });
        return refuse(ctx, 'rate_limited', 'Too many requests for this merchant key; slow down.');
      }
      if (typeof fields.offerId === 'string' && fields.type !== 'create_offer') {
        const problem = ownershipProblem(ctx, merchantId, fields.offerId);
        if (problem) return problem;
      }
      fields.merchantId = merchantId;
      return fields as UnstampedCommand;
    }
    case 'anyone':
      // A quote is priced for whoever asks: an authenticated shopper's segment, or nobody's.
      if (conn.role === 'shopper' && conn.expiresAtMs > ctx.clock()) stampFacts(conn, command.facts, fields);
      return fields as UnstampedCommand;
    default:
      return command.role satisfies never;
  }
}

/** What the shopper's token vouches for, on the fields the command carries. */
function stampFacts(conn: Connection, facts: readonly string[], fields: Record<string, unknown>): void {
  for (const fact of facts) {
    switch (fact) {
      case 'newcomer':
        fields.newcomer = conn.newcomer;
        break;
      case 'memberTier':
        if (conn.memberTier !== null) fields.memberTier = conn.memberTier;
        break;
      case 'exposureLimitMinor':
        // The token's limit covers everything the shopper has committed in open auctions at once; the engine
        // subtracts what it has committed elsewhere.
        if (conn.exposureLimitMinor !== null) fields.exposureLimitMinor = conn.exposureLimitMinor;
        break;
      case 'priorityClass':
        fields.priorityClass = conn.priorityClass;
        break;
      case 'creditScore':
        if (conn.creditScore !== null) fields.creditScore = conn.creditScore;
        break;
    }
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
