// The WebSocket endpoint: upgrade checks, the per-message pipeline (size → rate → JSON → schema → handler) and
// the connection lifecycle. Every bad message gets an `error` and changes nothing; only abuse (ignoring
// `rate_limited` again and again) or falling too far behind closes a connection, with a documented code.
import uWS, { type WebSocketBehavior } from 'uWebSockets.js';
import { describeIssues } from '../engine/index.ts';
import { hasPresence, parseChannel } from './channel-names.ts';
import { refuse, type GatewayContext } from './context.ts';
import { ConnectionCounts } from './connection-caps.ts';
import { originAllowed } from './http-kit.ts';
import { describeTokenProblem, verifyShopperToken } from './shopper-tokens.ts';
import { CLOSE_CODES, ClientMessage, PROTOCOL_VERSION, type CommandMessage } from './protocol.ts';
import type { Presence } from './presence.ts';
import { handleCommand, takeConnectionToken } from './ws-commands.ts';
import { salvageRequestId, sendError, sendJson, type Connection, type Socket } from './ws-connection.ts';
import { handleSubscribe, handleUnsubscribe } from './ws-subscriptions.ts';

export interface WsEndpoint {
  behavior: WebSocketBehavior<Connection>;
  sockets: Set<Socket>;
  /** Closes connections more than `slowConsumerBytes` behind; run on a timer. */
  sweepSlowConsumers(): void;
  /** Closes the watchers of `channel` that a publish just left more than `slowConsumerBytes` behind. */
  checkAfterPublish(channel: string): void;
}

export function createWsEndpoint(ctx: GatewayContext, presence: Presence): WsEndpoint {
  const sockets = new Set<Socket>();
  const perAddress = new ConnectionCounts();
  const perShopper = new ConnectionCounts();
  let nextConnectionId = 0;
  const { config } = ctx;

  const behavior: WebSocketBehavior<Connection> = {
    compression: uWS.DISABLED,
    maxPayloadLength: config.hardMaxMessageBytes,
    maxBackpressure: config.maxBackpressureBytes,
    // Past the hard bound uWS drops the connection rather than skipping messages: a gap is never silent.
    closeOnBackpressureLimit: 1,
    idleTimeout: config.idleTimeoutS,
    sendPingsAutomatically: true,

    upgrade: (res, req, context) => {
      const turnAway = (status: string, reason: string): void => {
        ctx.metrics.connectionsRefused.inc({ reason });
        res.writeStatus(status).end();
      };
      const origin = req.getHeader('origin');
      const subprotocol = chooseSubprotocol(req.getHeader('sec-websocket-protocol'));
      if (ctx.shuttingDown) return turnAway('503 Service Unavailable', 'shutting_down');
      if (sockets.size >= config.maxConnections) return turnAway('503 Service Unavailable', 'capacity');
      const address = Buffer.from(res.getRemoteAddressAsText()).toString();
      if (!perAddress.hasRoom(address, config.maxConnectionsPerAddress)) return turnAway('429 Too Many Requests', 'address_limit');
      if (!originAllowed(origin, req.getHeader('host'), config.origins)) return turnAway('403 Forbidden', 'origin');
      if (subprotocol === null) return turnAway('400 Bad Request', 'protocol_version');
      const nowMs = ctx.clock();
      const conn: Connection = {
        id: ++nextConnectionId,
        role: 'anonymous',
        subjectId: null,
        newcomer: false,
        memberTier: null,
        exposureLimitMinor: null,
        priorityClass: 0,
        creditScore: null,
        expiresAtMs: 0,
        subscriptions: null,
        bucketTokens: config.connectionRate.burst,
        bucketUpdatedMs: nowMs,
        rateStrikes: 0,
        address,
        authTimer: null,
        closed: false,
      };
      res.upgrade(conn, req.getHeader('sec-websocket-key'), subprotocol, req.getHeader('sec-websocket-extensions'), context);
    },

    open: (ws) => {
      sockets.add(ws);
      const conn = ws.getUserData();
      perAddress.add(conn.address);
      ctx.metrics.connectionsOpened.inc();
      if (config.authTimeoutMs > 0) {
        conn.authTimer = setTimeout(() => {
          conn.authTimer = null;
          if (conn.closed) return;
          ctx.metrics.connectionsClosed.inc({ reason: 'auth_timeout' });
          ws.end(CLOSE_CODES.authTimeout, 'auth_timeout');
        }, config.authTimeoutMs);
        conn.authTimer.unref();
      }
      sendJson(ws, {
        type: 'welcome',
        protocolVersion: PROTOCOL_VERSION,
        serverTimeMs: ctx.clock(),
        limits: {
          maxMessageBytes: config.maxMessageBytes,
          maxSubscriptions: config.maxSubscriptionsPerConnection,
          messagesPerS: config.connectionRate.ratePerS,
          burst: config.connectionRate.burst,
        },
      });
    },

    message: (ws, data) => {
      ctx.metrics.messagesReceived.inc();
      onMessage(ctx, presence, perShopper, ws, data);
    },

    close: (ws) => {
      const conn = ws.getUserData();
      conn.closed = true;
      sockets.delete(ws);
      settleAuthTimer(conn);
      perAddress.remove(conn.address);
      if (conn.role === 'shopper') perShopper.remove(conn.subjectId!);
      if (conn.subscriptions) {
        for (const name of conn.subscriptions) {
          ctx.watchers.remove(name, ws);
          const channel = parseChannel(name);
          if (channel && hasPresence(channel.kind)) presence.changed(name);
        }
      }
    },
  };

  return {
    behavior,
    sockets,
    sweepSlowConsumers() {
      for (const ws of sockets) if (ws.getBufferedAmount() > config.slowConsumerBytes) closeSlowConsumer(ws);
    },
    checkAfterPublish(channel) {
      // Collected first: closing runs the close handler, which changes the watcher set being read.
      for (const ws of ctx.watchers.over(channel, config.slowConsumerBytes)) closeSlowConsumer(ws);
    },
  };

  function closeSlowConsumer(ws: Socket): void {
    const conn = ws.getUserData();
    if (conn.closed) return;
    ctx.metrics.slowConsumers.inc();
    ctx.logger.info({ conn: conn.id, bufferedBytes: ws.getBufferedAmount() }, 'closing slow consumer');
    // Nothing more is sent after the close frame, and the next publish does not close (and count) it again.
    conn.closed = true;
    ws.end(CLOSE_CODES.slowConsumer, 'slow_consumer');
  }
}

/**
 * Clients may name the protocol version as a WebSocket subprotocol (`tuan.v1`). None offered: version 1 is
 * assumed and no subprotocol is echoed. Offered, but not one this server speaks: null, and the upgrade is refused.
 */
function chooseSubprotocol(offered: string): string | null {
  if (offered.trim() === '') return '';
  const wanted = `tuan.v${PROTOCOL_VERSION}`;
  return offered.split(',').some((name) => name.trim() === wanted) ? wanted : null;
}

/** The connection authenticated or watches something: it may stay past `authTimeoutMs`. */
function settleAuthTimer(conn: Connection): void {
  if (conn.authTimer === null) return;
  clearTimeout(conn.authTimer);
  conn.authTimer = null;
}

function onMessage(ctx: GatewayContext, presence: Presence, perShopper: ConnectionCounts, ws: Socket, data: ArrayBuffer): void {
  const conn = ws.getUserData();
  const nowMs = ctx.clock();
  if (!takeConnectionToken(ctx, conn)) {
    ctx.metrics.rateLimited.inc({ scope: 'connection' });
    if (++conn.rateStrikes >= ctx.config.rateLimitStrikesMax) {
      ws.end(CLOSE_CODES.rateLimitAbuse, 'rate_limited');
      return;
    }
    const refusal = refuse(ctx, 'rate_limited', `At most ${ctx.config.connectionRate.ratePerS} messages a second; slow down.`);
    sendError(ws, null, refusal.code, refusal.message, nowMs);
    return;
  }
  conn.rateStrikes = 0;
  if (data.byteLength > ctx.config.maxMessageBytes) {
    const refusal = refuse(ctx, 'too_large', `Messages may be at most ${ctx.config.maxMessageBytes} bytes.`);
    sendError(ws, null, refusal.code, refusal.message, nowMs);
    return;
  }
  // The buffer is only valid during this callback; decoding copies it out.
  const text = Buffer.from(data).toString('utf8');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    const refusal = refuse(ctx, 'bad_request', 'The message is not valid JSON.');
    sendError(ws, null, refusal.code, refusal.message, nowMs);
    return;
  }
  const parsed = ClientMessage.safeParse(raw);
  if (!parsed.success) {
    const refusal = refuse(ctx, 'bad_request', describeIssues(parsed.error));
    sendError(ws, salvageRequestId(raw), refusal.code, refusal.message, nowMs);
    return;
  }
  const message = parsed.data;
  switch (message.type) {
    case 'authenticate':
      authenticate(ctx, perShopper, ws, conn, message);
      if (conn.role !== 'anonymous') settleAuthTimer(conn);
      return;
    case 'subscribe':
      handleSubscribe(ctx, presence, ws, conn, message);
      if ((conn.subscriptions?.size ?? 0) > 0) settleAuthTimer(conn);
      return;
    case 'unsubscribe':
      handleUnsubscribe(ctx, presence, ws, conn, message);
      return;
    case 'ping':
      sendJson(ws, { type: 'ack', requestId: message.requestId, serverTimeMs: nowMs });
      return;
    default:
      // Every other message is a command (the schema admitted only those it knows).
      handleCommand(ctx, ws, conn, message as CommandMessage);
  }
}

/** A connection has one identity for its life; authenticating again may only renew it (a fresher token). */
function authenticate(ctx: GatewayContext, perShopper: ConnectionCounts, ws: Socket, conn: Connection, message: Extract<ClientMessage, { type: 'authenticate' }>): void {
  const nowMs = ctx.clock();
  const fail = (code: 'unauthorized' | 'forbidden', text: string): void => {
    const refusal = refuse(ctx, code, text);
    sendError(ws, message.requestId, refusal.code, refusal.message, nowMs);
  };
  if (message.token !== undefined) {
    const check = verifyShopperToken(ctx.config.tokenSecret, message.token, nowMs, ctx.config.tokenPolicy);
    if (!check.ok) return fail('unauthorized', describeTokenProblem(check.reason));
    const { shopperId, newcomer, expiresAtMs, exposureLimitMinor, priorityClass, creditScore, memberTier } = check.claims;
    if (conn.role === 'merchant' || (conn.role === 'shopper' && conn.subjectId !== shopperId)) {
      return fail('forbidden', 'This connection is already authenticated as someone else; open a new connection.');
    }
    if (conn.role === 'anonymous') {
      // A renewal is the same connection: only a connection's first shopper authentication counts against the cap.
      if (!perShopper.hasRoom(shopperId, ctx.config.maxConnectionsPerShopper)) {
        ctx.metrics.connectionsRefused.inc({ reason: 'shopper_limit' });
        const refusal = refuse(ctx, 'too_many_connections', `Shopper "${shopperId}" is connected ${ctx.config.maxConnectionsPerShopper} times already; close one of those connections first.`);
        sendError(ws, message.requestId, refusal.code, refusal.message, nowMs);
        return;
      }
      perShopper.add(shopperId);
    }
    // A renewal takes the fresher token's facts too: the platform may have changed a limit or a class meanwhile.
    Object.assign(conn, { role: 'shopper', subjectId: shopperId, newcomer, memberTier, expiresAtMs, exposureLimitMinor, priorityClass, creditScore });
    sendJson(ws, { type: 'ack', requestId: message.requestId, serverTimeMs: nowMs, result: { role: 'shopper', shopperId, newcomer, expiresAtMs } });
    return;
  }
  const merchantId = ctx.keyring.authenticate(message.apiKey!);
  if (merchantId === null) return fail('unauthorized', 'Unknown API key.');
  if (conn.role === 'shopper' || (conn.role === 'merchant' && conn.subjectId !== merchantId)) {
    return fail('forbidden', 'This connection is already authenticated as someone else; open a new connection.');
  }
  Object.assign(conn, { role: 'merchant', subjectId: merchantId, newcomer: false, memberTier: null, expiresAtMs: Number.MAX_SAFE_INTEGER, exposureLimitMinor: null, priorityClass: 0, creditScore: null });
  sendJson(ws, { type: 'ack', requestId: message.requestId, serverTimeMs: nowMs, result: { role: 'merchant', merchantId } });
}
