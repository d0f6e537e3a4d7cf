// One WebSocket connection's state, kept in uWS's per-socket user data and deliberately small (idle connections
// must stay cheap): who it is, what it watches, and its rate-limit bucket inline.
import type { WebSocket } from 'uWebSockets.js';
import type { ErrorCode } from './protocol.ts';

export type Role = 'anonymous' | 'shopper' | 'merchant';

export interface Connection {
  id: number;
  role: Role;
  /** The shopper's or merchant's id once authenticated. */
  subjectId: string | null;
  newcomer: boolean;
  /** The shopper's membership tier from its token, or null. */
  memberTier: string | null;
  /** Facts the shopper's token vouches for (see shopper-tokens.ts); null / 0 for merchants and anonymous connections. */
  exposureLimitMinor: number | null;
  priorityClass: number;
  creditScore: number | null;
  /** When the shopper's token expires; commands after it need a fresh `authenticate`. */
  expiresAtMs: number;
  /** Channels this connection watches; made on first subscribe. */
  subscriptions: Set<string> | null;
  bucketTokens: number;
  bucketUpdatedMs: number;
  /** Rate-limited messages in a row; reset by any message that passes. */
  rateStrikes: number;
  /** The remote address the upgrade came from (counted against `maxConnectionsPerAddress`). */
  address: string;
  /** Closes the connection unless it authenticates or subscribes first; null once it did (or the check is off). */
  authTimer: ReturnType<typeof setTimeout> | null;
  /** Set in the close handler: uWS sockets must not be touched after it. */
  closed: boolean;
}

export type Socket = WebSocket<Connection>;

/**
 * Sends one JSON message unless the socket has closed meanwhile (answers to commands arrive asynchronously).
 * Callers answering after an await pass the `conn` they captured: a closed uWS socket must not be touched,
 * not even to read its user data.
 */
export function sendJson(ws: Socket, message: object, conn: Connection = ws.getUserData()): void {
  sendText(ws, JSON.stringify(message), conn);
}

// The socket and text `corkedSend` writes. One callback made once instead of a closure per message: `cork`
// runs it synchronously and `send` never calls back into here, so the pair cannot be overwritten meanwhile.
let corkSocket: Socket | null = null;
let corkText = '';
const corkedSend = (): void => {
  corkSocket!.send(corkText, false);
};

export function sendText(ws: Socket, text: string, conn: Connection = ws.getUserData()): void {
  if (conn.closed) return;
  // Corked: outside uWS's own callbacks each send would otherwise be a syscall of its own.
  corkSocket = ws;
  corkText = text;
  try {
    ws.cork(corkedSend);
  } finally {
    corkSocket = null;
    corkText = '';
  }
}

export function sendError(
  ws: Socket,
  requestId: string | null,
  code: ErrorCode,
  message: string,
  serverTimeMs: number,
  conn: Connection = ws.getUserData(),
): void {
  sendJson(ws, { type: 'error', requestId, code, message, serverTimeMs }, conn);
}

/** The `requestId` of a message that failed validation, when it has a usable one, so the client can match the error. */
export function salvageRequestId(raw: unknown): string | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const requestId = (raw as { requestId?: unknown }).requestId;
  return typeof requestId === 'string' && requestId.length > 0 && requestId.length <= 64 ? requestId : null;
}
