// The rules of answering HTTP on uWS, kept in one place so routes cannot get them wrong:
// - `onAborted` is registered before anything asynchronous, and nothing is written after an abort;
// - everything read from the request (method, url, params, headers, address) is copied before any await,
//   because uWS's request object is valid only during the synchronous handler;
// - bodies are bounded (Content-Length checked up front, bytes counted while streaming) and each chunk is
//   copied, since uWS reuses the buffer;
// - the status, headers and body are written inside one `cork`.
import type { HttpRequest, HttpResponse } from 'uWebSockets.js';
import { z } from 'zod';
import type { GatewayContext } from './context.ts';
import type { ErrorCode } from './protocol.ts';

export interface RequestData {
  method: string;
  url: string;
  params: string[];
  query: string;
  authorization: string;
  idempotencyKey: string;
  origin: string;
  /** The `Host` header: the address the client sent the request to. */
  host: string;
  requestId: string;
  remoteAddress: string;
  /** Parsed JSON body; undefined when the route reads none or it was empty. */
  body: unknown;
}

export interface Reply {
  status: number;
  /** Sent as JSON, or as-is when a string or bytes with `contentType`. */
  body: unknown;
  contentType?: string;
  headers?: Record<string, string>;
}

export type RouteHandler = (request: RequestData) => Reply | Promise<Reply>;

const STATUS_TEXT: Record<number, string> = {
  200: '200 OK',
  201: '201 Created',
  204: '204 No Content',
  400: '400 Bad Request',
  401: '401 Unauthorized',
  403: '403 Forbidden',
  404: '404 Not Found',
  409: '409 Conflict',
  413: '413 Payload Too Large',
  415: '415 Unsupported Media Type',
  422: '422 Unprocessable Entity',
  429: '429 Too Many Requests',
  500: '500 Internal Server Error',
  503: '503 Service Unavailable',
};

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;
/** `application/json`, with parameters (`; charset=utf-8`) or not, in any letter case. */
const JSON_CONTENT_TYPE = /^application\/json\s*(;.*)?$/i;
let requestCounter = 0;

/** The HTTP status for an error code: 4xx for the client's mistakes, 409 for business refusals. */
export function statusOf(code: ErrorCode): number {
  switch (code) {
    case 'bad_request':
      return 400;
    case 'unauthorized':
      return 401;
    case 'forbidden':
    case 'not_owner':
      return 403;
    case 'not_found':
    case 'unknown_offer':
    case 'unknown_group':
      return 404;
    case 'too_large':
      return 413;
    case 'unsupported_media_type':
      return 415;
    case 'invalid_settings':
      return 422;
    case 'rate_limited':
    case 'too_many_subscriptions':
    case 'too_many_connections':
      return 429;
    case 'unavailable':
      return 503;
    default:
      return 409;
  }
}

/**
 * Whether a request or socket upgrade carrying this `Origin` may go on. Clients that send no `Origin` (not
 * browsers) and servers without an allowlist (`ORIGINS` unset) are not checked. Otherwise the origin must be on
 * the list, or be the server's own origin — the page the web console serves, whose origin is the address the
 * request was sent to (`Host`) — when that address is an IP address or `localhost`. Why only then: a page of
 * another site that re-points its own domain name at this server (DNS rebinding) also sends an `Origin` equal to
 * its `Host`, but with its domain name in both, never an IP address; a console reached by a domain name is allowed
 * by listing that origin in `ORIGINS`.
 */
export function originAllowed(origin: string, host: string, allowlist: readonly string[]): boolean {
  if (origin === '' || allowlist.length === 0 || allowlist.includes(origin)) return true;
  if (origin !== `http://${host}` && origin !== `https://${host}`) return false;
  const hostname = host.replace(/:\d+$/, '');
  return hostname === 'localhost' || /^\d{1,3}(\.\d{1,3}){3}$/.test(hostname) || /^\[[0-9a-f:.]+\]$/i.test(hostname);
}

export function errorReply(requestCode: ErrorCode, message: string): Reply {
  return { status: statusOf(requestCode), body: { error: { code: requestCode, message } } };
}

/** Wraps a route handler with the uWS rules above, request ids, CORS and metrics. */
export function route(ctx: GatewayContext, name: string, options: { readBody: boolean }, handler: RouteHandler) {
  return (res: HttpResponse, req: HttpRequest): void => {
    let aborted = false;
    res.onAborted(() => {
      aborted = true;
    });
    const presentedId = req.getHeader('x-request-id');
    const request: RequestData = {
      method: req.getMethod(),
      url: req.getUrl(),
      params: [0, 1, 2].map((i) => req.getParameter(i) ?? ''),
      query: req.getQuery() ?? '',
      authorization: req.getHeader('authorization'),
      idempotencyKey: req.getHeader('idempotency-key'),
      origin: req.getHeader('origin'),
      host: req.getHeader('host'),
      requestId: REQUEST_ID.test(presentedId) ? presentedId : `req-${(++requestCounter).toString(36)}`,
      remoteAddress: Buffer.from(res.getRemoteAddressAsText()).toString(),
      body: undefined,
    };
    const contentLength = Number(req.getHeader('content-length') || '0');
    const contentType = req.getHeader('content-type');

    const send = (reply: Reply): void => {
      if (aborted) return;
      const status = STATUS_TEXT[reply.status] ?? `${reply.status} Unknown`;
      const text =
        typeof reply.body === 'string' || reply.body instanceof Uint8Array ? reply.body : JSON.stringify({ ...(reply.body as object), requestId: request.requestId });
      ctx.metrics.httpRequests.inc({ route: name, status: String(reply.status) });
      // 503 is a refusal the client is told to retry (shutdown, overload, journal away): counted in metrics,
      // not logged per request, or an outage would flood the log.
      if (reply.status >= 500 && reply.status !== 503) ctx.logger.error({ route: name, requestId: request.requestId, status: reply.status }, 'request failed');
      else if (ctx.logger.isLevelEnabled('debug')) ctx.logger.debug({ route: name, requestId: request.requestId, status: reply.status }, 'request');
      res.cork(() => {
        res.writeStatus(status);
        res.writeHeader('content-type', reply.contentType ?? 'application/json');
        res.writeHeader('x-request-id', request.requestId);
        for (const [header, value] of Object.entries(reply.headers ?? {})) res.writeHeader(header, value);
        if (request.origin !== '' && ctx.config.origins.includes(request.origin)) {
          res.writeHeader('access-control-allow-origin', request.origin);
          res.writeHeader('vary', 'origin');
        }
        // Close after an early answer to a body we did not read, so its bytes are not taken for the next request.
        res.end(text, reply.status === 413);
      });
    };

    const run = (): void => {
      Promise.resolve()
        .then(() => handler(request))
        .then(send, (error: unknown) => {
          ctx.logger.error({ err: error, route: name, requestId: request.requestId }, 'route threw');
          send(errorReply('unavailable', 'Something went wrong on our side; try again.'));
        });
    };

    if (ctx.shuttingDown) return send(errorReply('unavailable', 'The server is shutting down.'));
    if (!originAllowed(request.origin, request.host, ctx.config.origins)) {
      return send(errorReply('forbidden', 'This origin is not allowed.'));
    }
    if (!options.readBody) return run();
    if (!Number.isFinite(contentLength) || contentLength > ctx.config.maxBodyBytes) {
      return send(errorReply('too_large', `Bodies may be at most ${ctx.config.maxBodyBytes} bytes.`));
    }
    readBody(res, ctx.config.maxBodyBytes, (body) => {
      if (body === null) return send(errorReply('too_large', `Bodies may be at most ${ctx.config.maxBodyBytes} bytes.`));
      if (body.length > 0) {
        // Only JSON is read: a body sent as another type (a form, text/plain) is refused rather than guessed at,
        // which also keeps simple cross-site form posts out.
        if (!JSON_CONTENT_TYPE.test(contentType)) {
          return send(refusal(ctx, 'unsupported_media_type', 'Send the body as JSON with "Content-Type: application/json".'));
        }
        try {
          request.body = JSON.parse(body.toString('utf8'));
        } catch {
          return send(refusal(ctx, 'bad_request', 'The body is not valid JSON.'));
        }
        if (typeof request.body !== 'object' || request.body === null || Array.isArray(request.body)) {
          return send(refusal(ctx, 'bad_request', 'The body must be a JSON object.'));
        }
      }
      run();
    });
  };
}

/** Collects a body of at most `limitBytes`; hands null as soon as it grows past the limit. */
function readBody(res: HttpResponse, limitBytes: number, done: (body: Buffer | null) => void): void {
  const chunks: Buffer[] = [];
  let total = 0;
  let finished = false;
  res.onData((chunk, isLast) => {
    if (finished) return;
    total += chunk.byteLength;
    if (total > limitBytes) {
      finished = true;
      done(null);
      return;
    }
    // uWS neuters the chunk after this callback: copy it.
    chunks.push(Buffer.from(new Uint8Array(chunk).slice()));
    if (isLast) {
      finished = true;
      done(Buffer.concat(chunks, total));
    }
  });
}

/** Validates with a zod schema; the issues become a `bad_request` reply. */
export function validate<T extends z.ZodType>(schema: T, value: unknown): { ok: true; value: z.output<T> } | { ok: false; reply: Reply } {
  const parsed = schema.safeParse(value);
  if (parsed.success) return { ok: true, value: parsed.data };
  const message = parsed.error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(body)'}: ${issue.message}`)
    .join('; ');
  return { ok: false, reply: errorReply('bad_request', message) };
}

/** The merchant an `Authorization: Bearer <key>` header names, or the reply refusing the request. */
export function merchantOf(ctx: GatewayContext, request: RequestData): { ok: true; merchantId: string } | { ok: false; reply: Reply } {
  const match = /^Bearer (\S+)$/.exec(request.authorization);
  if (!match) return { ok: false, reply: refusal(ctx, 'unauthorized', 'Send "Authorization: Bearer <API key>".') };
  const merchantId = ctx.keyring.authenticate(match[1]!);
  if (merchantId === null) return { ok: false, reply: refusal(ctx, 'unauthorized', 'Unknown API key.') };
  if (!ctx.limiters.merchant.take(merchantId)) {
    ctx.metrics.rateLimited.inc({ scope: 'merchant' });
    return { ok: false, reply: refusal(ctx, 'rate_limited', 'Too many requests for this API key; slow down.') };
  }
  return { ok: true, merchantId };
}

export function refusal(ctx: GatewayContext, code: ErrorCode, message: string): Reply {
  ctx.metrics.rejections.inc({ code });
  return errorReply(code, message);
}
